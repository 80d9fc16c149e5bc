from django.conf import settings
from django.core.cache import cache
from django.urls import get_script_prefix
from django.utils import timezone
from django.utils.encoding import iri_to_uri
from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language

from articles import caching, keys
from articles.models import Article, Category
from articles.site.drawing import Drawing


def site_root(request) -> str:
    """Scheme and host of the public site: SITE_URL, else the request's own."""
    return settings.SITE_URL or f"{request.scheme}://{request.get_host()}"


def canonical_url(request) -> str:
    """This page's address without tracking parameters; keeps ?page= past the first."""
    page = request.GET.get("page", "")
    query = f"?page={page}" if page.isdigit() and page != "1" else ""
    return f"{site_root(request)}{iri_to_uri(request.path)}{query}"


def kept(request, name: str, make):
    """make(), kept in the cache under the time of the last public change (which every change of
    what is public moves) and the language, and read once for a request: what every page of a kind shows of the
    whole site, whatever the page."""
    attribute = f"kept_{name}"
    if not hasattr(request, attribute):
        # The language, zone and script prefix: what its dates and addresses are written in.
        site = f"{get_language()}:{timezone.get_current_timezone_name()}:{get_script_prefix()}"
        # "2": teasers carry their pk (values kept before, without it, are not read back).
        key = f"{name}:2:{site}:{caching.last_change(request)}"
        value = cache.get(key)
        if value is None:
            value = make()
            cache.set(key, value, KEPT_SECONDS)
        setattr(request, attribute, value)
    return getattr(request, attribute)


KEPT_SECONDS = 3600  # a new mark makes a new key: this only frees the memory of old ones


def menu(request) -> list:
    """The sections of the menu (Category.objects.in_menu()) as links: a section's first article
    coming out is a public change."""
    keys.shows(request, keys.MENU)
    return kept(request, "menu", lambda: Drawing().links(Category.objects.in_menu()))


def archive_months(request) -> list:
    """Every month with a public article, oldest first, as the first moment of the month in the site's
    time zone (as Django's date-based views list them)."""
    keys.shows(request, keys.MONTHS)
    return kept(
        request, "months", lambda: list(Article.objects.published().datetimes("published_at", "month"))
    )


def around(request, article) -> tuple:
    """Article.objects.around(article): its neighbours and related articles, which change only with
    what is public (each publication, withdrawal, retitling or retagging is a public change)."""
    neighbours, related = kept(request, f"around_{article.pk}", lambda: Article.objects.around(article))
    keys.shows(request, keys.around(article.pk))
    keys.shows_articles(request, [*neighbours, *related])
    return neighbours, related


def site(request):
    return {
        "site_name": settings.SITE_NAME,
        "site_root": SimpleLazyObject(lambda: site_root(request)),
        "canonical_url": SimpleLazyObject(lambda: canonical_url(request)),
        "nav_sections": SimpleLazyObject(lambda: menu(request)),
    }
