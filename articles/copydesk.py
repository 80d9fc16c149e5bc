"""The copy desk: checks that catch broken text before readers see it.

`check(article)` reads an article's title, excerpt, body, tags and hero alt
text and returns findings. A `block` finding (lost characters, tool
leftovers, a repeated paragraph) stops publication; a `warn` finding is
shown to the editor. Code (fenced blocks and `inline code`) is quoted as
written, so only control characters are looked for there.
"""

import bisect
import re
import unicodedata
from dataclasses import asdict, dataclass, field
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.urls import Resolver404, resolve
from django.utils.translation import gettext_lazy as _

from .models import Article, LegacyAddress
from .rendering import SENTENCE_END, count_letters

BLOCK, WARN = "block", "warn"
QUOTE_LENGTH = 60
# A paragraph or sentence counts as repeated only when it is this heavy
# (a CJK letter weighs 1, a word of Latin script 2): stock phrases are lighter.
REPEAT_WEIGHT = 20
# Search results show about 35 full-width or 70 half-width characters of a
# title, and about 120 full-width or 160 half-width of a description.
TITLE_WIDTH, TITLE_NARROW = 35, 70
EXCERPT_WIDE, EXCERPT_NARROW = 120, 160

MESSAGES = {
    "replacement": _("A character was lost here (U+FFFD): the text was damaged in conversion."),
    "mojibake": _("“%(found)s” is text decoded with the wrong character set; it probably read “%(fixed)s”."),
    "control": _("An invisible control character (%(codepoint)s) is in the text."),
    "end_marker": _("“%(found)s” is an end marker left by the tool that produced the text."),
    "token": _("“%(found)s” is a leftover from a text generator or template."),
    "placeholder": _("“%(found)s” is a placeholder that was never filled in."),
    "front_matter": _("A second front-matter block (“key: value” lines between “%(fence)s”) is in the body."),
    "open_fence": _("The code block opened here is never closed, so everything after it shows as code."),
    "same_paragraph": _("This paragraph repeats the one on line %(other)s."),
    "inner_paragraph": _("This paragraph is repeated inside the paragraph on line %(other)s."),
    "same_sentence": _("This sentence repeats one on line %(other)s."),
    "title_empty": _("The title is empty."),
    "title_long": _("The title is too long for a search result, which shows about %(wide)s Japanese or %(narrow)s Latin characters."),
    "excerpt_long": _("The excerpt is longer than a search snippet (about %(wide)s Japanese or %(narrow)s Latin characters)."),
    "image_alt": _("This image has no alt text: say what it shows, for readers who cannot see it."),
    "hero_alt": _("The hero image has no alt text: say what it shows, for readers who cannot see it."),
    "link_missing": _("The link to %(url)s leads to no article of this site."),
    "link_moved": _("The link to %(url)s has the wrong date; the article is at %(right)s."),
    "link_unpublished": _("The link to %(url)s leads to an article that is not public (%(status)s)."),
    "unclosed": _("The opening %(bracket)s here is never closed."),
    "unopened": _("The closing %(bracket)s here was never opened."),
    "straight_quotes": _("This paragraph has an odd number of straight quotation marks (\")."),
    "width": _("“%(full)s” is written full-width and “%(half)s” half-width in the same article; use one form."),
    "half_kana": _("“%(found)s” is half-width katakana; the rest of the article uses full-width."),
}  # fmt: skip


@dataclass
class Finding:
    code: str
    severity: str
    field: str
    line: int | None
    kind: str
    params: dict = field(default_factory=dict)
    quote: str = ""

    @property
    def message(self) -> str:
        """One sentence for the editor, in the language of the request."""
        return str(MESSAGES[self.kind]) % self.params if self.params else str(MESSAGES[self.kind])

    @property
    def is_blocking(self) -> bool:
        return self.severity == BLOCK

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "Finding":
        return cls(**{name: data.get(name) for name in cls.__dataclass_fields__})

    def where(self) -> str:
        """The field and line, for reports: "body, line 12", "title"."""
        label = field_label(self.field)
        return (
            _("%(field)s, line %(line)s") % {"field": label, "line": self.line} if self.line else str(label)
        )


def field_label(name: str) -> str:
    if name == "tags":
        return str(_("tags"))
    return str(Article._meta.get_field(name).verbose_name)


# --- Entry points -------------------------------------------------------------


def check(article: Article, *, tags: list[str] | None = None) -> list[Finding]:
    """Every finding on the article's text, blocking ones first.

    `tags` are the tag names as about to be saved; by default, the article's own.
    """
    if tags is None:
        tags = list(article.tags.names()) if article.pk else []
    body = Body(article.body or "")
    texts = [("title", article.title or "")]
    if article.has_typed_excerpt():
        texts.append(("excerpt", article.excerpt))
    texts += [("hero_alt", article.hero_alt or "")]
    fields = Scan([(name, None, text) for name, text in texts + [("tags", name) for name in tags]])
    findings = _title_and_excerpt(article) + _encoding(fields) + _markers(fields) + _controls(fields)
    for name, text in texts + [("tags", name) for name in tags]:
        findings += _brackets(name, None, [text])
    findings += _encoding(body.prose_scan) + _markers(body.prose_scan) + _controls(body.full_scan)
    findings += body.structure_findings + _duplicates(body) + _images(article, body) + _links(body)
    for block in body.blocks:
        findings += _brackets("body", block.line, block.lines, continued=block.continued)
    findings += _widths(texts, body)
    return sorted(findings, key=lambda f: (f.severity != BLOCK, _FIELD_ORDER.get(f.field, 9), f.line or 0))


_FIELD_ORDER = {"title": 0, "excerpt": 1, "body": 2, "tags": 3, "hero_alt": 4}


def review(article: Article, *, tags: list[str] | None = None) -> list[Finding]:
    """Check the article and keep the findings on it (saved with its next save)."""
    return keep(article, check(article, tags=tags))


def keep(article: Article, findings: list[Finding]) -> list[Finding]:
    """Put the findings on the article, to be saved with it."""
    article.findings = [finding.as_dict() for finding in findings]
    article.blocking_findings = sum(finding.is_blocking for finding in findings)
    article.warning_findings = len(findings) - article.blocking_findings
    return findings


def stored(article: Article) -> list[Finding]:
    """The findings kept with the article at its last save."""
    return [Finding.from_dict(data) for data in article.findings or []]


def blocking(findings: list[Finding]) -> list[Finding]:
    return [finding for finding in findings if finding.is_blocking]


def summary(findings: list[Finding]) -> str:
    """ "encoding (title); duplicate (body, line 40)" — for refusals and reports."""
    return "; ".join(f"{finding.code} ({finding.where()})" for finding in findings)


# --- Reading the body ----------------------------------------------------------

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_INLINE_CODE = re.compile(r"(`+)(?:(?!\1).)+?\1")
_LINK_TARGET = re.compile(
    r"(\]\()((?:[^()\s]|\([^()\s]*\))*(?:\s+\"[^\"]*\")?)(\))|<(?:https?|mailto):[^>\s]+>|https?://[^\s<>)）」]+"
)
_LIST_ITEM = re.compile(r"^\s{0,3}(?:[-*+]|\d{1,9}[.)])\s+")
_HEADING = re.compile(r"^\s{0,3}#{1,6}(?:\s|$)")
_QUOTE_PREFIX = re.compile(r"^\s{0,3}>\s?")
_RULE = re.compile(r"^\s{0,3}(?:(?:-\s*){3,}|(?:\*\s*){3,}|(?:_\s*){3,})$")


class Scan:
    """Lines of text searched as one string; a match knows its field and line.

    `places` are (field, line, text): the body's lines with their numbers, or
    whole fields (title, tags…) with none.
    """

    def __init__(self, places: list[tuple[str, int | None, str]]):
        self.places = [(name, line, part) for name, line, text in places for part in text.split("\n")]
        self.text = "\n".join(part for _name, _line, part in self.places)
        self.starts = [0]
        for _name, _line, part in self.places[:-1]:
            self.starts.append(self.starts[-1] + len(part) + 1)

    def place(self, position: int) -> tuple[str, int | None, str, int]:
        """The field, line and line text at `position`, and where in that line it is."""
        index = bisect.bisect_right(self.starts, position) - 1
        name, line, text = self.places[index]
        return name, line, text, position - self.starts[index]

    def where(self, position: int) -> tuple[str, int | None]:
        return self.place(position)[:2]

    def line_text(self, position: int) -> str:
        return self.place(position)[2]

    def quote(self, position: int) -> str:
        """A short quote of the line around `position`, for the editor to find the place."""
        _name, _line, text, offset = self.place(position)
        return _around(text, offset)

    def finding(self, code, kind, position, params=None, quote=None, severity=BLOCK) -> "Finding":
        name, line, text, offset = self.place(position)
        quote = _around(text, offset) if quote is None else quote
        return Finding(code, severity, name, line, kind, params or {}, quote)


@dataclass
class Block:
    """A paragraph, list item, heading, quote or table row: lines that read as one."""

    kind: str
    lines: list[tuple[int, str]]
    continued: bool = False  # the next block opens with the quotation mark this one leaves open

    @property
    def line(self) -> int:
        return self.lines[0][0]

    @property
    def text(self) -> str:
        return "\n".join(text for _number, text in self.lines)


class Body:
    """The body's lines, split into code and prose, and the prose into blocks."""

    def __init__(self, text: str):
        self.all_lines = list(enumerate(text.split("\n"), start=1))
        self.prose: list[tuple[int, str]] = []  # code blanked out, link targets removed
        self.raw_prose: list[tuple[int, str]] = []  # as written, for links and images
        self.blocks: list[Block] = []
        self.structure_findings: list[Finding] = []
        self._read()

    def _read(self):
        fence, fence_line, current = None, 0, None
        for number, line in self.all_lines:
            opening = _FENCE.match(line)
            if fence:
                if opening and opening.group(1)[0] == fence[0] and len(opening.group(1)) >= len(fence):
                    if not line[opening.end() :].strip():
                        fence = None
                continue
            if opening:
                fence, fence_line, current = opening.group(1), number, None
                continue
            prose = _INLINE_CODE.sub(lambda m: " " * len(m.group()), line)
            prose = _LINK_TARGET.sub(lambda m: f"{m.group(1)}{m.group(3)}" if m.group(1) else " ", prose)
            self.prose.append((number, prose))
            self.raw_prose.append((number, line))
            current = self._add_to_block(current, number, prose)
        if fence:
            quote = self.all_lines[fence_line - 1][1]
            self.structure_findings.append(
                Finding("marker", BLOCK, "body", fence_line, "open_fence", quote=quote)
            )
        self.structure_findings += _second_front_matter(self.prose)
        self.prose_scan = Scan([("body", number, text) for number, text in self.prose])
        self.full_scan = Scan([("body", number, text) for number, text in self.all_lines])
        self.raw_scan = Scan([("body", number, text) for number, text in self.raw_prose])
        for block, following in zip(self.blocks, self.blocks[1:], strict=False):
            block.continued = following.text.lstrip()[:1] in "“「『"

    def _add_to_block(self, current, number, line):
        stripped = line.strip()
        if not stripped or _RULE.match(line):
            return None
        kind = "paragraph"
        if _QUOTE_PREFIX.match(line):
            kind, line = "quote", _QUOTE_PREFIX.sub("", line)
        if _HEADING.match(line):
            kind = "heading"
        elif _LIST_ITEM.match(line):
            kind = "item"
        elif stripped.startswith("|"):
            kind = "table"
        joins = (
            current is not None
            and kind in ("paragraph", "quote")
            and current.kind in ("paragraph", "item", "quote")
        )
        if joins and (kind == "quote") == (current.kind == "quote"):
            current.lines.append((number, line))
            return current
        block = Block(kind, [(number, line)])
        self.blocks.append(block)
        return None if kind in ("heading", "table") else block


_FRONT_MATTER_KEY = re.compile(r"^[A-Za-z_][\w-]*\s*[:=]")
_KNOWN_KEYS = re.compile(
    r"^(?:title|date|layout|tags|categories|author|authors|permalink|excerpt|published|slug|description|draft)\s*[:=]"
)


def _second_front_matter(prose: list[tuple[int, str]]) -> list[Finding]:
    lines = prose
    for index, (number, line) in enumerate(lines):
        fence = line.strip()
        if fence not in ("---", "+++"):
            continue
        keys = []
        for _following, text in lines[index + 1 : index + 40]:
            if text.strip() == fence:
                if keys and (len(keys) >= 2 or any(_KNOWN_KEYS.match(k) for k in keys)):
                    return [
                        Finding(
                            "marker",
                            BLOCK,
                            "body",
                            number,
                            "front_matter",
                            {"fence": fence},
                            quote=keys[0][:QUOTE_LENGTH],
                        )
                    ]
                break
            if _FRONT_MATTER_KEY.match(text):
                keys.append(text.strip())
            elif not text.lstrip().startswith("- "):
                break
    return []


# --- encoding --------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufeff]")
# A character that UTF-8 would have begun a sequence with, read as Latin-1/cp1252…
_LATIN_LEAD = re.compile(r"[\u00c2-\u00f4]")
# …and the characters cp1252 or Latin-1 give for continuation bytes 0x80–0xBF.
_CONTINUATION = set(bytes(range(0x80, 0xC0)).decode("cp1252", errors="ignore")) | {
    chr(code) for code in range(0x80, 0xC0)
}
# UTF-8 Japanese read as Shift_JIS/CP932: E3 81/82/83/80 (kana and punctuation) turn into these.
_SJIS_SIGNATURE = "縺繧繝縲"
_SJIS_CHAR = re.compile(f"[{_SJIS_SIGNATURE}]")
_SJIS_PAIR = re.compile(f"[{_SJIS_SIGNATURE}][\uff61-\uff9f{_SJIS_SIGNATURE}]")


def _encoding(scan: Scan) -> list[Finding]:
    """Lost characters and mojibake: one finding of each kind a line."""
    found: dict[tuple[str, int | None], Finding] = {}
    text = scan.text
    for match in re.finditer("\ufffd", text):
        found.setdefault(
            ("replacement", scan.where(match.start())),
            scan.finding("encoding", "replacement", match.start()),
        )
    for match in _LATIN_LEAD.finditer(text):
        key = ("mojibake", scan.where(match.start()))
        fixed = None if key in found else _utf8_read_as_latin(text, match.start())
        if fixed:
            params = {"found": fixed[1], "fixed": fixed[0]}
            found[key] = scan.finding("encoding", "mojibake", match.start(), params)
    for match in _SJIS_CHAR.finditer(text):
        key = ("mojibake", scan.where(match.start()))
        if key in found:
            continue
        line = scan.line_text(match.start())
        if _SJIS_PAIR.search(line) or len(_SJIS_CHAR.findall(line)) >= 3:
            wrong = text[match.start() : match.start() + 8].split("\n")[0]
            params = {"found": wrong, "fixed": _utf8_read_as_sjis(wrong)}
            found[key] = scan.finding("encoding", "mojibake", match.start(), params)
    return list(found.values())


def _utf8_read_as_latin(text: str, start: int) -> tuple[str, str] | None:
    """(the original text, the garbled run) when text[start:] is UTF-8 decoded as cp1252/Latin-1."""
    lead = text[start].encode("latin-1")[0]
    length = 2 if lead < 0xE0 else 3 if lead < 0xF0 else 4
    run = text[start : start + length]
    if len(run) < length or not all(char in _CONTINUATION for char in run[1:]):
        return None
    raw = bytes(_as_byte(char) for char in run)
    try:
        original = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return original, run


def _as_byte(char: str) -> int:
    try:
        return char.encode("cp1252")[0]
    except UnicodeEncodeError:
        return char.encode("latin-1")[0]


def _utf8_read_as_sjis(text: str) -> str:
    return text.encode("cp932", errors="replace").decode("utf-8", errors="replace").replace("\ufffd", "")


def _controls(scan: Scan) -> list[Finding]:
    found: dict[int | None, Finding] = {}
    for match in _CONTROL.finditer(scan.text):
        line = scan.where(match.start())
        if line not in found:
            params = {"codepoint": f"U+{ord(match.group()):04X}"}
            quote = scan.quote(match.start()).replace(match.group(), "\u2423")
            found[line] = scan.finding("encoding", "control", match.start(), params, quote)
    return list(found.values())


def _around(text: str, position: int) -> str:
    """A short quote of `text` around `position`, for the editor to find the place."""
    if len(text) <= QUOTE_LENGTH:
        return text.strip()
    start = min(max(0, position - QUOTE_LENGTH // 2), len(text) - QUOTE_LENGTH)
    return text[start : start + QUOTE_LENGTH].strip()


# --- marker ----------------------------------------------------------------------

# One pass finds all three kinds of leftover (each a named group).
_MARKER = re.compile(
    # a line that only says the text ends: ---END---, [END], END OF ARTICLE, EOF…
    r"(?P<end_marker>^[ \t]*(?:[-=*#_~]{2,}[ \t]*)?[\[<(【]?[ \t]*"
    r"(?i:END(?:[ \t]+OF[ \t]+(?:TEXT|ARTICLE|DOCUMENT|POST|OUTPUT|RESPONSE))?|EOF|EOT)"
    r"[ \t]*[\]>)】]?[ \t]*(?:[-=*#_~]{2,})?[ \t]*$|^[ \t]*[-=*#_~【\[]*[ \t]*(?:本文終わり|本文ここまで|記事終わり)"
    r"[ \t]*[-=*#_~】\]]*[ \t]*$)"
    # tokens of text generators and tags of template languages
    r"|(?P<token><\|[\w-]{1,40}\|>|\[/?INST\]|<</?SYS>>|\[(?:EOS|BOS|SEP|PAD|CLS|MASK|UNK)\]|<(?:eos|bos|pad|unk)>"
    r"|\{\{[^{}\n]{0,80}\}\}|\{%[^%\n]{0,80}%\}|\$\{[A-Za-z_][\w.]{0,40}\})"
    # what a writer puts where a fact or a word is still to come
    r"|(?P<placeholder>(?<![A-Za-z0-9_-])(?:TODO|FIXME|TKTK|TK|XXX+|TBD)(?![A-Za-z0-9_-])|[Ll]orem ipsum|〓"
    r"|[\[【（(〔［][ \t]*(?:要確認|要出典|要修正|要調査|確認中|仮|未定|ここに[^\n]{1,20}?|TBD|TODO|TK)[ \t]*[\]】）)〕］])",
    re.MULTILINE,
)


def _markers(scan: Scan) -> list[Finding]:
    """Leftovers of tools and templates: one finding of each kind a line."""
    found: dict[tuple[str, tuple], Finding] = {}
    for match in _MARKER.finditer(scan.text):
        kind = match.lastgroup
        key = (kind, scan.where(match.start()))
        if key not in found:
            found[key] = scan.finding("marker", kind, match.start(), {"found": match.group().strip()})
    return list(found.values())


# --- duplicate -------------------------------------------------------------------


_MARKUP_PREFIX = re.compile(r"^\s*(?:#{1,6}|[-*+]|\d{1,9}[.)])\s+", re.MULTILINE)


def _normal(text: str) -> str:
    """The text as compared for repeats: NFKC, without list or heading marks and without spaces."""
    return "".join(unicodedata.normalize("NFKC", _MARKUP_PREFIX.sub("", text)).split())


def _heavy(text: str) -> bool:
    if len(text) < REPEAT_WEIGHT // 2:
        return False  # too short to weigh enough, whatever it is written in
    cjk, words = count_letters(text)
    return cjk + 2 * words >= REPEAT_WEIGHT


def _duplicates(body: Body) -> list[Finding]:
    paragraphs = [(block, _normal(block.text)) for block in body.blocks if block.kind == "paragraph"]
    joined = "\x00".join(text for _block, text in paragraphs)
    found, repeated = [], set()
    for index, (block, text) in enumerate(paragraphs):
        if joined.count(text) < 2 or not _heavy(block.text):
            continue
        for other_index, (other, other_text) in enumerate(paragraphs):
            if other_index == index or text not in other_text:
                continue
            if other_text == text and other_index > index:
                continue  # the later copy is the one reported
            kind = "same_paragraph" if other_text == text else "inner_paragraph"
            quote = block.text.strip()[:QUOTE_LENGTH]
            found.append(Finding("duplicate", BLOCK, "body", block.line, kind, {"other": other.line}, quote))
            repeated.add(id(block))
            break
    return found + _repeated_sentences(body, repeated)


def _repeated_sentences(body: Body, repeated: set[int]) -> list[Finding]:
    seen: dict[str, int] = {}
    found = []
    for block in body.blocks:
        if block.kind in ("heading", "table"):
            continue
        for line, sentence in _sentences(block):
            text = "".join(unicodedata.normalize("NFKC", sentence).split())
            if text in seen and id(block) not in repeated and _heavy(sentence):
                quote = sentence.strip()[:QUOTE_LENGTH]
                found.append(
                    Finding("duplicate", WARN, "body", line, "same_sentence", {"other": seen[text]}, quote)
                )
            seen.setdefault(text, line)  # (only a repeat needs weighing: most sentences come once)
    return found


def _sentences(block: Block):
    """(line, sentence) for each sentence of the block."""
    text, start = block.text, 0
    line_starts = [0]
    for _number, line in block.lines[:-1]:
        line_starts.append(line_starts[-1] + len(line) + 1)
    ends = [match.end() for match in SENTENCE_END.finditer(text)] + [len(text)]
    for end in ends:
        if text[start:end].strip():
            offset = start + len(text[start:end]) - len(text[start:end].lstrip())
            yield block.lines[bisect.bisect_right(line_starts, offset) - 1][0], text[start:end]
        start = end


# --- title and excerpt -------------------------------------------------------------


def _over(text: str, wide_limit: int, narrow_limit: int) -> bool:
    wide = sum(unicodedata.east_asian_width(char) in "WF" for char in text)
    return wide / wide_limit + (len(text) - wide) / narrow_limit > 1


def _title_and_excerpt(article: Article) -> list[Finding]:
    found = []
    title = (article.title or "").strip()
    if not title:
        found.append(Finding("title", WARN, "title", None, "title_empty"))
    elif _over(title, TITLE_WIDTH, TITLE_NARROW):
        params = {"wide": TITLE_WIDTH, "narrow": TITLE_NARROW}
        found.append(Finding("title", WARN, "title", None, "title_long", params, title[:QUOTE_LENGTH]))
    excerpt = (article.excerpt or "").strip()
    if article.has_typed_excerpt() and _over(excerpt, EXCERPT_WIDE, EXCERPT_NARROW):
        params = {"wide": EXCERPT_WIDE, "narrow": EXCERPT_NARROW}
        found.append(
            Finding("excerpt", WARN, "excerpt", None, "excerpt_long", params, excerpt[:QUOTE_LENGTH])
        )
    return found


# --- alt_text ----------------------------------------------------------------------

_IMAGE = re.compile(r"!\[([^\]]*)\][(\[]")
_HTML_IMAGE = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
_ALT = re.compile(r"\balt\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s>]+))", re.IGNORECASE)


def _images(article: Article, body: Body) -> list[Finding]:
    scan, found = body.raw_scan, []
    for match in _IMAGE.finditer(scan.text):
        if not match.group(1).strip():
            found.append(scan.finding("alt_text", "image_alt", match.start(), severity=WARN))
    for match in _HTML_IMAGE.finditer(scan.text):
        alt = _ALT.search(match.group())
        if not alt or not "".join(part or "" for part in alt.groups()).strip():
            quote = match.group()[:QUOTE_LENGTH]
            found.append(scan.finding("alt_text", "image_alt", match.start(), quote=quote, severity=WARN))
    if (article.hero_image or article.hero_image_url) and not (article.hero_alt or "").strip():
        found.append(Finding("alt_text", WARN, "hero_alt", None, "hero_alt"))
    return found


# --- link --------------------------------------------------------------------------

_LINKS = re.compile(
    r"(?<!!)\[[^\]]*\]\(\s*<?([^\s)>]+)"
    r"|^[ \t]{0,3}\[[^\]\n]+\]:[ \t]*<?([^\s>]+)"
    r"|\bhref\s*=\s*[\"']([^\"']+)"
    r"|<(https?://[^>\s]+)>",
    re.IGNORECASE | re.MULTILINE,
)


def _links(body: Body) -> list[Finding]:
    """Links to this site's articles that lead nowhere, or to an article readers cannot see."""
    wanted: list[tuple[int, str, str, dict | None]] = []  # line, url, path, the article route's kwargs
    for match in _LINKS.finditer(body.raw_scan.text):
        url = next(group for group in match.groups() if group)
        path = _own_path(url)
        if path is not None:
            wanted.append((body.raw_scan.where(match.start())[1], url, path, _article_route(path)))
    if not wanted:
        return []
    slugs = {route["slug"] for _n, _u, _p, route in wanted if route}
    articles = {
        a.slug: a for a in Article.objects.filter(slug__in=slugs).only("slug", "status", "published_at")
    }
    unresolved = {LegacyAddress.normalize(path) for _n, _u, path, route in wanted if not route}
    legacy = (
        {
            address.path: address.article
            for address in LegacyAddress.objects.filter(path__in=unresolved).select_related("article")
        }
        if unresolved
        else {}
    )
    found = []
    for number, url, path, route in wanted:
        if route == {}:
            continue  # a page of the site other than an article
        if route is None:
            target = legacy.get(LegacyAddress.normalize(path))
            if target is None:
                found.append(
                    Finding("link", WARN, "body", number, "link_missing", {"url": url}, url[:QUOTE_LENGTH])
                )
            elif not target.is_public:
                found.append(_unpublished(number, url, target))
            continue
        target = articles.get(route["slug"])
        if target is None:
            found.append(
                Finding("link", WARN, "body", number, "link_missing", {"url": url}, url[:QUOTE_LENGTH])
            )
        elif not target.is_public:
            found.append(_unpublished(number, url, target))
        elif target.get_absolute_url() != _article_path(route):
            params = {"url": url, "right": target.get_absolute_url()}
            found.append(Finding("link", WARN, "body", number, "link_moved", params, url[:QUOTE_LENGTH]))
    return found


def _unpublished(number: int, url: str, target: Article) -> Finding:
    status = _("scheduled") if target.is_scheduled else target.get_status_display()
    return Finding(
        "link",
        WARN,
        "body",
        number,
        "link_unpublished",
        {"url": url, "status": str(status)},
        url[:QUOTE_LENGTH],
    )


def _own_path(url: str) -> str | None:
    """The path of a link into this site (absolute or site-relative), else None."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    own_host = urlsplit(settings.SITE_URL).netloc.lower()
    if parts.scheme in ("http", "https") and parts.netloc.lower() == own_host:
        path = parts.path or "/"
    elif not parts.scheme and not parts.netloc and parts.path.startswith("/"):
        path = parts.path
    else:
        return None
    path = unquote(path)
    if path.startswith((settings.STATIC_URL, settings.MEDIA_URL)):
        return None
    return path


def _article_route(path: str) -> dict | None:
    """The article route's kwargs when `path` is an article's address; {} for other pages of the site."""
    try:
        match = resolve(path if path.endswith("/") else path + "/")
    except Resolver404:
        return None
    if match.view_name == "articles:detail":
        return match.kwargs
    return {}


def _article_path(route: dict) -> str:
    local = f"/{route['year']:04d}/{route['month']:02d}/{route['day']:02d}/{route['slug']}/"
    return local


# --- brackets ----------------------------------------------------------------------

_PAIRS = {"「": "」", "『": "』", "（": "）", "(": ")", "【": "】", "“": "”"}
_CLOSERS = {closer: opener for opener, closer in _PAIRS.items()}
# "1)" and "a)" enumerate, ":)" smiles: neither closes anything.
_BRACKET = re.compile("[「」『』（）()【】“”]")
_NOT_BRACKETS = re.compile(
    r"(?<![0-9A-Za-z０-９Ａ-Ｚａ-ｚ(（])[0-9０-９]{1,3}[)）]|(?:^|(?<=[\s、。，,:：]))[A-Za-zａ-ｚ][)）]|[:;]-?\)|\(\^+\)"
)


def _brackets(field_name: str, line: int | None, lines, *, continued: bool = False) -> list[Finding]:
    """Unbalanced brackets and quotation marks; `lines` are texts, or (line, text) pairs."""
    pairs = [(line, item) if isinstance(item, str) else item for item in lines]
    stack: list[tuple[str, int | None, str]] = []
    found = []
    straight = 0
    for number, text in pairs:
        if ")" in text or "）" in text:
            text = _NOT_BRACKETS.sub(lambda m: " " * len(m.group()), text)
        straight += text.count('"')
        for match in _BRACKET.finditer(text):
            position, char = match.start(), match.group()
            if char in _PAIRS:
                stack.append((char, number, _around(text, position)))
            elif char in _CLOSERS:
                opener = _CLOSERS[char]
                if any(item[0] == opener for item in stack):
                    while stack[-1][0] != opener:
                        found.append(_unbalanced("unclosed", field_name, *stack.pop()))
                    stack.pop()
                else:
                    found.append(_unbalanced("unopened", field_name, char, number, _around(text, position)))
    for item in stack:
        if not (continued and item[0] in "“「『"):
            found.append(_unbalanced("unclosed", field_name, *item))
    if straight % 2:
        found.append(Finding("brackets", WARN, field_name, pairs[0][0] if pairs else None, "straight_quotes"))
    return found


def _unbalanced(kind: str, field_name: str, bracket: str, line: int | None, quote: str) -> Finding:
    return Finding("brackets", WARN, field_name, line, kind, {"bracket": bracket}, quote)


# --- width -------------------------------------------------------------------------

_FULL_ALNUM = re.compile(r"[０-９Ａ-Ｚａ-ｚ]+")
_HALF_ALNUM = re.compile(r"[0-9A-Za-z]")
_HALF_KANA = re.compile(r"[\uff66-\uff9f]+")
_FULL_KANA = re.compile(r"[\u30a1-\u30fa]")


def _widths(texts: list[tuple[str, str]], body: Body) -> list[Finding]:
    """Letters and digits written both full-width and half-width; half-width katakana."""
    scans = [Scan([(name, None, text) for name, text in texts]), body.prose_scan]
    halves = set().union(*(_HALF_ALNUM.findall(scan.text) for scan in scans))
    has_full_kana = any(_FULL_KANA.search(scan.text) for scan in scans)
    found = {}
    for scan in scans:
        for match in _FULL_ALNUM.finditer(scan.text):
            half = unicodedata.normalize("NFKC", match.group())
            if "width" not in found and set(half) & halves:
                params = {"full": match.group(), "half": half}
                found["width"] = scan.finding("width", "width", match.start(), params, severity=WARN)
        match = _HALF_KANA.search(scan.text) if has_full_kana else None
        if match and "half_kana" not in found:
            params = {"found": match.group()}
            found["half_kana"] = scan.finding("width", "half_kana", match.start(), params, severity=WARN)
    return list(found.values())
