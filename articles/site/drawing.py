"""What the pages show of articles, authors, tags, sections and dates: plain values (Link, Time,
a dict per article of a list) that templates read without calling methods."""

from functools import cached_property, lru_cache
from typing import TypedDict

from django.urls import get_script_prefix, reverse
from django.utils import dateformat, timezone
from django.utils.formats import get_format
from django.utils.translation import get_language_info, ngettext

from articles.models import Named
from articles.site import pictures


# Dictionaries, not named tuples: a template finds a key on its first try, an attribute on its
# second (after a failed lookup by key), and a list page reads a few hundred of them.
class Link(TypedDict):
    url: str
    text: str


class Time(TypedDict):
    """A moment as a <time> element gives it: its datetime attribute and its text (date and time of
    day, as a news site dates what it publishes)."""

    iso: str
    text: str


class Related(TypedDict):
    url: str
    title: str
    published: Time | None
    language: str  # its text's: marked when not the page's


class Neighbour(TypedDict):
    url: str
    text: str
    language: str


class Drawing:
    """The addresses, zone and date format of the page being drawn."""

    @cached_property
    def zone(self):
        return timezone.get_current_timezone()

    @cached_property
    def datetime_format(self) -> str:
        """The active language's (newsroom/formats/)."""
        return get_format("DATETIME_FORMAT")

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

    def text(self, moment) -> str:
        """The local date and time, as the `date` filter writes them with DATETIME_FORMAT."""
        return dateformat.format(self.local(moment), self.datetime_format)

    def time(self, moment) -> Time | None:
        return Time(iso=self.iso(moment), text=self.text(moment)) if moment else None

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
            "language": article.language,
            "tags": self.links(article.links.tags),
            "thumb": pictures.thumbnail(article),  # its image, small (templates/articles/_picture.html)
        }

    def article(self, article, *, neighbours: tuple, related: list) -> dict:
        """What the article page shows of `article` beyond its own fields: links, times, neighbours
        (its `links` read by ArticleQuerySet.show(..., sections=True))."""
        previous, following = neighbours
        return {
            "sections": self.links(article.links.sections),
            "picture": pictures.picture(article),  # the hero (templates/articles/_picture.html)
            "byline": self.links(article.links.byline),
            "tags": self.links(article.links.tags),
            "published": self.time(article.published_at),
            "revised": self.time(article.revised_at),
            "related": [
                Related(url=a.url, title=a.title, published=self.time(a.published_at), language=a.language)
                for a in related
            ],
            "previous": self.neighbour(previous),
            "next": self.neighbour(following),
            "translation": self.translation(article.counterpart()),
        }

    @staticmethod
    def neighbour(teaser) -> Neighbour | None:
        """The previous or next article as a link, with its language."""
        return Neighbour(url=teaser.url, text=teaser.title, language=teaser.language) if teaser else None

    def translation(self, other) -> dict | None:
        """The same story in the other language (Article.counterpart()): its address, title, language
        and that language's name in itself ("English", "日本語")."""
        if other is None:
            return None
        name = get_language_info(other.language)["name_local"]
        return {
            "url": self.article_url(other),
            "title": other.title,
            "language": other.language,
            "name": name,
        }


# An author's, tag's or section's page, by the script prefix the site is served under: lists
# repeat the same few hundred names, and Django's reverse() is a large part of drawing a list.
@lru_cache(maxsize=10_000)
def owner_url(script_prefix: str, kind: str, slug: str) -> str:
    return reverse(f"articles:{kind}", kwargs={"slug": slug})
