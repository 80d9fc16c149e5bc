"""Search for readers: Japanese words of one or two characters as well as longer ones, and English.

Each article keeps `search_text` (its title, excerpt and body as plain text)
and `search_title`, each author `search_name`: NFKC-normalised, case-folded,
ASCII punctuation as spaces (derived on save). A query is read the same way
and split into words; an article matches when every word is in its text, a
tag or an author's name. A word of Latin script matches whole words ("ai" is
not in "said"); Japanese, which has no spaces, matches anywhere. On
PostgreSQL two indexes serve this (migrations 0004, 0005): pg_trgm for words of
three characters and more, and an index of each text's one- and
two-character grams for shorter ones, which trigrams cannot serve (投資,
AI). SQLite reads the table; correct, and fast enough for the archives
SQLite is for.
"""

import unicodedata

from django.db import connection
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from articles.models import Article, Byline, TaggedArticle
from articles.text.rendering import searchable, without_controls

MAX_QUERY = 200  # characters: longer is not a search, it is a paste
MAX_TERMS = 8
INLINE_IDS = 500  # articles found by a tag or an author's name, written into the query up to this many


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
    return (
        having(articles, words)
        .annotate(
            in_title=Case(
                When(_in_title(words), then=Value(1)), default=Value(0), output_field=IntegerField()
            )
        )
        .order_by("-in_title", "-published_at", "-pk")
    )


def having(articles: QuerySet, words: list[str]) -> QuerySet:
    """The articles with every word in their text, a tag or an author's name."""
    for word in words:
        articles = articles.filter(_has(word))
    return articles


def _in_title(words: list[str]) -> Q:
    in_title = Q()
    for word in words:
        in_title &= Q(search_title__contains=_needle(word))
    return in_title


def _has(word: str) -> Q:
    """An article has `word`: in its text, or in a tag or an author's name.

    The tags and authors are small tables, read first (one query): what
    remains is one condition on the articles table that its indexes answer,
    or that is cheap to check row by row when most articles match.
    """
    needle = _needle(word)
    in_text = Q(search_text__contains=needle)
    if connection.vendor == "postgresql" and len(word) <= 2:
        # The grams answer what a LIKE on a short word would read every text for. A Japanese
        # word is among an article's grams exactly when it is in its text; a Latin one must
        # also stand whole ("ai" is a gram of "said"), which the LIKE then checks.
        in_text = Q(search_grams__has=word) & (in_text if word.isascii() else Q())
    tagged = TaggedArticle.objects.filter(tag__key__contains=word).values_list("content_object", flat=True)
    written = Byline.objects.filter(author__search_name__contains=needle).values_list("article", flat=True)
    also = tagged.order_by().union(written.order_by())
    found = list(also[: INLINE_IDS + 1])
    if not found:
        return in_text
    if len(found) <= INLINE_IDS:
        return in_text | Q(pk__in=found)  # a list the primary key's index answers beside the others
    return in_text | Q(pk__in=tagged) | Q(pk__in=written)  # many: left to the database


class Results:
    """A search's matches as the paginator reads them: titles with every word first, then the newest.

    Ranking every match first would read all of them, most of the archive
    for a common word. Here the articles whose titles have the words and the
    others are each read newest first, only as far as the page asked for;
    the paginator's count stops one past the last page.
    """

    model = Article

    def __init__(self, words: list[str]):
        self.matches = having(Article.objects.published(), words)
        in_title = _in_title(words)
        self.titled = self.matches.filter(in_title).order_by("-published_at", "-pk")
        self.others = self.matches.exclude(in_title).order_by("-published_at", "-pk")

    def count_up_to(self, limit: int) -> int:
        # Newest first: the publication-time index stops the count at `limit` matches.
        return self.matches.order_by("-published_at")[:limit].count()

    def __getitem__(self, window: slice) -> list:
        start, stop = window.start or 0, window.stop
        ids = list(self.titled.values_list("pk", flat=True)[:stop])
        if len(ids) < stop:
            ids += self.others.values_list("pk", flat=True)[: stop - len(ids)]
        shown = ids[start:stop]
        found = {article.pk: article for article in Article.objects.filter(pk__in=shown).summarized()}
        return [found[pk] for pk in shown if pk in found]  # one unpublished meanwhile is left out


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
