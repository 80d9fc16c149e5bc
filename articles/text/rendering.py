"""Markdown to safe HTML, excerpts and reading time.

Everything here runs when an article is saved (and for the editor's preview),
never per public request.
"""

import html
import math
import operator
import re
import threading
import unicodedata
from dataclasses import dataclass
from html.parser import HTMLParser

import markdown
import nh3
from markdown.extensions.toc import slugify_unicode

MARKDOWN_EXTENSIONS = ["fenced_code", "tables", "sane_lists", "toc"]
MARKDOWN_CONFIG = {"toc": {"slugify": slugify_unicode, "permalink": False}}

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "dd", "del", "details",
    "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr",
    "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "rp", "rt", "ruby",
    "s", "small", "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot",
    "th", "thead", "tr", "u", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "code": {"class"},
    "td": {"align", "colspan", "rowspan"},
    "th": {"align", "colspan", "rowspan", "scope"},
    "ol": {"start"},
    **{f"h{level}": {"id"} for level in range(1, 7)},
}
URL_SCHEMES = {"http", "https", "mailto"}
_CODE_CLASS = re.compile(r"^language-[\w+#.-]{1,40}$")


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    # Code blocks keep only their `language-…` class; no other class survives.
    if attribute == "class":
        return value if tag == "code" and _CODE_CLASS.match(value) else None
    return value


# Characters no XML 1.0 document may hold, however escaped; an HTML page holding one is in error too.
NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def sanitize(html: str) -> str:
    """Keep the allow-listed tags, attributes and URL schemes; drop the rest.

    Characters XML forbids are dropped too (the copy desk refuses them in a
    text to publish): the feeds then carry the HTML as it is stored.
    """
    return NOT_IN_XML.sub("", _clean(html))


def _clean(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_filter_attribute,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


_local = threading.local()


def _converter() -> markdown.Markdown:
    # Setting up the extensions costs more than converting a short text;
    # keep one converter a thread, reset between texts.
    if not hasattr(_local, "converter"):
        _local.converter = markdown.Markdown(
            extensions=MARKDOWN_EXTENSIONS, extension_configs=MARKDOWN_CONFIG
        )
    return _local.converter.reset()


def render_markdown(text: str) -> str:
    """Render Markdown to HTML that is safe to show as is."""
    return sanitize(_converter().convert(text or ""))


@dataclass(frozen=True)
class Rendered:
    """A body rendered, and what follows from it; made on save, or ahead of it by the importer."""

    source: str
    html: str
    reading_time: int
    text: str  # what readers read of it, as plain text (for search)
    excerpt: str  # the excerpt it gives when the article has none of its own


def render(text: str) -> Rendered:
    """Render a body; count its reading time (of the text readers see) and cut its excerpt."""
    rendered = render_markdown(text)
    shown = html.unescape(plain_text(rendered))
    return Rendered(text, rendered, reading_time(shown), shown, make_excerpt(rendered))


# --- Counting Japanese and English text -------------------------------------

# Letters of Japanese (and Chinese) writing: kana, kanji and the iteration
# mark. Punctuation does not count as reading.
_CJK_LETTER = re.compile(
    "[\u3005\u3040-\u309f\u30a0-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f]"
)
# A word of Latin-script text (numbers count as words too).
_LATIN_WORD = re.compile(r"[^\W\u3005\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff\uff66-\uff9f]+")

CJK_CHARS_PER_MINUTE = 600
LATIN_WORDS_PER_MINUTE = 230


def count_letters(text: str) -> tuple[int, int]:
    """(CJK letters, words of Latin script) in `text`."""
    plain = unicodedata.normalize("NFKC", text or "")
    return len(_CJK_LETTER.findall(plain)), len(_LATIN_WORD.findall(plain))


def reading_time(text: str) -> int:
    """Minutes to read `text`: CJK letters at 600 a minute plus words at 230."""
    letters, words = count_letters(text)
    return max(1, math.ceil(letters / CJK_CHARS_PER_MINUTE + words / LATIN_WORDS_PER_MINUTE))


# --- Excerpts ---------------------------------------------------------------

EXCERPT_CJK_CHARS = 120
EXCERPT_WORDS = 50
ELLIPSIS = "…"
SENTENCE_END = re.compile(r"[。！？!?]+[」』）)\"'”’]*|\.[\"'”’)]*(?=\s|$)")


class _FirstParagraph(HTMLParser):
    """Collect the text of the first non-empty <p>, and where its links lie."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[tuple[int, int]] = []
        self._depth = 0
        self._link_start: int | None = None
        self.done = False

    @property
    def text(self) -> str:
        return "".join(self.parts)

    def handle_starttag(self, tag, attrs):
        if self.done:
            return
        if tag == "p":
            self._depth += 1
        elif tag == "a" and self._depth:
            self._link_start = len(self.text)
        elif tag == "br" and self._depth:
            self.parts.append(" ")

    def handle_endtag(self, tag):
        if self.done or not self._depth:
            return
        if tag == "a" and self._link_start is not None:
            self.links.append((self._link_start, len(self.text)))
            self._link_start = None
        elif tag == "p":
            self._depth -= 1
            if self.text.strip():
                self.done = True
            else:
                self.parts, self.links = [], []

    def handle_data(self, data):
        if self._depth and not self.done:
            self.parts.append(data)


def _weight(text: str) -> float:
    """How much of the excerpt budget `text` uses (1.0 is the whole budget)."""
    return len(_CJK_LETTER.findall(text)) / EXCERPT_CJK_CHARS + len(_LATIN_WORD.findall(text)) / EXCERPT_WORDS


def _inside_link(position: int, links: list[tuple[int, int]]) -> bool:
    return any(start < position < end for start, end in links)


def _safe_cut(text: str, position: int) -> int:
    """Step back so that a cut never splits a character from its marks."""
    while 0 < position < len(text) and (
        unicodedata.combining(text[position])
        or text[position] in "\u200d\ufe0e\ufe0f"
        or "\U0001f3fb" <= text[position] <= "\U0001f3ff"
        or text[position - 1] == "\u200d"
    ):
        position -= 1
    return position


def _hard_cut(text: str, links: list[tuple[int, int]]) -> int:
    """The longest cut within budget at a word or character boundary, outside links."""
    best = 0
    for match in re.finditer(r"\s+|(?<=[\u3000-\u9fff\uff00-\uffef])", text):
        position = _safe_cut(text, match.start())
        if _weight(text[:position]) > 1.0:
            break
        if position and not _inside_link(position, links):
            best = position
    return best


def make_excerpt(html: str) -> str:
    """Plain-text excerpt from rendered HTML: its first paragraph, cut at a sentence end.

    The budget is about 120 CJK characters or about 50 English words (mixed
    text uses both). When the first sentence alone is too long, the text is
    cut at a word or character boundary and ends with an ellipsis.
    """
    parser = _FirstParagraph()
    parser.feed(html or "")
    raw = parser.text
    text = re.sub(r"\s+", " ", raw).strip()
    if text != raw:  # whitespace was folded: link positions no longer apply
        links = _relocate_links(raw, text, parser.links)
    else:
        links = parser.links
    if not text or _weight(text) <= 1.0:
        return text
    cut = 0
    for match in SENTENCE_END.finditer(text):
        if _weight(text[: match.end()]) > 1.0:
            break
        if not _inside_link(match.end(), links):
            cut = match.end()
    if cut:
        return text[:cut].strip()
    cut = _hard_cut(text, links) or _after_crossing_link(text, links) or _hard_cut(text, [])
    return text[:cut].rstrip(" 、,，;；:：") + (ELLIPSIS if cut < len(text) else "")


def _after_crossing_link(text: str, links: list[tuple[int, int]]) -> int:
    """The end of the link that runs past the budget, when keeping it whole costs at most double."""
    for _start, end in links:
        if _weight(text[:end]) > 1.0:
            return end if _weight(text[:end]) <= 2.0 else 0
    return 0


def _relocate_links(raw: str, text: str, links: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Map link spans in `raw` onto `text`, where whitespace runs were folded."""
    mapping, out = [], 0
    leading = len(raw) - len(raw.lstrip())
    previous_space = False
    for index, char in enumerate(raw):
        mapping.append(out)
        if index < leading:
            continue
        if char.isspace():
            if not previous_space:
                out += 1
            previous_space = True
        else:
            out += 1
            previous_space = False
    mapping.append(min(out, len(text)))
    return [(mapping[start], mapping[end]) for start, end in links]


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def without_controls(text: str) -> str:
    """The text with control characters as spaces, and runs of spaces as one."""
    return " ".join(_CONTROL.sub(" ", text or "").split())


def fold(text: str) -> str:
    """Text as search compares it: NFKC (ＡＩ is AI, ｶﾀｶﾅ is カタカナ), case-folded, spaces collapsed."""
    return " ".join(unicodedata.normalize("NFKC", without_controls(text)).casefold().split())


# Latin-script punctuation: search reads words of Latin script whole, between spaces.
_ASCII_PUNCTUATION = re.compile(r"[!-/:-@\[-`{-~]")
# Where Latin script meets Japanese ("AI企業"): a word boundary, though no space is written.
_SCRIPT_CHANGE = re.compile(r"(?<=[a-z0-9])(?=[^\x00-\x7f])|(?<=[^\x00-\x7f])(?=[a-z0-9])")


def searchable(*texts: str) -> str:
    """What search reads of texts: folded, ASCII punctuation as spaces, a space at each end."""
    words = _SCRIPT_CHANGE.sub(" ", _ASCII_PUNCTUATION.sub(" ", fold("\n".join(texts)))).split()
    return f" {' '.join(words)} "


def article_searchable(title: str, excerpt: str, body_html: str, *, body_text: str | None = None) -> str:
    """An article's title, excerpt and body as readers see them, for search.

    `body_text` is the body's plain text, when render() has it already.
    """
    return searchable(
        title, excerpt, html.unescape(plain_text(body_html)) if body_text is None else body_text
    )


MAX_GRAMS = 60_000


def grams(search_text: str) -> str:
    """The distinct two-character pieces of each word of a search text, and its non-ASCII characters.

    What PostgreSQL indexes for Japanese words (投資, 港; see search.py),
    written as a tsvector of quoted lexemes: PostgreSQL keeps it sorted, so
    that checking a row for a piece is a binary search, and knows how common
    each piece is. Worked out here, once per save, because SQL took about
    10 ms an article to split a text into characters.
    """
    kept = _pieces(search_text.split())
    # PostgreSQL refuses a tsvector over 1 MB; a text varied enough to come near is searched by
    # its first pieces (sorted, so that the same text always keeps the same ones).
    if len(kept) > MAX_GRAMS:
        kept = sorted(kept)[:MAX_GRAMS]
    return " ".join(lexeme(gram) for gram in kept)


def _pieces(words) -> set[str]:
    found = set()
    for word in set(words):
        found.update(map(operator.add, word, word[1:]))
        found.update(word)
    return {gram for gram in found if len(gram) == 2 or not gram.isascii()}


MAX_WORD = 100  # characters: a longer run of Latin letters is not looked for as a word
MAX_WORDS = 8_000  # of MAX_WORD characters at most: a tsvector under PostgreSQL's 1 MB
TITLE = "#"  # marks a piece of the title among an article's words (punctuation, which no word holds)


def words(search_text: str, search_title: str) -> str:
    """The words of Latin script of a search text, and the pieces of its title marked TITLE.

    What PostgreSQL indexes for search beside the grams (a tsvector of
    quoted lexemes): each Latin word of the text whole (harbour, ai), and of
    the title its Latin words whole and its other words' pieces as grams()
    cuts them (#harbour, #投資, #投). PostgreSQL keeps how common each lexeme
    is: a common word or a title's is then read newest first and a rare one
    from the index, where a LIKE on the text is always taken for rare.
    """
    latin = sorted({word for word in search_text.split() if _latin_word(word)})[:MAX_WORDS]
    title = search_title.split()
    marked = {word for word in title if _latin_word(word)} | _pieces(w for w in title if not w.isascii())
    return " ".join([*map(lexeme, latin), *(lexeme(TITLE + piece) for piece in sorted(marked))])


def _latin_word(word: str) -> bool:
    """A word search looks for whole (single letters and digits are no search words)."""
    return word.isascii() and 1 < len(word) <= MAX_WORD


def lexeme(text: str) -> str:
    """`text` as one quoted lexeme of a tsvector or tsquery."""
    return "'" + text.replace("\\", "\\\\").replace("'", "''") + "'"


def plain_text(html: str) -> str:
    """The visible text of an HTML fragment, for counting words."""
    return nh3.clean(html or "", tags=set())
