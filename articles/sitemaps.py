from datetime import timedelta

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.shortcuts import render
from django.utils import timezone

from .context_processors import site_root
from .models import Article, Author, Category, Tag

NEWS_DAYS = 2  # a news sitemap lists what was published in the last two days
NEWS_LIMIT = 1000


class ArticleSitemap(Sitemap):
    """Public articles, with the time their text last changed; a scheduled one appears at its time."""

    changefreq = "weekly"
    limit = 5000

    def items(self):
        return (
            Article.objects.published()
            .only("slug", "published_at", "updated_at")
            .order_by("-published_at", "-pk")
        )

    def lastmod(self, article):
        return max(article.updated_at, article.published_at)


class ListingSitemap(Sitemap):
    """Authors, tags or sections with public articles; changed when their newest article came out."""

    changefreq = "daily"
    limit = 5000
    model = None
    articles = ""  # the path from the model to its articles

    def items(self):
        public = Article.objects.published()
        return (
            self.model.objects.filter(**{f"{self.articles}__in": public})
            .annotate(newest=Max(f"{self.articles}__published_at"))
            .only("slug")
            .order_by("slug")
        )

    def lastmod(self, owner):
        return owner.newest


class AuthorSitemap(ListingSitemap):
    model, articles = Author, "bylines__article"


class TagSitemap(ListingSitemap):
    model, articles = Tag, "tagged_articles__content_object"


class SectionSitemap(ListingSitemap):
    model, articles = Category, "articles"


SITEMAPS = {
    "articles": ArticleSitemap,
    "authors": AuthorSitemap,
    "tags": TagSitemap,
    "sections": SectionSitemap,
}


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
