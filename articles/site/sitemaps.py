from datetime import timedelta
from math import ceil
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import SitemapIndexItem, sitemap
from django.db.models import Count, Max, OuterRef, Subquery
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property

from articles import keys
from articles.models import Article, ArticleQuerySet, Author, Category, Tag
from articles.site.context_processors import site_root

NEWS_DAYS = 2  # a news sitemap lists what was published in the last two days
NEWS_LIMIT = 1000


class SiteSitemap(Sitemap):
    """Addresses under SITE_URL, like every other absolute address of the site.

    The index reads two things of each part, its number of pages and its newest
    lastmod (Django's get_latest_lastmod()): `extent` counts both in one query.
    """

    limit = 5000

    def get_protocol(self, protocol=None):
        return urlsplit(settings.SITE_URL).scheme or super().get_protocol(protocol)

    def get_domain(self, site=None):
        return urlsplit(settings.SITE_URL).netloc or super().get_domain(site)

    @cached_property
    def extent(self) -> dict:
        """{"count": the part's addresses, "latest": their newest lastmod}, in one query."""
        raise NotImplementedError

    def get_latest_lastmod(self):
        return self.extent["latest"]

    @property
    def pages(self) -> int:
        """Its pages, as its paginator counts them (an empty part has one)."""
        return max(1, ceil(self.extent["count"] / self.limit))


class ArticleSitemap(SiteSitemap):
    """Public articles, with the time their public text last changed (as the page's dateModified):
    read as values, not model instances (a page holds 5,000)."""

    changefreq = "weekly"

    def items(self):
        return (
            Article.objects.published()
            .order_by("-published_at", "-pk")
            .values_list("slug", "published_at", "revised_at", named=True)
        )

    def location(self, article):
        return Article.address(article.published_at, article.slug, remembered=False)

    def lastmod(self, article):
        return Article.text_modified_at(article.published_at, article.revised_at)

    @cached_property
    def extent(self) -> dict:
        # The newest lastmod is the newest publication or, if later, the newest revision (only a
        # public article is revised: the later of the two is its text's last change).
        found = Article.objects.published().aggregate(
            count=Count("pk"), published=Max("published_at"), revised=Max("revised_at")
        )
        latest = max(filter(None, [found["published"], found["revised"]]), default=None)
        return {"count": found["count"], "latest": latest}


class ListingSitemap(SiteSitemap):
    """Authors, tags or sections with public articles; changed when their newest article came out."""

    changefreq = "daily"
    model = None
    articles_of = None  # the ArticleQuerySet method that lists an owner's public articles

    def items(self):
        # The owner's newest public article, as its page lists it first: one step into its links' index.
        newest = self.articles_of(Article.objects.all(), OuterRef("pk")).values("published_at")[:1]
        return (
            self.model.objects.annotate(newest=Subquery(newest))
            .filter(newest__isnull=False)
            .only("slug")
            .order_by("slug")
        )

    def lastmod(self, owner):
        return owner.newest

    @cached_property
    def extent(self) -> dict:
        return self.items().aggregate(count=Count("pk"), latest=Max("newest"))


class AuthorSitemap(ListingSitemap):
    model = Author
    articles_of = staticmethod(ArticleQuerySet.listed_by_author)


class TagSitemap(ListingSitemap):
    model = Tag
    articles_of = staticmethod(ArticleQuerySet.listed_tagged)


class SectionSitemap(ListingSitemap):
    model = Category
    articles_of = staticmethod(ArticleQuerySet.listed_in_category)


SITEMAPS = {
    "articles": ArticleSitemap,
    "authors": AuthorSitemap,
    "tags": TagSitemap,
    "sections": SectionSitemap,
}


def sitemap_index(request):
    """/sitemap.xml: every page of every part (a part holds 5,000 addresses a page), each with its
    part's newest lastmod, as Django's own index gives them (under SITE_URL here)."""
    keys.shows(request, keys.SITEMAP)
    root = site_root(request)
    entries = []
    for section, kind in SITEMAPS.items():
        part = kind()
        address = root + reverse("articles:sitemap_section", args=[section])
        lastmod = part.get_latest_lastmod()
        entries += [SitemapIndexItem(address, lastmod)] + [
            SitemapIndexItem(f"{address}?p={page}", lastmod) for page in range(2, part.pages + 1)
        ]
    return render(request, "articles/sitemap_index.xml", {"entries": entries}, content_type="application/xml")


def sitemap_part(request, section):
    """A part of the sitemap (Django's view). A sitemap lists thousands of articles: it carries the
    list key `sitemap` alone (their keys would not fit in a header), which every change of a
    public article purges."""
    keys.shows(request, keys.SITEMAP)
    return sitemap(request, sitemaps=SITEMAPS, section=section)


def news_sitemap(request):
    """Google News: what was published in the last two days, newest first."""
    since = timezone.now() - timedelta(days=NEWS_DAYS)
    articles = (
        Article.objects.published()
        .filter(published_at__gte=since)
        .only("title", "slug", "published_at")
        .order_by("-published_at", "-pk")[:NEWS_LIMIT]
    )
    context = {"articles": articles, "site_root": site_root(request), "language": settings.LANGUAGE_CODE}
    keys.shows(request, keys.SITEMAP)
    return render(
        request, "articles/sitemap_news.xml", context, content_type="application/xml; charset=utf-8"
    )


def robots_txt(request):
    context = {"site_root": site_root(request)}
    return render(request, "robots.txt", context, content_type="text/plain; charset=utf-8")
