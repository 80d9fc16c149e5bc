import re

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import iri_to_uri
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.html import escape
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from . import links
from .context_processors import site_root
from .loading import PublicList
from .models import Article, Author, Category, Tag

# src="/media/…" and href="/2026/…" in article HTML; not protocol-relative "//".
_RELATIVE_URL = re.compile(r'\b(src|href)="/(?!/)')


class Templated:
    """Write the document with a Jinja2 template (templates/jinja2/feeds/) from the feed's values.

    Django's writer calls an XML handler for every tag and every text, over
    a thousand calls for twenty articles: a third of the feed's time. The
    template writes the same elements in the same order.
    """

    template_name = None

    def write(self, outfile, encoding):
        context = {"feed": self.feed, "items": self.items, "updated": self.latest_post_date()}
        outfile.write(render_to_string(self.template_name, context))


class RssWithContent(Templated, Rss201rev2Feed):
    """RSS 2.0 with the full article in content:encoded and its update date in atom:updated."""

    template_name = "feeds/rss.xml"


class AtomWithContent(Templated, Atom1Feed):
    """Atom with the full article in <content> and one <author> per byline."""

    template_name = "feeds/atom.xml"


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
        # Addresses as listing.py writes them: the script prefix, URLconf and zone read once.
        address, zone = links.addresser(), timezone.get_current_timezone()
        feed = self.feed_type(
            title=self.title(obj),
            link=root + self.link(obj),
            description=self.description,
            subtitle=self.subtitle(obj),
            language=get_language(),
            feed_url=root + iri_to_uri(request.path),
        )
        for item in self.items(obj):
            feed.add_item(
                title=self.item_title(item),
                link=root + links.article_address(item.published_at.astimezone(zone), item.slug, address),
                description=self.item_description(item),
                unique_id=self.item_guid(item),
                unique_id_is_permalink=False,
                pubdate=self.item_pubdate(item),
                updateddate=self.item_updateddate(item),
                author_name=self.item_author_name(item),
                categories=self.item_categories(item),
                content=_absolute(item.body_html, root),
                author_names=[author.name for author in item.byline()],
            )
        return feed

    def title(self, obj=None):
        return f"{obj} — {settings.SITE_NAME}" if obj else settings.SITE_NAME

    def subtitle(self, obj=None):
        return None

    def link(self, obj=None):
        return obj.get_absolute_url() if obj else reverse("articles:home")

    def items(self, obj=None):
        # The newest public articles (all, or the author's, tag's or section's), as
        # Article.objects.published().for_listing() and its filters give them, in fewer queries.
        return PublicList(obj, fields=Article.FEED_FIELDS)[: settings.FEED_ITEMS]

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
        return ", ".join(author.name for author in item.byline())

    def item_categories(self, item):
        return [tag.name for tag in item.tag_list()]


def _absolute(html: str, root: str) -> str:
    """The article's HTML with its site-relative addresses made absolute (feed readers have no base)."""
    if '="/' not in html:  # most texts have no site-relative address: skip the scan
        return html
    return _RELATIVE_URL.sub(lambda m: f'{m.group(1)}="{root}/', html)


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
