"""Reading an article's text for the copy desk: everything that can be told from the text alone.

A body is read line by line, code apart from prose, and the prose grouped
into blocks (paragraphs, list items, quotes, headings, table rows). Each
check returns `Finding`s; `copydesk.py` adds what needs the database (links)
and keeps the findings with the article.
"""

import bisect
import re
import unicodedata
from collections import Counter
from dataclasses import asdict, dataclass, field

from django.utils.translation import gettext_lazy as _

from articles.text.rendering import SENTENCE_END, count_letters

BLOCK, WARN = "block", "warn"
QUOTE_LENGTH = 60
# How heavy a sentence or paragraph must be to count as repeated (a CJK
# letter weighs 1, a word of Latin script 2): stock phrases weigh less.
REPEAT_WEIGHT = 20
# A paragraph repeated whole blocks publication from this weight on (about
# 40 Japanese characters or 20 words); a lighter one is a warning.
BLOCKING_REPEAT_WEIGHT = 40

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

FIELD_LABELS = {
    "title": _("title"),
    "excerpt": _("excerpt"),
    "body": _("body"),
    "tags": _("tags"),
    "hero_alt": _("hero image alt text"),
    "correction_note": _("correction note"),
}


# An article's status as a link finding names it (the labels of Article.Status, and "scheduled").
STATUS_LABELS = {
    "draft": _("Draft"),
    "in_review": _("In review"),
    "changes_requested": _("Changes requested"),
    "approved": _("Approved"),
    "unpublished": _("Unpublished"),
    "scheduled": _("scheduled"),
}


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
        """One sentence for the editor, in the language of the request (kept findings included)."""
        if not self.params:
            return str(MESSAGES[self.kind])
        params = dict(self.params)
        if "status" in params:
            params["status"] = str(STATUS_LABELS.get(params["status"], params["status"]))
        return str(MESSAGES[self.kind]) % params

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
        label = FIELD_LABELS.get(self.field, self.field)
        return (
            _("%(field)s, line %(line)s") % {"field": label, "line": self.line} if self.line else str(label)
        )

    def key(self) -> tuple:
        """What the finding is about, whatever line it moved to."""
        return (self.code, self.kind, self.field, self.quote)


def _around(text: str, position: int) -> str:
    """A short quote of `text` around `position`, for the editor to find the place."""
    if len(text) <= QUOTE_LENGTH:
        return text.strip()
    start = min(max(0, position - QUOTE_LENGTH // 2), len(text) - QUOTE_LENGTH)
    return text[start : start + QUOTE_LENGTH].strip()


class Scan:
    """Lines searched as one string; a match knows its field, its line and the line as written.

    `places` are (field, line, text, as written): the body's lines with their
    numbers, or whole fields (title, tags…) with none. `text` may have code or
    link targets blanked out, but is as long as what was written.
    """

    def __init__(self, places):
        self.places = []
        for name, line, text, raw in places:
            for part, raw_part in zip(text.split("\n"), raw.split("\n"), strict=True):
                self.places.append((name, line, part, raw_part))
        self.text = "\n".join(place[2] for place in self.places)
        self.starts = [0]
        for place in self.places[:-1]:
            self.starts.append(self.starts[-1] + len(place[2]) + 1)

    def place(self, position: int):
        """The field, line, line as written, and the offset of `position` in it."""
        index = bisect.bisect_right(self.starts, position) - 1
        name, line, _text, raw = self.places[index]
        return name, line, raw, position - self.starts[index]

    def where(self, position: int) -> tuple[str, int | None]:
        return self.place(position)[:2]

    def finding(self, code, kind, position, params=None, *, quote=None, severity=BLOCK) -> Finding:
        name, line, raw, offset = self.place(position)
        quote = _around(raw, offset) if quote is None else quote
        return Finding(code, severity, name, line, kind, params or {}, quote)


def field_scan(texts: list[tuple[str, str]]) -> Scan:
    return Scan([(name, None, text, text) for name, text in texts])


# --- Reading the body -------------------------------------------------------------

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_INLINE_CODE = re.compile(r"(`+)(?:(?!\1).)+?\1")
# Where a link leads (kept in `linked` lines, blanked in `prose`): ](target "title"), <https://…>, bare URLs.
_LINK_TARGET = re.compile(
    r"(?<=\]\()(?:[^()\s]|\([^()\s]*\))*(?:\s+\"[^\"\n]*\")?(?=\))|<(?:https?|mailto):[^>\s]+>|https?://[^\s<>)）」]+"
)
_LIST_ITEM = re.compile(r"^\s{0,3}(?:[-*+]|\d{1,9}[.)])\s+")
_HEADING = re.compile(r"^\s{0,3}#{1,6}(?:\s|$)")
_QUOTE_PREFIX = re.compile(r"^\s{0,3}>\s?")
_RULE = re.compile(r"^\s{0,3}(?:(?:-\s*){3,}|(?:\*\s*){3,}|(?:_\s*){3,})$")
_EMPHASIS_BOX = re.compile(r"^\s*([*_]{1,3})\S.*\S\1\s*$", re.DOTALL)


def _blank(match: re.Match) -> str:
    return " " * len(match.group())


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
    """The body's lines, code apart from prose, and the prose in blocks.

    Three views of each prose line, all as long as the line: as written (for
    quotes), `linked` (inline code blanked: for links and images), `prose`
    (link targets blanked too: for the text's own checks).
    """

    def __init__(self, text: str):
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        self.all_lines = list(enumerate(text.split("\n"), start=1))
        self.prose: list[tuple[int, str, str, str]] = []  # number, prose, linked, as written
        self.blocks: list[Block] = []
        self.open_fence: int | None = None
        self._read()
        self.full_scan = Scan([("body", number, line, line) for number, line in self.all_lines])
        self.prose_scan = Scan([("body", number, prose, raw) for number, prose, _linked, raw in self.prose])
        self.linked_scan = Scan([("body", number, linked, raw) for number, _prose, linked, raw in self.prose])
        for block, following in zip(self.blocks, self.blocks[1:], strict=False):
            block.continued = following.text.lstrip()[:1] in "“「『"

    def _read(self):
        fence, current = None, None
        for number, line in self.all_lines:
            opening = _FENCE.match(line)
            if fence:
                closing = opening and opening.group(1)[0] == fence[0] and len(opening.group(1)) >= len(fence)
                if closing and not line[opening.end() :].strip():
                    fence = self.open_fence = None
                continue
            if opening:
                fence, self.open_fence, current = opening.group(1), number, None
                continue
            linked = _INLINE_CODE.sub(_blank, line)
            prose = _LINK_TARGET.sub(_blank, linked)
            self.prose.append((number, prose, linked, line))
            current = self._add_to_block(current, number, prose)

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

    def structure(self) -> list[Finding]:
        found = []
        if self.open_fence:
            quote = self.all_lines[self.open_fence - 1][1][:QUOTE_LENGTH]
            found.append(Finding("marker", BLOCK, "body", self.open_fence, "open_fence", quote=quote))
        return found + _second_front_matter(self.prose)


_FRONT_MATTER_KEY = re.compile(r"^[a-z_][a-z0-9_-]*[ \t]*[:=]")
_KNOWN_KEY = re.compile(
    r"^(?:title|date|layout|tags|categories|category|author|authors|permalink|excerpt|published|slug|description|draft|image|lang)[ \t]*[:=]"
)


def _second_front_matter(prose) -> list[Finding]:
    """`---` (or `+++`), lines of lower-case `key: value` with a key front matter has, and the fence again."""
    for index, (number, line, _linked, _raw) in enumerate(prose):
        fence = line.strip()
        if fence not in ("---", "+++"):
            continue
        keys = []
        for _number, text, _linked, _raw in prose[index + 1 : index + 60]:
            if text.strip() == fence:
                if any(_KNOWN_KEY.match(key) for key in keys):
                    params = {"fence": fence}
                    return [
                        Finding(
                            "marker", BLOCK, "body", number, "front_matter", params, keys[0][:QUOTE_LENGTH]
                        )
                    ]
                break
            if _FRONT_MATTER_KEY.match(text):
                keys.append(text.strip())
            elif text.strip() and not text[:1].isspace() and not text.startswith("- "):
                break  # prose: a horizontal rule, not front matter
    return []


# --- encoding ---------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufeff]")
# A character UTF-8 would begin a sequence with, read as Latin-1/cp1252…
_LATIN_LEAD = re.compile(r"[\u00c2-\u00f4]")
# …and what cp1252 or Latin-1 make of the continuation bytes 0x80–0xBF.
_CONTINUATION = set(bytes(range(0x80, 0xC0)).decode("cp1252", errors="ignore")) | {
    chr(code) for code in range(0x80, 0xC0)
}
# UTF-8 Japanese read as Shift_JIS/CP932: kana and punctuation (E3 80–83) turn into these kanji,
# followed by half-width katakana or by another of them.
_SJIS_SIGNATURE = "縺繧繝縲"
_SJIS_PAIR = re.compile(f"[{_SJIS_SIGNATURE}][\uff61-\uff9f{_SJIS_SIGNATURE}]")


def encoding(scan: Scan, *, everywhere: Scan | None = None) -> list[Finding]:
    """Lost characters (looked for `everywhere`, code included) and mojibake: one of each kind a line."""
    found: dict[tuple, Finding] = {}
    everywhere = everywhere or scan
    for match in re.finditer("\ufffd", everywhere.text):
        key = ("replacement", everywhere.where(match.start()))
        if key not in found:
            found[key] = everywhere.finding("encoding", "replacement", match.start())
    text = scan.text
    for match in _LATIN_LEAD.finditer(text):
        key = ("mojibake", scan.where(match.start()))
        fixed = None if key in found else _read_as_latin(text, match.start())
        if fixed:
            found[key] = scan.finding(
                "encoding", "mojibake", match.start(), {"found": fixed[1], "fixed": fixed[0]}
            )
    for match in _SJIS_PAIR.finditer(text):
        key = ("mojibake", scan.where(match.start()))
        if key not in found:
            wrong = text[match.start() : match.start() + 8].split("\n")[0]
            params = {"found": wrong, "fixed": _read_as_sjis(wrong)}
            found[key] = scan.finding("encoding", "mojibake", match.start(), params)
    return list(found.values())


def _read_as_latin(text: str, start: int, *, within_run: bool = False) -> tuple[str, str] | None:
    """(what it read, the garbled run) when text[start:] is UTF-8 decoded as cp1252/Latin-1.

    Only what such mojibake gives is taken: Latin, Greek and Cyrillic letters
    and signs from two bytes; punctuation, currency or Japanese from three
    (a Japanese one not right after a Latin letter, unless more follows:
    "café…" is French); emoji from four.
    """
    if start >= len(text) or not "\u00c2" <= text[start] <= "\u00f4":
        return None
    lead = ord(text[start])
    length = 2 if lead < 0xE0 else 3 if lead < 0xF0 else 4
    run = text[start : start + length]
    if len(run) < length or not all(char in _CONTINUATION for char in run[1:]):
        return None
    try:
        original = bytes(_as_byte(char) for char in run).decode("utf-8")
    except UnicodeDecodeError:
        return None
    point = ord(original)
    if length == 2:
        plausible = 0xA0 <= point <= 0x24F or 0x370 <= point <= 0x52F
    elif length == 4:
        plausible = point >= 0x1F000
    elif 0x2010 <= point <= 0x20CF or point == 0x2122:
        plausible = True
    elif 0x3000 <= point <= 0x9FFF or 0xFF00 <= point <= 0xFFEF:
        plausible = _japanese(original) and (
            within_run
            or not (start and text[start - 1].isalpha() and ord(text[start - 1]) < 0x250)
            or _read_as_latin(text, start + length, within_run=True) is not None
        )
    else:
        plausible = False
    return (original, run) if plausible else None


def _japanese(char: str) -> bool:
    try:
        char.encode("cp932")
    except UnicodeEncodeError:
        return False
    return True


def _as_byte(char: str) -> int:
    try:
        return char.encode("cp1252")[0]
    except UnicodeEncodeError:
        return char.encode("latin-1")[0]


def _read_as_sjis(text: str) -> str:
    return text.encode("cp932", errors="replace").decode("utf-8", errors="replace").replace("\ufffd", "")


def controls(scan: Scan) -> list[Finding]:
    found: dict[tuple, Finding] = {}
    for match in _CONTROL.finditer(scan.text):
        key = scan.where(match.start())
        if key not in found:
            params = {"codepoint": f"U+{ord(match.group()):04X}"}
            name, line, raw, offset = scan.place(match.start())
            quote = _around(raw, offset).replace(match.group(), "\u2423")
            found[key] = Finding("encoding", BLOCK, name, line, "control", params, quote)
    return list(found.values())


# --- marker -----------------------------------------------------------------------

_END_WORDS = r"END(?:[ \t]+OF[ \t]+(?:TEXT|ARTICLE|DOCUMENT|POST|OUTPUT|RESPONSE|STORY))?|EOF|EOT"
_DECORATION = r"[-=*_~—―─#]{2,}"
# One pass finds every kind of leftover (each a named group); some are looked at again in _meant().
# A line that only says the text ends: ---END---, [end], END OF ARTICLE, 本文終わり (in a quote or list too).
_END_MARKER = re.compile(
    r"^[ \t]*(?:>[ \t]*)*(?:[-*+][ \t]+)?(?:"
    rf"(?:{_DECORATION}|[\[<【(（])[ \t]*(?i:{_END_WORDS})[ \t]*(?:{_DECORATION}|[\]>】)）])"
    rf"|(?:#{{1,6}}[ \t]+)?(?:{_END_WORDS})"
    r"|[-=*_~—―─#【\[]*[ \t]*(?:本文終わり|本文ここまで|記事終わり)[ \t]*[-=*_~—―─#】\]]*"
    r")[ \t]*$",
    re.MULTILINE,
)
# Other leftovers, each a named group; every branch starts with a character, not a look-behind,
# so that the search skips ahead fast (tk and xxx are looked at again in _meant()).
_MARKER = re.compile(
    # tokens of text generators and tags of template languages
    r"(?P<token><\|[\w-]{1,40}\|>|\[/?INST\]|<</?SYS>>|\{\{[^{}\n]{0,80}\}\}|\{%[^%\n]{0,80}%\})"
    # what a writer puts where a fact or a word is still to come
    r"|(?P<placeholder>TKTK(?<![A-Za-z0-9_]TKTK)(?![A-Za-z0-9_])"
    r"|(?:TODO(?<!\wTODO)|FIXME(?<!\wFIXME))(?=[ \t]*(?:[:：]|$))|FIXME(?<!\wFIXME)(?!\w)"
    r"|[Ll](?i:orem\s+ipsum)|〓"
    r"|[\[【（(〔［][ \t]*(?:要確認|要出典|要修正|要調査|確認中|TBD|TODO|TK|ここに(?:入る|記入|挿入)[^\n\]】）)〕］]{0,12})[ \t]*[\]】）)〕］])"
    r"|(?P<tk>TK(?<!\wTK)(?!\w))|(?P<xxx>XXX(?<![A-Za-z0-9_]XXX)X*(?![A-Za-z0-9_]))",
    re.MULTILINE,
)
_PROPER_NOUN_AFTER = re.compile(r"[ \t]+[A-Z][a-z]")
_PROPER_NOUN_BEFORE = re.compile(r"[A-Z][a-z]+[ \t]+$")


def markers(scan: Scan) -> list[Finding]:
    """Leftovers of tools and templates: one finding of each kind a line."""
    found: dict[tuple, Finding] = {}
    matches = [(m, "end_marker") for m in _END_MARKER.finditer(scan.text)]
    matches += [(m, m.lastgroup) for m in _MARKER.finditer(scan.text)]
    for match, kind in matches:
        if kind in ("tk", "xxx"):
            if not _meant(scan.text, match):
                continue
            kind = "placeholder"
        key = (kind, scan.where(match.start()))
        if key not in found:
            found[key] = scan.finding("marker", kind, match.start(), {"found": match.group().strip()})
    return list(found.values())


def _meant(text: str, match: re.Match) -> bool:
    """TK and XXX as placeholders, not in names (TK Maxx) or numerals (Super Bowl XXX)."""
    if match.lastgroup == "tk":
        return not _PROPER_NOUN_AFTER.match(text, match.end())
    return not _PROPER_NOUN_BEFORE.search(text[max(0, match.start() - 30) : match.start()])


# --- duplicate --------------------------------------------------------------------

_MARKUP_PREFIX = re.compile(r"^\s*(?:>\s*)*(?:#{1,6}|[-*+]|\d{1,9}[.)])?\s*", re.MULTILINE)
CANDIDATES = 50  # paragraphs a repeat is looked for in, at most (a bound on pathological input)


def _normal(text: str) -> str:
    """The text as compared for repeats: NFKC, without list, quote or heading marks, without spaces."""
    return "".join(unicodedata.normalize("NFKC", _MARKUP_PREFIX.sub("", text)).split())


def _weight(text: str) -> int:
    if len(text) < REPEAT_WEIGHT // 2:
        return 0  # too short to weigh enough, whatever it is written in
    letters, words = count_letters(text)
    return letters + 2 * words


def duplicates(body: Body) -> list[Finding]:
    """Paragraphs repeated (whole, or inside a longer one) and sentences repeated."""
    blocks = [b for b in body.blocks if b.kind in ("paragraph", "quote", "item")]
    normal = {id(b): _normal(b.text) for b in blocks}
    sentences = {id(b): [(line, text, _normal(text)) for line, text in _sentences(b)] for b in blocks}
    blocks_with_sentence: dict[str, list[Block]] = {}
    for block in blocks:
        for _line, _text, sentence in sentences[id(block)]:
            holders = blocks_with_sentence.setdefault(sentence, [])
            if len(holders) < CANDIDATES and (not holders or holders[-1] is not block):
                holders.append(block)
    found, repeated, seen = [], set(), {}
    for block in blocks:
        text = normal[id(block)]
        if not text:
            continue
        original = seen.setdefault(text, block)
        finding = None
        if original is not block:
            finding = _repeat(block, original, "same_paragraph")
        elif block.kind == "paragraph" and sentences[id(block)]:
            for other in blocks_with_sentence.get(sentences[id(block)][0][2], []):
                if other is not block and other.kind == "paragraph" and len(normal[id(other)]) > len(text):
                    if text in normal[id(other)]:
                        finding = _repeat(block, other, "inner_paragraph")
                        break
        if finding:
            found.append(finding)
            repeated.add(id(block))
    return found + _repeated_sentences(blocks, sentences, repeated)


def _repeat(block: Block, other: Block, kind: str) -> Finding | None:
    weight = _weight(block.text)
    if weight < REPEAT_WEIGHT:
        return None
    boxed = _EMPHASIS_BOX.match(block.text) is not None  # a series box or a credit, set apart on purpose
    heavy = weight >= BLOCKING_REPEAT_WEIGHT or kind == "inner_paragraph"
    severity = BLOCK if heavy and not boxed else WARN
    quote = block.text.strip()[:QUOTE_LENGTH]
    return Finding("duplicate", severity, "body", block.line, kind, {"other": other.line}, quote)


def _repeated_sentences(blocks, sentences, repeated: set[int]) -> list[Finding]:
    seen: dict[str, int] = {}
    found = []
    for block in blocks:
        for line, text, sentence in sentences[id(block)]:
            if sentence in seen and id(block) not in repeated and _weight(text) >= REPEAT_WEIGHT:
                quote = text.strip()[:QUOTE_LENGTH]
                found.append(
                    Finding(
                        "duplicate", WARN, "body", line, "same_sentence", {"other": seen[sentence]}, quote
                    )
                )
            seen.setdefault(sentence, line)  # (only a repeat needs weighing: most sentences come once)
    return found


def _sentences(block: Block):
    """(line, sentence) for each sentence of the block."""
    text, start = block.text, 0
    line_starts = [0]
    for _number, line in block.lines[:-1]:
        line_starts.append(line_starts[-1] + len(line) + 1)
    for end in [match.end() for match in SENTENCE_END.finditer(text)] + [len(text)]:
        sentence = text[start:end]
        if sentence.strip():
            offset = start + len(sentence) - len(sentence.lstrip())
            yield block.lines[bisect.bisect_right(line_starts, offset) - 1][0], sentence
        start = end


# --- brackets ---------------------------------------------------------------------

_PAIRS = {"「": "」", "『": "』", "（": "）", "(": ")", "【": "】", "“": "”"}
_CLOSERS = {closer: opener for opener, closer in _PAIRS.items()}
_BRACKET = re.compile("[「」『』（）()【】“”]")
# "1)" and "a)" enumerate, ":)" smiles: neither closes anything.
_NOT_BRACKETS = re.compile(
    r"(?<![0-9A-Za-z０-９Ａ-Ｚａ-ｚ(（])[0-9０-９]{1,3}[)）]|(?:^|(?<=[\s、。，,:：]))[A-Za-zａ-ｚ][)）]|[:;]-?\)|\(\^+\)"
)


def brackets(name: str, lines, *, continued: bool = False) -> list[Finding]:
    """Unbalanced brackets and quotation marks in one paragraph (or field): `lines` are (line, text)."""
    stack: list[tuple[str, int | None, str]] = []
    open_count: Counter = Counter()
    found, straight = [], 0
    for number, text in lines:
        if ")" in text or "）" in text:
            text = _NOT_BRACKETS.sub(_blank, text)
        straight += text.count('"')
        for match in _BRACKET.finditer(text):
            char, quote = match.group(), _around(text, match.start())
            if char in _PAIRS:
                stack.append((char, number, quote))
                open_count[char] += 1
                continue
            opener = _CLOSERS[char]
            if not open_count[opener]:
                found.append(_unbalanced("unopened", name, char, number, quote))
                continue
            while True:
                left, *where = stack.pop()
                open_count[left] -= 1
                if left == opener:
                    break
                found.append(_unbalanced("unclosed", name, left, *where))
    for left, *where in stack:
        if not (continued and left in "“「『"):
            found.append(_unbalanced("unclosed", name, left, *where))
    if straight % 2:
        first_line, first_text = lines[0]
        quote = "\n".join(text for _n, text in lines).strip()[:QUOTE_LENGTH]
        found.append(Finding("brackets", WARN, name, first_line, "straight_quotes", quote=quote))
    return found


def _unbalanced(kind: str, name: str, bracket: str, line: int | None, quote: str) -> Finding:
    return Finding("brackets", WARN, name, line, kind, {"bracket": bracket}, quote)


# --- width ------------------------------------------------------------------------

_WIDTH_KINDS = [  # (full-width run, half-width run)
    (re.compile(r"[０-９]+"), re.compile(r"[0-9]+")),
    (re.compile(r"[Ａ-Ｚａ-ｚ]+"), re.compile(r"[A-Za-z]+")),
]
_HALF_KANA = re.compile(r"[\uff66-\uff9f]+")
_FULL_KANA = re.compile(r"[\u30a1-\u30fa]")


def widths(scans: list[Scan]) -> list[Finding]:
    """Digits or Latin letters written both full-width and half-width; half-width katakana."""
    found = []
    for full_run, half_run in _WIDTH_KINDS:
        full = next(((scan, m) for scan in scans for m in full_run.finditer(scan.text)), None)
        if full is None:
            continue
        scan, match = full
        same = unicodedata.normalize("NFKC", match.group())
        halves = [m.group() for other in scans for m in half_run.finditer(other.text)]
        if halves:
            half = same if same in halves else halves[0]
            params = {"full": match.group(), "half": half}
            found.append(scan.finding("width", "width", match.start(), params, severity=WARN))
    if any(_FULL_KANA.search(scan.text) for scan in scans):
        for scan in scans:
            match = _HALF_KANA.search(scan.text)
            if match:
                params = {"found": match.group()}
                found.append(scan.finding("width", "half_kana", match.start(), params, severity=WARN))
                break
    return found


# --- alt_text ---------------------------------------------------------------------

_IMAGE = re.compile(r"!\[([^\]\n]{0,300})\][(\[]")
_HTML_IMAGE = re.compile(r"<img\b[^>\n]{0,500}>", re.IGNORECASE)
_ALT = re.compile(r"\balt\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s>]+))", re.IGNORECASE)


def images(body: Body, *, has_hero: bool, hero_alt: str) -> list[Finding]:
    scan, found = body.linked_scan, []
    for match in _IMAGE.finditer(scan.text):
        if not match.group(1).strip():
            found.append(scan.finding("alt_text", "image_alt", match.start(), severity=WARN))
    for match in _HTML_IMAGE.finditer(scan.text):
        alt = _ALT.search(match.group())
        if not alt or not "".join(part or "" for part in alt.groups()).strip():
            quote = match.group()[:QUOTE_LENGTH]
            found.append(scan.finding("alt_text", "image_alt", match.start(), quote=quote, severity=WARN))
    if has_hero and not hero_alt.strip():
        found.append(Finding("alt_text", WARN, "hero_alt", None, "hero_alt"))
    return found


# --- title and excerpt --------------------------------------------------------------

# Search results show about 35 full-width or 70 half-width characters of a
# title, and about 120 full-width or 160 half-width of a description.
TITLE_WIDE, TITLE_NARROW = 35, 70
EXCERPT_WIDE, EXCERPT_NARROW = 120, 160


def _over(text: str, wide_limit: int, narrow_limit: int) -> bool:
    wide = sum(unicodedata.east_asian_width(char) in "WF" for char in text)
    return wide / wide_limit + (len(text) - wide) / narrow_limit > 1


def title_and_excerpt(title: str, typed_excerpt: str) -> list[Finding]:
    found = []
    title = title.strip()
    if not title:
        found.append(Finding("title", WARN, "title", None, "title_empty"))
    elif _over(title, TITLE_WIDE, TITLE_NARROW):
        params = {"wide": TITLE_WIDE, "narrow": TITLE_NARROW}
        found.append(Finding("title", WARN, "title", None, "title_long", params, title[:QUOTE_LENGTH]))
    excerpt = typed_excerpt.strip()
    if excerpt and _over(excerpt, EXCERPT_WIDE, EXCERPT_NARROW):
        params = {"wide": EXCERPT_WIDE, "narrow": EXCERPT_NARROW}
        found.append(
            Finding("excerpt", WARN, "excerpt", None, "excerpt_long", params, excerpt[:QUOTE_LENGTH])
        )
    return found
