import io
import re

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.encoding import iri_to_uri
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed, rfc3339_date
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _

from .context_processors import site_root
from .loading import PublicList
from .models import Article, Author, Category, Tag

# src="/media/…" and href="/2026/…" in article HTML; not protocol-relative "//".
_RELATIVE_URL = re.compile(r'\b(src|href)="/(?!/)')


class Buffered:
    """Write the document into memory, then into the response at once.

    Django's generator writes each tag and text on its own, and a write into
    an HttpResponse costs a conversion and an append: a thousand of them for
    a feed of twenty articles.
    """

    def write(self, outfile, encoding):
        buffer = io.StringIO()
        super().write(buffer, encoding)
        outfile.write(buffer.getvalue())


class RssWithContent(Buffered, Rss201rev2Feed):
    """RSS 2.0 with the full article in content:encoded and its update date in atom:updated."""

    def rss_attributes(self):
        return {**super().rss_attributes(), "xmlns:content": "http://purl.org/rss/1.0/modules/content/"}

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item["updateddate"]:
            handler.addQuickElement("atom:updated", rfc3339_date(item["updateddate"]))
        handler.addQuickElement("content:encoded", item["content"])


class AtomWithContent(Buffered, Atom1Feed):
    """Atom with the full article in <content> and one <author> per byline."""

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, {**item, "author_name": None})
        for name in item["author_names"]:
            handler.startElement("author", {})
            handler.addQuickElement("name", name)
            handler.endElement("author")
        handler.addQuickElement("content", item["content"], {"type": "html"})


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
        """Absolute addresses throughout: SITE_URL's when set, and in the content too."""
        feed = super().get_feed(obj, request)
        root = site_root(request)
        if settings.SITE_URL:
            feed.feed["feed_url"] = root + iri_to_uri(request.path)
        for item in feed.items:
            if '="/' in item["content"]:  # most texts have no site-relative address: skip the scan
                item["content"] = _RELATIVE_URL.sub(lambda m: f'{m.group(1)}="{root}/', item["content"])
        return feed

    def title(self, obj=None):
        return f"{obj} — {settings.SITE_NAME}" if obj else settings.SITE_NAME

    def link(self, obj=None):
        # A relative address gets the request's host from the framework.
        return settings.SITE_URL + (obj.get_absolute_url() if obj else reverse("articles:home"))

    def item_link(self, item):
        return settings.SITE_URL + item.get_absolute_url()

    def items(self, obj=None):
        # The newest public articles (all, or the author's, tag's or section's), as
        # Article.objects.published().for_listing() and its filters give them, in fewer queries.
        return PublicList(obj, fields=Article.SHOWN_FIELDS)[: settings.FEED_ITEMS]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        # RSS readers take a description as HTML (Atom's summary is written type="html"): the
        # excerpt is text, so it is escaped, or "<img onerror=…>" in it would be markup there.
        return escape(item.excerpt)

    def item_guid(self, item):
        return item.guid.urn

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        # The text's last revision, not any save (tags, status) of the row.
        return item.revised_at or item.published_at

    def item_author_name(self, item):
        return ", ".join(author.name for author in item.byline())

    def item_categories(self, item):
        return [tag.name for tag in item.tag_list()]

    def item_extra_kwargs(self, item):
        return {"content": item.body_html, "author_names": [a.name for a in item.byline()]}


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
        return get_object_or_404(self.owner_model, slug=slug)


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
