"""The summaries of a list of articles (home, author, tag, section, archive, search), drawn for speed.

A list shows twenty summaries, each with a byline and tags. Loaded through
prefetches and drawn with the template engine, one such page cost about 45 ms
of CPU, most of it per-object machinery rather than queries. Here a page of
articles gets its bylines and tags in one more query (loading.attach()), and
each summary is written out in Python, every piece of text escaped, with what
the twenty share worked out once: about a millisecond for the page.
"""

from html import escape

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext, pgettext

from . import links, search
from .drawing import Drawing, day


def summaries(articles, words=()) -> SafeString:
    """The summaries of `articles` (from `summarized()` or loading.PublicList), search words marked."""
    page = _Page(words)
    return mark_safe("".join(_summary(article, page) for article in articles))  # noqa: S308 - escaped there


class _Page(Drawing):
    """What the summaries of one list share, worked out once rather than twenty times."""

    def __init__(self, words):
        super().__init__()
        self.words = list(words)
        self.between = escape(pgettext("between names in a byline", ", "))
        self.tags_label = escape(gettext("Tags"))
        self.readings = {}
        self.shown = {}  # an author's or tag's link, written once for all the summaries it is on

    def author(self, author) -> str:
        key = (0, author.slug, author.name)
        if key not in self.shown:
            url = escape(self.address("articles:author", slug=author.slug))
            self.shown[key] = f'<a href="{url}" rel="author">{escape(author.name)}</a>'
        return self.shown[key]

    def tag(self, tag) -> str:
        key = (1, tag.slug, tag.name)
        if key not in self.shown:
            url = escape(self.address("articles:tag", slug=tag.slug))
            self.shown[key] = f'<li><a href="{url}" rel="tag">{escape(tag.name)}</a></li>'
        return self.shown[key]

    def reading(self, minutes: int) -> str:
        if minutes not in self.readings:
            text = ngettext("%(minutes)s min read", "%(minutes)s min read", minutes) % {"minutes": minutes}
            self.readings[minutes] = escape(text)
        return self.readings[minutes]


def _summary(article, page: _Page) -> str:
    """One summary, every piece of text escaped."""
    byline = page.between.join([page.author(author) for author in article.byline()])
    excerpt = search.highlight(article.excerpt, page.words) if page.words else escape(article.excerpt)
    tags = ""
    if article.tag_list():
        items = "".join([page.tag(tag) for tag in article.tag_list()])
        tags = f'\n  <ul class="tags" aria-label="{page.tags_label}">\n  {items}\n</ul>\n'
    local = page.local(article.published_at)
    url = links.article_address(local, article.slug, page.address)
    return (
        f'<article class="summary">\n'
        f'  <h2><a href="{escape(url)}">{escape(article.title)}</a></h2>\n'
        f'  <p class="meta">\n'
        f'    <span class="byline">{byline}</span>\n'
        f'    · <time datetime="{page.iso(local)}">'
        f"{escape(day(local.date(), page.date_format, page.language))}</time>\n"
        f"    · {page.reading(article.reading_time)}\n"
        f"  </p>\n"
        f'  <p class="excerpt">{excerpt}</p>\n'
        f"  {tags}</article>\n"
    )
