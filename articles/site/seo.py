"""What search engines and social sites read of a page: JSON-LD, Open Graph and Twitter cards.

Built from data the page already has (no query of its own: the article's `links` come with
ArticleQuerySet.show(..., sections=True)), with absolute
addresses under SITE_URL (else the request's host).
"""

from django.conf import settings
from django.templatetags.static import static
from django.utils import timezone

from articles.models import Article
from articles.site import pictures

OG_LOCALES = {"ja": "ja_JP", "en": "en_US"}


def iso(moment) -> str:
    """ISO 8601 in local time, to the second (what HTML, JSON-LD and sitemaps all accept)."""
    return timezone.localtime(moment).replace(microsecond=0).isoformat()


def absolute(site_root: str, path: str) -> str:
    return path if path.startswith(("https://", "http://")) else f"{site_root}{path}"


def picture_logo() -> tuple[str, int, int]:
    """The site's logo where a picture file is needed (structured data, feeds): its file under static/,
    width and height. SITE_LOGO when it is a PNG; else img/logo.png (search engines and feed
    readers take no SVG)."""
    if settings.SITE_LOGO.lower().endswith(".png"):
        return (settings.SITE_LOGO, *settings.SITE_LOGO_SIZE)
    return ("img/logo.png", 512, 512)


def logo(site_root: str) -> str:
    return absolute(site_root, static(picture_logo()[0]))


def publisher(site_root: str) -> dict:
    _path, width, height = picture_logo()
    return {
        "@type": "Organization",
        "name": settings.SITE_NAME,
        "url": f"{site_root}/",
        "logo": {"@type": "ImageObject", "url": logo(site_root), "width": width, "height": height},
    }


def image_url(article: Article, site_root: str) -> str:
    """The article's image for social sites and search engines: its 1200×630 crop (else the image
    as it is; the site's logo when it has none)."""
    image = pictures.shared(article)
    return absolute(site_root, image["url"]) if image else logo(site_root)


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
        "image": [image_url(article, site_root)],
        "inLanguage": article.language,
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
    image = pictures.shared(article)
    return {
        "type": "article",
        "title": article.title,
        "description": article.excerpt,
        "url": absolute(site_root, drawing.article_url(article)),
        "image": absolute(site_root, image["url"]) if image else logo(site_root),
        "image_width": image["width"] if image else None,
        "image_height": image["height"] if image else None,
        "image_alt": (article.hero_alt or article.title) if image else settings.SITE_NAME,
        "card": "summary_large_image" if image else "summary",
        "published": drawing.iso(article.published_at),
        "modified": drawing.iso(modified(article)),
        "authors": [absolute(site_root, drawing.url(author)) for author in article.links.byline],
        "sections": [section.name for section in article.links.sections],
        "tags": [tag.name for tag in article.links.tags],
    }
