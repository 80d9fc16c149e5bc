"""RSS 2.0 and Atom feeds of the newest public articles: the site's, and each author's, tag's and section's.

Django's syndication framework writes them from the hooks below. Two small
generator subclasses add what its own generators leave out: each article's
full HTML (RSS `content:encoded`, Atom `<content type="html">`), its update
date in RSS, one Atom `<author>` per byline, and the site's logo (RSS `<image>`, Atom `<logo>`
and `<icon>`).
"""

import io
import re
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.templatetags.static import static
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed, rfc3339_date
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _

from articles import keys
from articles.models import Article, Author, Category, Tag
from articles.site import seo
from articles.text.rendering import NOT_IN_XML

# src="/media/…" and href="/2026/…" in an article's HTML; not protocol-relative "//…". (Whole
# words are checked apart: a leading \b makes the search three times slower.)
SITE_RELATIVE = re.compile(r'(src|href)="/(?!/)')
WORD = re.compile(r"\w")


def xml_safe(value):
    """`value` (a text, or a list of texts) without the characters XML 1.0 cannot hold.

    The copy desk keeps them out of an article, not out of an author's or a
    tag's name; Django's XML writer raises on some of them (and would take
    the whole feed down), and writes others into attributes unchecked.
    """
    if isinstance(value, str):
        return NOT_IN_XML.sub("", value)
    if isinstance(value, list | tuple):
        return [xml_safe(text) for text in value]
    return value


def with_absolute_links(html: str, base: str) -> str:
    """The HTML with its site-relative addresses made absolute against `base`'s scheme and host.

    A feed reader shows an article away from the site: `/media/…` would
    point nowhere there.
    """
    scheme, host, *_rest = urlsplit(base)

    def absolute(found) -> str:
        start = found.start()
        if start and WORD.match(html, start - 1):  # "xsrc=…": not the attribute
            return found[0]
        return f'{found[1]}="{scheme}://{host}/'

    return SITE_RELATIVE.sub(absolute, html)


class FullContent:
    """A feed generator whose items also carry `content` (the article's HTML) and `author_names`.

    Every text given is passed through xml_safe(), but the article's HTML:
    it is stored without those characters (rendering.sanitize()). Its
    site-relative addresses are made absolute against the item's own link
    (which carries SITE_URL, or the request's host).
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*map(xml_safe, args), **{name: xml_safe(value) for name, value in kwargs.items()})

    def add_item(self, *args, content: str, **kwargs):
        super().add_item(*map(xml_safe, args), **{name: xml_safe(value) for name, value in kwargs.items()})
        item = self.items[-1]
        item["content"] = with_absolute_links(content, item["link"])

    def logo_url(self) -> str:
        """The feed's `logo` (its address from static(): a path, or a whole address) made absolute
        against the feed's link, as the articles' own addresses are."""
        return urljoin(self.feed["link"], self.feed["logo"])

    def write(self, outfile, encoding):
        """The XML written whole, then handed to `outfile` (the response) at once: the response
        would otherwise encode each of the thousand pieces the XML writer gives it."""
        text = io.StringIO()
        super().write(text, encoding)
        outfile.write(text.getvalue())


class FullRssFeed(FullContent, Rss201rev2Feed):
    """RSS 2.0 with each article's update date (`atom:updated`) and its HTML (`content:encoded`)."""

    def root_attributes(self):
        return {
            **super().root_attributes(),
            "xmlns:content": "http://purl.org/rss/1.0/modules/content/",
            "xmlns:dc": "http://purl.org/dc/elements/1.1/",
        }

    def add_root_elements(self, handler):
        super().add_root_elements(handler)
        # The channel's picture: its address, and the title and link of the channel it stands for.
        handler.startElement("image", {})
        handler.addQuickElement("url", self.logo_url())
        handler.addQuickElement("title", self.feed["title"])
        handler.addQuickElement("link", self.feed["link"])
        handler.endElement("image")

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        handler.addQuickElement("atom:updated", rfc3339_date(item["updateddate"]))
        handler.addQuickElement("content:encoded", item["content"])
        handler.addQuickElement("dc:language", item["language"])  # RSS 2.0 has a language per channel


class FullAtomFeed(FullContent, Atom1Feed):
    """Atom with one `<author>` per byline, the article's HTML in `<content type="html">`, and
    its language in `xml:lang`."""

    def item_attributes(self, item):
        return {**super().item_attributes(item), "xml:lang": item["language"]}

    def add_root_elements(self, handler):
        super().add_root_elements(handler)
        # The logo is square: Atom's icon (square) and its logo (best twice as wide; a reader scales it).
        handler.addQuickElement("icon", self.logo_url())
        handler.addQuickElement("logo", self.logo_url())

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, {**item, "author_name": None})  # each author below
        for name in item["author_names"]:
            handler.startElement("author", {})
            handler.addQuickElement("name", name)
            handler.endElement("author")
        handler.addQuickElement("content", item["content"], {"type": "html"})


def byline_names(article) -> list[str]:
    """The names of an article's byline, in its order (its `links`, read by Article.objects.show())."""
    return [author.name for author in article.links.byline]


def on_site(path: str) -> str:
    """`path` under SITE_URL when it is set; else as it is, for the framework to put under the request's host."""
    return settings.SITE_URL + path


class LatestFeed(Feed):
    """The newest public articles of the site. `url_name` is the route of the feed itself."""

    feed_type = FullRssFeed
    url_name = "articles:feed"
    description = _("The latest articles.")
    subtitle = description  # written by Atom only
    item_guid_is_permalink = False

    def __call__(self, request, *args, **kwargs):
        response = super().__call__(request, *args, **kwargs)
        # The framework dates a feed by its newest item, which misses a withdrawn one:
        # caching.public sets a Last-Modified that does not.
        del response.headers["Last-Modified"]
        return response

    def title(self, obj):
        return f"{obj} — {settings.SITE_NAME}" if obj else settings.SITE_NAME

    def link(self, obj):
        return on_site(obj.get_absolute_url() if obj else reverse("articles:home"))

    def feed_url(self, obj):
        return on_site(reverse(self.url_name, kwargs={"slug": obj.slug} if obj else None))

    def feed_extra_kwargs(self, obj):
        return {"logo": static(seo.picture_logo()[0])}

    def articles(self, obj):
        return Article.objects.published()

    def get_feed(self, obj, request):
        feed = super().get_feed(obj, request)
        keys.shows(request, keys.FEED, *(keys.article(item["article"]) for item in feed.items))
        return feed

    def items(self, obj):
        return Article.objects.show(self.articles(obj).for_feed()[: settings.FEED_ITEMS])

    def item_title(self, item):
        return item.title  # plain text, as RSS and Atom define a title

    def item_link(self, item):
        return on_site(item.get_absolute_url())

    def item_description(self, item):
        # Readers take an RSS description (and Atom's summary, written type="html") as HTML: the
        # excerpt is text, so it is escaped, or "<img onerror=…>" in it would be markup there.
        return escape(item.excerpt)

    def item_guid(self, item):
        return item.guid.urn  # not the link: it stays when the slug or the date changes

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        # The text's last revision, not any save (tags, status) of the row.
        return item.revised_at or item.published_at

    def item_author_name(self, item):
        return ", ".join(byline_names(item))  # RSS has one dc:creator

    def item_categories(self, item):
        return [tag.name for tag in item.links.tags]

    def item_extra_kwargs(self, item):
        # "article": its surrogate key's, read back by get_feed() (the generator keeps what it is given).
        return {
            "content": item.body_html,
            "author_names": byline_names(item),
            "language": item.language,
            "article": item.pk,
        }


class LatestAtomFeed(LatestFeed):
    feed_type = FullAtomFeed
    url_name = "articles:feed_atom"


class OwnerFeed(LatestFeed):
    """The newest public articles of one author, tag or section (`model`), found by its slug."""

    model = None
    kind = None  # its surrogate key's: author, tag or section

    def get_object(self, request, slug):
        owner = get_object_or_404(self.model, slug=slug)
        keys.shows(request, keys.owner(self.kind, owner.pk))
        return owner

    def get_feed(self, obj, request):
        feed = super().get_feed(obj, request)
        if not feed.num_items():
            # An owner with no public article is not public (as its page is not).
            raise Http404(f"No public article of this {self.model._meta.verbose_name}.")
        return feed


class AuthorFeed(OwnerFeed):
    model = Author
    kind = "author"
    url_name = "articles:author_feed"

    def articles(self, obj):
        return super().articles(obj).by_author(obj)


class AuthorAtomFeed(AuthorFeed):
    feed_type = FullAtomFeed
    url_name = "articles:author_feed_atom"


class TagFeed(OwnerFeed):
    model = Tag
    kind = "tag"
    url_name = "articles:tag_feed"

    def articles(self, obj):
        return super().articles(obj).tagged(obj)


class TagAtomFeed(TagFeed):
    feed_type = FullAtomFeed
    url_name = "articles:tag_feed_atom"


class CategoryFeed(OwnerFeed):
    model = Category
    kind = "section"
    url_name = "articles:category_feed"

    def articles(self, obj):
        return super().articles(obj).in_category(obj)


class CategoryAtomFeed(CategoryFeed):
    feed_type = FullAtomFeed
    url_name = "articles:category_feed_atom"
