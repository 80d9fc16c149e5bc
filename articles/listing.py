"""Lists of articles (home, author, tag, section, archive, search): loaded and drawn for speed.

A list shows twenty summaries, each with a byline and tags. Loaded through
prefetches and drawn with the template engine, one such page cost about 45 ms
of CPU, most of it per-object machinery rather than queries. Here a page of
articles gets its bylines and tags in one more query (loading.attach()), and
each summary is written out in Python with every piece of text escaped: about
2 ms for the same page. The
markup is the one `_article_summary` had; the article page keeps its
templates.
"""

from html import escape

from django.db.models.query import ModelIterable
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext, pgettext

from . import links, search, seo
from .loading import attach


class SummaryIterable(ModelIterable):
    """Articles with their byline and tags (loading.attach(), one query for the page)."""

    def __iter__(self):
        yield from attach(list(super().__iter__()))


def summaries(articles, words=()) -> SafeString:
    """The summaries of `articles` (from `summarized()`), search words marked in the excerpts."""
    between = escape(pgettext("between names in a byline", ", "))
    tags_label = escape(gettext("Tags"))
    address = links.addresser()
    return mark_safe(  # noqa: S308 - every piece of text is escaped in _summary()
        "".join(_summary(article, words, between, tags_label, address) for article in articles)
    )


def _summary(article, words, between, tags_label, address) -> str:
    byline = between.join(
        f'<a href="{escape(address("articles:author", slug=author.slug))}" rel="author">{escape(author.name)}</a>'
        for author in article.loaded_byline
    )
    minutes = article.reading_time
    reading = ngettext("%(minutes)s min read", "%(minutes)s min read", minutes) % {"minutes": minutes}
    excerpt = search.highlight(article.excerpt, list(words)) if words else escape(article.excerpt)
    tags = ""
    if article.loaded_tags:
        items = "".join(
            f'<li><a href="{escape(address("articles:tag", slug=tag.slug))}" rel="tag">{escape(tag.name)}</a></li>'
            for tag in article.loaded_tags
        )
        tags = f'\n  <ul class="tags" aria-label="{tags_label}">\n  {items}\n</ul>\n'
    return (
        f'<article class="summary">\n'
        f'  <h2><a href="{escape(article.get_absolute_url())}">{escape(article.title)}</a></h2>\n'
        f'  <p class="meta">\n'
        f'    <span class="byline">{byline}</span>\n'
        f'    · <time datetime="{seo.iso(article.published_at)}">'
        f"{escape(date_format(timezone.localtime(article.published_at), 'DATE_FORMAT'))}</time>\n"
        f"    · {escape(reading)}\n"
        f"  </p>\n"
        f'  <p class="excerpt">{excerpt}</p>\n'
        f"  {tags}</article>\n"
    )
