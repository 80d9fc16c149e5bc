"""Search for readers: Japanese words of one or two characters as well as longer ones, and English.

Each article keeps `search_text` (its title, excerpt and body as plain text)
and `search_title`, each author `search_name`: NFKC-normalised, case-folded,
ASCII punctuation as spaces (derived on save). A query is read the same way
and split into words; an article matches when every word is in its text, a
tag or an author's name. A word of Latin script matches whole words ("ai" is
not in "said"); Japanese, which has no spaces, matches anywhere. Titles with
every word come first, then the newest.

On PostgreSQL two indexed tsvectors answer (migrations 0005, 0020): the
text's grams (its characters and two-character pieces: 投資, 港) and its
words (its Latin words whole, and its title's words and pieces marked). A
tsvector's lexemes come with statistics of how common each is, so the
planner reads a common word's articles newest first and stops, and a rare
one's from the index; a LIKE on the text, which it takes for rare whatever
the word, made it read all the matches of a common one. SQLite reads the
table; correct, and fast enough for the archives SQLite is for.
"""

import itertools
import unicodedata

from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection
from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import StrIndex
from django.db.models.lookups import GreaterThan
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from articles.models import Article, Byline, TaggedArticle
from articles.models.fields import Among
from articles.text.rendering import TITLE, searchable, without_controls

MAX_QUERY = 200  # characters: longer is not a search, it is a paste
MAX_TERMS = 8
NEWEST = ("-published_at", "-pk")


def shown(query: str) -> str:
    """The query as the page repeats it: without control characters."""
    return without_controls(query)


def terms(query: str) -> list[str]:
    """The words of a query, folded, each once; single Latin letters and digits are dropped."""
    words = dict.fromkeys(searchable(query).split())
    return [word for word in words if len(word) > 1 or not word.isascii()][:MAX_TERMS]


def _needle(word: str) -> str:
    """What to look for: a word of Latin script whole (the texts have a space around each word)."""
    return f" {word} " if word.isascii() else word


def matching(articles: QuerySet, words: list[str]) -> QuerySet:
    """The articles that have every word, titles that have them all first, then the newest."""
    return having(articles, words).annotate(in_title=_title_first(words)).order_by("-in_title", *NEWEST)


def having(articles: QuerySet, words: list[str]) -> QuerySet:
    """The articles with every word in their text, a tag or an author's name."""
    for word in words:
        articles = articles.filter(_has(word))
    return articles


def _has(word: str) -> Q:
    """An article has `word`: in its text, or in a tag or an author's name (no query of its own)."""
    tagged = TaggedArticle.objects.filter(tag__key__contains=word).order_by().values("content_object")
    written = Byline.objects.filter(author__search_name__contains=_needle(word)).order_by().values("article")
    return _in_text(word, "search_text") | _among(tagged) | _among(written)


def _in_title(words: list[str]) -> Q:
    in_title = Q()
    for word in words:
        in_title &= _in_text(word, "search_title")
    return in_title


def _title_first(words: list[str]) -> Case:
    return Case(When(_in_title(words), then=Value(1)), default=Value(0), output_field=IntegerField())


def _in_text(word: str, text: str) -> Q:
    """`word` is in the article's `text` (search_text or search_title), as an index can tell."""
    if connection.vendor != "postgresql":
        return Q(**{f"{text}__contains": _needle(word)})
    mark = TITLE if text == "search_title" else ""
    if word.isascii():  # a Latin word, whole
        return Q(search_words__has=mark + word)
    pieces = "search_words" if mark else "search_grams"
    if len(word) <= 2:  # a Japanese word is among the pieces exactly when it is in the text
        return Q(**{f"{pieces}__has": mark + word})
    # A longer one has every two-character piece of it there (what the index and the statistics
    # answer), and then the word itself. (STRPOS rather than LIKE: the planner's guess for a LIKE
    # would take every word for rare.)
    every_piece = [mark + a + b for a, b in itertools.pairwise(word)]
    return Q(**{f"{pieces}__has_all": every_piece}) & Q(GreaterThan(StrIndex(text, Value(word)), 0))


def _among(ids: QuerySet) -> Q:
    """The article is one of `ids` (a queryset of article ids), read first: on PostgreSQL as an
    array (= ANY(ARRAY(...))), which its primary key's index answers beside the text's in an OR,
    where IN (SELECT ...) would be checked row by row."""
    if connection.vendor != "postgresql":
        return Q(pk__in=ids)
    return Q(Among(F("pk"), ArraySubquery(ids)))


class Results:
    """A search's matches as the paginator reads them: titles with every word first, then the newest.

    Ranking every match first would read all of them, most of the archive
    for a common word. The count reads the newest matches' ids (up to one
    past the last page) and keeps them. A page then reads, in one query, the
    matches with every word in the title, newest first and only as far as
    the page's end, and the newest matches as far as its end: when fewer
    titled ones than that come first, the others it shows are among those.
    """

    model = Article

    def __init__(self, words: list[str]):
        self.words = words
        self.matches = having(Article.objects.published(), words)
        self.newest, self.read = [], 0  # the ids of the newest matches, up to `read` of them

    def count_up_to(self, limit: int) -> int:
        # Newest first: a common word's walk of the publication-time index stops at `limit`.
        self.newest = list(self.matches.order_by(*NEWEST).values_list("pk", flat=True)[:limit])
        self.read = limit
        return len(self.newest)

    def __getitem__(self, window: slice) -> list:
        start, stop = window.start or 0, window.stop
        if self.read < stop:  # not counted (the paginator counts first)
            self.count_up_to(stop)
        titled = self.matches.filter(_in_title(self.words)).order_by(*NEWEST).values("pk")[:stop]
        page = Article.objects.published().filter(_among(titled) | Q(pk__in=self.newest[:stop]))
        shown = page.summarized().annotate(in_title=_title_first(self.words))
        return list(shown.order_by("-in_title", *NEWEST)[start:stop])


_JOINING = "\u3099\u309a\uff9e\uff9f"  # voicing marks that NFKC joins to the kana before them


def highlight(text: str, words: list[str]) -> SafeString:
    """`text`, escaped, with each word marked where search would find it (width and case ignored)."""
    folded, origin = [], []
    index = 0
    while index < len(text):
        end = index + 1
        while end < len(text) and (unicodedata.combining(text[end]) or text[end] in _JOINING):
            end += 1
        for part in unicodedata.normalize("NFKC", text[index:end]).casefold():
            folded.append(part)
            origin.append((index, end))
        index = end
    folded = "".join(folded)
    spans = []
    for word in words:
        start = folded.find(word)
        while start >= 0:
            stop = start + len(word)
            whole = not word.isascii() or (
                (start == 0 or not _latin(folded[start - 1]))
                and (stop == len(folded) or not _latin(folded[stop]))
            )
            if whole:
                spans.append((origin[start][0], origin[stop - 1][1]))
            start = folded.find(word, stop)
    out, position = [], 0
    for start, end in _merged(spans):
        out += [escape(text[position:start]), "<mark>", escape(text[start:end]), "</mark>"]
        position = end
    out.append(escape(text[position:]))
    return mark_safe("".join(out))  # noqa: S308 - every piece of text was escaped above


def _latin(char: str) -> bool:
    return char.isascii() and char.isalnum()


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged
