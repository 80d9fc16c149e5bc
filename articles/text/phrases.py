"""Japanese headlines cut into phrases (文節), where a line of them may break.

Japanese has no spaces: left to itself a browser breaks a line between any two
characters, inside words (「刷／新」, 「港／町市」). BudouX, Google's phrase
segmenter, finds the phrases; the `phrases` template filter puts a <wbr>
between them, and site.css tells the browser to break there only.
"""

import re
from functools import lru_cache

import budoux

PARSER = budoux.load_default_japanese_parser()

# Kana and kanji (half-width kana too): the text is Japanese. An English headline is left whole:
# it breaks at its spaces, and the Japanese model has nothing to say about it.
JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff66-\uff9f]")
# Digits and Latin letters, half- and full-width: BudouX may cut a number or a word of them
# ("202｜6年"), which is never a phrase's end.
ALPHANUMERIC = re.compile(r"[0-9A-Za-z０-９Ａ-Ｚａ-ｚ]")


def is_japanese(text: str) -> bool:
    return JAPANESE.search(text) is not None


# Headlines are shown again and again (lists, related articles, the front page), and BudouX takes
# some 40 µs for one of 25 characters: each is segmented once a process.
@lru_cache(maxsize=10_000)
def phrases(text: str) -> tuple[str, ...]:
    """`text` as its phrases, in order (joined, they are `text`); one piece if it is not Japanese."""
    if not is_japanese(text):
        return (text,)
    found = []
    for chunk in PARSER.parse(text):
        if found and ALPHANUMERIC.match(found[-1][-1]) and ALPHANUMERIC.match(chunk[0]):
            found[-1] += chunk
        else:
            found.append(chunk)
    return tuple(found)
