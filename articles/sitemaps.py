from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.db.models import DateTimeField
from django.db.models.expressions import RawSQL
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from . import linkstate, loading
from .context_processors import site_root
from .models import Article, Author, Category, Tag

NEWS_DAYS = 2  # a news sitemap lists what was published in the last two days
NEWS_LIMIT = 1000


class SiteSitemap(Sitemap):
    """Addresses under SITE_URL, like every other absolute address of the site."""

    limit = 5000

    def get_protocol(self, protocol=None):
        return urlsplit(settings.SITE_URL).scheme or super().get_protocol(protocol)

    def get_domain(self, site=None):
        return urlsplit(settings.SITE_URL).netloc or super().get_domain(site)


class ArticleSitemap(SiteSitemap):
    """Public articles, with the time their public text last changed (as the page's dateModified)."""

    changefreq = "weekly"

    def items(self):
        return (
            Article.objects.published()
            .only("slug", "published_at", "revised_at")
            .order_by("-published_at", "-pk")
        )

    def lastmod(self, article):
        return article.revised_at if article.was_updated else article.published_at


class ListingSitemap(SiteSitemap):
    """Authors, tags or sections with public articles; changed when their newest article came out.

    Each one's newest public article is its first public link in the links'
    index on (owner, status, publication time), as its page reads them (see
    linkstate.py): a look-up an owner, where joining all links to the
    articles read the whole archive (100,000 articles on PostgreSQL).
    """

    changefreq = "daily"
    model = None

    def items(self):
        table, _article, owner = loading.owner_links(self.model)
        public, params = loading.public_links("o")
        newest = RawSQL(  # noqa: S611 - names from the models and linkstate; values bound
            f"SELECT o.{linkstate.PUBLISHED_AT} FROM {table} o"  # noqa: S608 - table and column names
            f" WHERE o.{owner} = {self.model._meta.db_table}.id AND {public}"
            f" ORDER BY o.{linkstate.PUBLISHED_AT} DESC LIMIT 1",
            params,
            output_field=DateTimeField(),
        )
        return (
            self.model.objects.annotate(newest=newest)
            .filter(newest__isnull=False)
            .only("slug")
            .order_by("slug")
        )

    def lastmod(self, owner):
        return owner.newest


class AuthorSitemap(ListingSitemap):
    model = Author


class TagSitemap(ListingSitemap):
    model = Tag


class SectionSitemap(ListingSitemap):
    model = Category


SITEMAPS = {
    "articles": ArticleSitemap,
    "authors": AuthorSitemap,
    "tags": TagSitemap,
    "sections": SectionSitemap,
}


def sitemap_index(request):
    """/sitemap.xml: every page of every part (a part holds 5,000 addresses a page)."""
    root = site_root(request)
    entries = []
    for section, part in SITEMAPS.items():
        address = root + reverse("articles:sitemap_section", args=[section])
        entries += [address] + [f"{address}?p={page}" for page in range(2, part().paginator.num_pages + 1)]
    return render(request, "articles/sitemap_index.xml", {"entries": entries}, content_type="application/xml")


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
    return render(
        request, "articles/sitemap_news.xml", context, content_type="application/xml; charset=utf-8"
    )


def robots_txt(request):
    context = {"site_root": site_root(request)}
    return render(request, "robots.txt", context, content_type="text/plain; charset=utf-8")
