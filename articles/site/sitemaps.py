from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import sitemap
from django.db.models import OuterRef, Subquery
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from articles import keys
from articles.models import Article, ArticleQuerySet, Author, Category, Tag
from articles.site.context_processors import site_root

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
    """/sitemap.xml: every page of every part (a part holds 5,000 addresses a page)."""
    keys.shows(request, keys.SITEMAP)
    root = site_root(request)
    entries = []
    for section, part in SITEMAPS.items():
        address = root + reverse("articles:sitemap_section", args=[section])
        entries += [address] + [f"{address}?p={page}" for page in range(2, part().paginator.num_pages + 1)]
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
