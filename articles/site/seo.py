"""What search engines and social sites read of a page: JSON-LD, Open Graph and Twitter cards.

Built from data the page already has (no query of its own: the article's `links` come with
ArticleQuerySet.show(..., sections=True)), with absolute
addresses under SITE_URL (else the request's host).
"""

from django.conf import settings
from django.templatetags.static import static
from django.utils import timezone

from articles.models import Article

OG_LOCALES = {"ja": "ja_JP", "en": "en_US"}


def iso(moment) -> str:
    """ISO 8601 in local time, to the second (what HTML, JSON-LD and sitemaps all accept)."""
    return timezone.localtime(moment).replace(microsecond=0).isoformat()


def absolute(site_root: str, path: str) -> str:
    return path if path.startswith(("https://", "http://")) else f"{site_root}{path}"


def logo(site_root: str) -> str:
    return absolute(site_root, static("img/logo.png"))


def publisher(site_root: str) -> dict:
    return {
        "@type": "Organization",
        "name": settings.SITE_NAME,
        "url": f"{site_root}/",
        "logo": {"@type": "ImageObject", "url": logo(site_root), "width": 512, "height": 512},
    }


def modified(article: Article):
    return article.text_modified_at(article.published_at, article.revised_at)


def news_article(article: Article, *, site_root: str, drawing) -> dict:
    """schema.org NewsArticle: a desk byline is an Organization, a person a Person (`drawing`: the page's)."""
    url = absolute(site_root, drawing.article_url(article))
    authors = [
        {
            "@type": "Organization" if author.is_desk else "Person",
            "name": author.name,
            "url": absolute(site_root, drawing.url(author)),
        }
        for author in article.links.byline
    ]
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "url": url,
        "headline": article.title[:110],
        "description": article.excerpt,
        "datePublished": drawing.iso(article.published_at),
        "dateModified": drawing.iso(modified(article)),
        "author": authors,
        "publisher": publisher(site_root),
        "image": [absolute(site_root, article.hero_src) if article.hero_src else logo(site_root)],
        "inLanguage": settings.LANGUAGE_CODE,
        "timeRequired": f"PT{article.reading_time}M",
        "isAccessibleForFree": True,
    }
    sections = [section.name for section in article.links.sections]
    if sections:
        data["articleSection"] = sections if len(sections) > 1 else sections[0]
    keywords = [tag.name for tag in article.links.tags]
    if keywords:
        data["keywords"] = keywords
    return data


def open_graph(article: Article, *, site_root: str, drawing) -> dict:
    """The Open Graph and Twitter card values of an article page (`drawing`: the page's)."""
    return {
        "type": "article",
        "title": article.title,
        "description": article.excerpt,
        "url": absolute(site_root, drawing.article_url(article)),
        "image": absolute(site_root, article.hero_src) if article.hero_src else logo(site_root),
        "image_alt": (article.hero_alt or article.title) if article.hero_src else settings.SITE_NAME,
        "card": "summary_large_image" if article.hero_src else "summary",
        "published": drawing.iso(article.published_at),
        "modified": drawing.iso(modified(article)),
        "authors": [absolute(site_root, drawing.url(author)) for author in article.links.byline],
        "sections": [section.name for section in article.links.sections],
        "tags": [tag.name for tag in article.links.tags],
    }
