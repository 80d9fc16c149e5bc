"""How the copy desk reads a text: findings, and a body read line by line, code apart from prose.

A body is read line by line, code apart from prose, and the prose grouped
into blocks (paragraphs, list items, quotes, headings, table rows).
proofreading.py runs the checks on what is read here.
"""

import bisect
import re
from dataclasses import asdict, dataclass, field

from django.utils.translation import gettext_lazy as _

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


def around(text: str, position: int) -> str:
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
        quote = around(raw, offset) if quote is None else quote
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
EMPHASIS_BOX = re.compile(r"^\s*([*_]{1,3})\S.*\S\1\s*$", re.DOTALL)


def blank(match: re.Match) -> str:
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
            linked = _INLINE_CODE.sub(blank, line)
            prose = _LINK_TARGET.sub(blank, linked)
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
