import re
from functools import lru_cache
from html import escape

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404
from django.utils import feedgenerator, timezone
from django.utils.encoding import iri_to_uri
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from . import links, loading
from .context_processors import site_root
from .loading import PublicList
from .models import Article, Author, Category, Tag
from .rendering import NOT_IN_XML

# src="/media/…" and href="/2026/…" in article HTML; not protocol-relative "//".
_RELATIVE_URL = re.compile(rb'\b(src|href)="/(?!/)')


@lru_cache(maxsize=20_000)
def _text(value) -> str:
    """Any value as XML text: escaped, without the characters XML does not allow.

    An author's name is not checked by the copy desk; Django's writer raised
    on such a character and took the whole feed down. Remembered: a feed
    writes the same names, titles and addresses on every request, and its
    tags and bylines several times in one (170 texts a feed).
    """
    text = str(value)
    if not text.isprintable():  # a quick look first; only then the slower search
        text = NOT_IN_XML.sub("", text)
    return escape(text, quote=True)


def rfc2822_date(moment) -> str:
    """Django's RSS date, remembered: a feed writes the same articles' times on every request, and
    formatting them took a tenth of a millisecond a feed. Kept by zone too, as equal times in two
    zones are written apart."""
    return _dated(feedgenerator.rfc2822_date, moment, moment.tzinfo)


def rfc3339_date(moment) -> str:
    """Django's Atom date, remembered (see rfc2822_date())."""
    return _dated(feedgenerator.rfc3339_date, moment, moment.tzinfo)


@lru_cache(maxsize=20_000)
def _dated(write, moment, _zone) -> str:
    return write(moment)


def _html(body: bytes, root: bytes) -> bytes:
    """An article's stored HTML (UTF-8) as XML text, its site-relative addresses made absolute.

    sanitize() kept out what XML forbids; the text is escaped as bytes and
    never decoded.
    """
    if isinstance(body, str):  # a database that PublicList does not read as bytes
        body = body.encode()
    if _site_relative(body):  # most texts have no site-relative address: skip the search
        body = _RELATIVE_URL.sub(lambda m: m.group(1) + b'="' + root + b"/", body)
    return body.replace(b"&", b"&amp;").replace(b"<", b"&lt;").replace(b">", b"&gt;")


def _site_relative(body: bytes) -> bool:
    """Is there `="/` in the HTML? Looked for quote by quote: bytes.find() of one byte runs at the
    speed of memchr, of three bytes some times slower on Japanese text (0.1 ms for a feed's twenty
    bodies, against 0.02 ms this way). A text with many quotes (a table's align="…" on every cell,
    quoted prose) is searched for the three bytes past its first QUOTES_LOOKED_AT."""
    at = body.find(b'"')
    for _looked in range(QUOTES_LOOKED_AT):
        if at < 0:
            return False
        if body[at + 1 : at + 2] == b"/" and body[at - 1 : at] == b"=":
            return True
        at = body.find(b'"', at + 1)
    return at >= 0 and body.find(b'="/', max(at - 1, 0)) >= 0


QUOTES_LOOKED_AT = 32


class Written:
    """Write the document as bytes: each item's text from f-strings, its article's HTML as read.

    Django's writer made an XML handler call for every tag and text (over a
    thousand for twenty articles) and encoded the articles' HTML once more;
    these write the same elements in the same order.
    """

    def write(self, outfile, encoding):
        parts = [self.head().encode()]
        for item in self.items:
            start, end = self.item(item)
            parts += [start.encode(), item["content"], end.encode()]
        parts.append(self.tail)
        outfile.write(b"".join(parts))


class RssWithContent(Written, Rss201rev2Feed):
    """RSS 2.0 with the full article in content:encoded and its update date in atom:updated."""

    tail = b"</channel></rss>"

    def head(self) -> str:
        feed = self.feed
        return (
            '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"'
            ' xmlns:atom="http://www.w3.org/2005/Atom" xmlns:content="http://purl.org/rss/1.0/modules/content/"'
            ' xmlns:dc="http://purl.org/dc/elements/1.1/">'
            f"<channel><title>{_text(feed['title'])}</title><link>{_text(feed['link'])}</link>"
            f"<description>{_text(feed['description'])}</description>"
            f'<atom:link href="{_text(feed["feed_url"])}" rel="self"/><language>{_text(feed["language"])}</language>'
            f"<lastBuildDate>{rfc2822_date(self.latest_post_date())}</lastBuildDate>\n"
        )

    def item(self, item) -> tuple[str, str]:
        creator = f"<dc:creator>{_text(item['author_name'])}</dc:creator>" if item["author_name"] else ""
        categories = "".join(f"<category>{_text(name)}</category>" for name in item["categories"])
        start = (
            f"<item><title>{_text(item['title'])}</title><link>{_text(item['link'])}</link>"
            f"<description>{_text(item['description'])}</description>{creator}"
            f"<pubDate>{rfc2822_date(item['pubdate'])}</pubDate>"
            f'<guid isPermaLink="false">{_text(item["unique_id"])}</guid>{categories}'
            f"<atom:updated>{rfc3339_date(item['updateddate'])}</atom:updated><content:encoded>"
        )
        return start, "</content:encoded></item>\n"


class AtomWithContent(Written, Atom1Feed):
    """Atom with the full article in <content> and one <author> per byline."""

    tail = b"</feed>"

    def head(self) -> str:
        feed = self.feed
        subtitle = f"<subtitle>{_text(feed['subtitle'])}</subtitle>" if feed["subtitle"] else ""
        return (
            '<?xml version="1.0" encoding="utf-8"?>\n'
            f'<feed xml:lang="{_text(feed["language"])}" xmlns="http://www.w3.org/2005/Atom">'
            f"<title>{_text(feed['title'])}</title>"
            f'<link href="{_text(feed["link"])}" rel="alternate"/><link href="{_text(feed["feed_url"])}" rel="self"/>'
            f"<id>{_text(feed['id'])}</id><updated>{rfc3339_date(self.latest_post_date())}</updated>{subtitle}\n"
        )

    def item(self, item) -> tuple[str, str]:
        categories = "".join(f'<category term="{_text(name)}"/>' for name in item["categories"])
        authors = "".join(f"<author><name>{_text(name)}</name></author>" for name in item["author_names"])
        start = (
            f'<entry><title>{_text(item["title"])}</title><link href="{_text(item["link"])}" rel="alternate"/>'
            f"<published>{rfc3339_date(item['pubdate'])}</published>"
            f"<updated>{rfc3339_date(item['updateddate'])}</updated><id>{_text(item['unique_id'])}</id>"
            f'<summary type="html">{_text(item["description"])}</summary>{categories}{authors}<content type="html">'
        )
        return start, "</content></entry>\n"


class ArticleFeed(Feed):
    feed_type = RssWithContent
    description = _("The latest articles.")

    def __call__(self, request, *args, **kwargs):
        response = super().__call__(request, *args, **kwargs)
        # The newest item's date misses unpublished items; freshness.public
        # sets a Last-Modified that does not.
        del response.headers["Last-Modified"]
        return response

    def get_feed(self, obj, request):
        """The feed from the hooks below, with absolute addresses throughout: SITE_URL's when set.

        The hooks are called here rather than through the framework's loop,
        which inspects every hook again for every item (over three hundred
        calls of inspect for twenty articles, as much time as the hooks took).
        """
        root = site_root(request)
        root_utf8 = root.encode()
        # Addresses as a Drawing makes them (drawing.py): the script prefix, URLconf and zone read once.
        address, zone = links.addresser(), timezone.get_current_timezone()
        feed = self.feed_type(
            title=self.title(obj),
            link=root + self.link(obj),
            description=self.description,
            subtitle=self.subtitle(obj),
            language=get_language(),
            feed_url=root + iri_to_uri(request.path),
        )
        # The items as add_item() keeps them, but only what Written's writers read: add_item() made
        # each value a string again and quoted each link (already an ASCII URI: reverse() quotes),
        # a tenth of a feed's time.
        for item in self.items(obj):
            link = root + links.article_address(item.published_at.astimezone(zone), item.slug, address)
            feed.items.append(
                {
                    "title": self.item_title(item),
                    "link": link if link.isascii() else iri_to_uri(link),
                    "description": self.item_description(item),
                    "unique_id": self.item_guid(item),
                    "pubdate": self.item_pubdate(item),
                    "updateddate": self.item_updateddate(item),
                    "author_name": self.item_author_name(item),
                    "categories": self.item_categories(item),
                    "content": _html(item.body_utf8, root_utf8),
                    "author_names": item.authors,
                }
            )
        return feed

    def title(self, obj=None):
        return f"{obj} — {settings.SITE_NAME}" if obj else settings.SITE_NAME

    def subtitle(self, obj=None):
        return None

    def link(self, obj=None):
        return obj.get_absolute_url() if obj else links.address("articles:home")

    def items(self, obj=None):
        # The newest public articles (all, or the author's, tag's or section's), as
        # Article.objects.published().for_listing() and its filters give them, with the names of
        # their byline and tags, in one query (loading.FeedEntry). No sections: an item shows none.
        return PublicList(obj, fields=Article.FEED_FIELDS, body_utf8=True).entries(settings.FEED_ITEMS)

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        # RSS readers take a description as HTML (Atom's summary is written type="html"): the
        # excerpt is text, so it is escaped, or "<img onerror=…>" in it would be markup there.
        return escape(item.excerpt)

    def item_guid(self, item):
        return item.guid.urn

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        # The text's last revision, not any save (tags, status) of the row.
        return item.revised_at or item.published_at

    def item_author_name(self, item):
        return ", ".join(item.authors)

    def item_categories(self, item):
        return item.tags


class AtomMixin:
    feed_type = AtomWithContent

    def subtitle(self, obj=None):
        return self.description


class LatestFeed(ArticleFeed):
    pass


class LatestAtomFeed(AtomMixin, LatestFeed):
    pass


class OwnerFeed(ArticleFeed):
    owner_model = None

    def get_object(self, request, slug):
        found = loading.owner(self.owner_model, slug)
        if found is None:
            raise self.owner_model.DoesNotExist  # the framework answers 404
        return found

    def get_feed(self, obj, request):
        feed = super().get_feed(obj, request)
        if not feed.items:
            # An owner with no public article is not public (as its page is not).
            raise Http404(f"No public article of this {self.owner_model._meta.verbose_name}.")
        return feed


class AuthorFeed(OwnerFeed):
    owner_model = Author


class AuthorAtomFeed(AtomMixin, AuthorFeed):
    pass


class TagFeed(OwnerFeed):
    owner_model = Tag


class TagAtomFeed(AtomMixin, TagFeed):
    pass


class CategoryFeed(OwnerFeed):
    owner_model = Category


class CategoryAtomFeed(AtomMixin, CategoryFeed):
    pass
