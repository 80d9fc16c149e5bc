"""Reading an article's text for the copy desk: everything that can be told from the text alone.

Each check reads what reading.py made of the text (a Scan of its fields, a
Body) and returns `Finding`s; `copydesk.py` adds what needs the database
(links) and keeps the findings with the article.
"""

import bisect
import re
import unicodedata
from collections import Counter

from articles.text.reading import (
    BLOCK,
    BLOCKING_REPEAT_WEIGHT,
    EMPHASIS_BOX,
    QUOTE_LENGTH,
    REPEAT_WEIGHT,
    WARN,
    Block,
    Body,
    Finding,
    Scan,
    around,
    blank,
)
from articles.text.rendering import SENTENCE_END, count_letters

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
            quote = around(raw, offset).replace(match.group(), "\u2423")
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
    boxed = EMPHASIS_BOX.match(block.text) is not None  # a series box or a credit, set apart on purpose
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
            text = _NOT_BRACKETS.sub(blank, text)
        straight += text.count('"')
        for match in _BRACKET.finditer(text):
            char, quote = match.group(), around(text, match.start())
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
