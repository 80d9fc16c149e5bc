"""What the pages show of articles, authors, tags, sections and dates: plain values (Link, Time,
a dict per article of a list) that templates read without calling methods."""

from datetime import date
from functools import cached_property, lru_cache
from typing import TypedDict

from django.urls import get_script_prefix, reverse
from django.utils import dateformat, timezone
from django.utils.formats import get_format
from django.utils.translation import get_language, ngettext

from articles.models import Named


# Dictionaries, not named tuples: a template finds a key on its first try, an attribute on its
# second (after a failed lookup by key), and a list page reads a few hundred of them.
class Link(TypedDict):
    url: str
    text: str


class Time(TypedDict):
    """A moment as a <time> element gives it: its datetime attribute and its text."""

    iso: str
    day: str


class Related(TypedDict):
    url: str
    title: str
    published: Time | None


class Drawing:
    """The addresses, zone, date format and language of the page being drawn."""

    @cached_property
    def zone(self):
        return timezone.get_current_timezone()

    @cached_property
    def date_format(self) -> str:
        return get_format("DATE_FORMAT")

    @cached_property
    def language(self) -> str:
        return get_language()

    @cached_property
    def script_prefix(self) -> str:
        return get_script_prefix()

    def url(self, item) -> str:
        """An author's, tag's or section's address: its get_absolute_url(), or a Named's page."""
        if isinstance(item, Named):
            return owner_url(self.script_prefix, item.kind, item.slug)
        return item.get_absolute_url()

    def article_url(self, article) -> str:
        return article.get_absolute_url()

    def links(self, items) -> list[Link]:
        """Each author, tag or section (a model instance or a Named) as a link to its page, named."""
        return [Link(url=self.url(item), text=item.name) for item in items]

    def local(self, moment):
        return moment.astimezone(self.zone)

    def iso(self, moment) -> str:
        """Local, to the second, with its offset (as seo.iso())."""
        return self.local(moment).replace(microsecond=0).isoformat()

    def day(self, moment) -> str:
        """The local date, as the `date` filter writes it with DATE_FORMAT."""
        return day(self.local(moment).date(), self.date_format, self.language)

    def time(self, moment) -> Time | None:
        return Time(iso=self.iso(moment), day=self.day(moment)) if moment else None

    def summary(self, article) -> dict:
        """What a list shows of an article (templates/articles/_summary.html), its `links` read
        by ArticleQuerySet.show()."""
        return {
            "url": self.article_url(article),
            "title": article.title,
            "byline": self.links(article.links.byline),
            "published": self.time(article.published_at),
            # As the article page's {% blocktranslate count %} says it (the same catalogue entry).
            "reading": ngettext("%(minutes)s min read", "%(minutes)s min read", article.reading_time)
            % {"minutes": article.reading_time},
            "excerpt": article.excerpt,
            "tags": self.links(article.links.tags),
        }

    def article(self, article, *, neighbours: tuple, related: list) -> dict:
        """What the article page shows of `article` beyond its own fields: links, times, neighbours
        (its `links` read by ArticleQuerySet.show(..., sections=True))."""
        previous, following = neighbours
        return {
            "sections": self.links(article.links.sections),
            "byline": self.links(article.links.byline),
            "tags": self.links(article.links.tags),
            "published": self.time(article.published_at),
            "revised": self.time(article.revised_at),
            "related": [
                Related(url=a.url, title=a.title, published=self.time(a.published_at)) for a in related
            ],
            "previous": Link(url=previous.url, text=previous.title) if previous else None,
            "next": Link(url=following.url, text=following.title) if following else None,
        }


# A day's date, written once per format and language: pages repeat them. The day is already the
# site's local one. It is a date, so DATE_FORMAT may hold no time of day (Django's never does).
@lru_cache(maxsize=10_000)
def day(local_day: date, date_format: str, language: str) -> str:
    """The date as DATE_FORMAT writes it in `language` (the active one: month names are translated)."""
    return dateformat.format(local_day, date_format)


# An author's, tag's or section's page, by the script prefix the site is served under: lists
# repeat the same few hundred names, and Django's reverse() is a large part of drawing a list.
@lru_cache(maxsize=10_000)
def owner_url(script_prefix: str, kind: str, slug: str) -> str:
    return reverse(f"articles:{kind}", kwargs={"slug": slug})
