from django.conf import settings
from django.core.cache import cache
from django.utils.encoding import iri_to_uri
from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language

from articles import caching
from articles.models import Category
from articles.site.drawing import Drawing


def site_root(request) -> str:
    """Scheme and host of the public site: SITE_URL, else the request's own."""
    return settings.SITE_URL or f"{request.scheme}://{request.get_host()}"


def canonical_url(request) -> str:
    """This page's address without tracking parameters; keeps ?page= past the first."""
    page = request.GET.get("page", "")
    query = f"?page={page}" if page.isdigit() and page != "1" else ""
    return f"{site_root(request)}{iri_to_uri(request.path)}{query}"


def menu(request) -> list:
    """The sections of the menu (Category.objects.in_menu()) as links: kept in the cache under the
    public state's mark, which every change of what is public moves (a section's first article
    coming out included), and read once for a request."""
    if not hasattr(request, "menu_sections"):
        key = f"menu:{get_language()}:{caching.database_mark(request)}"
        request.menu_sections = cache.get(key)
        if request.menu_sections is None:
            request.menu_sections = Drawing().links(Category.objects.in_menu())
            cache.set(key, request.menu_sections, MENU_SECONDS)
    return request.menu_sections


MENU_SECONDS = 3600  # a new mark makes a new key: this only frees the memory of old ones


def site(request):
    return {
        "site_name": settings.SITE_NAME,
        "site_root": SimpleLazyObject(lambda: site_root(request)),
        "canonical_url": SimpleLazyObject(lambda: canonical_url(request)),
        "nav_sections": SimpleLazyObject(lambda: menu(request)),
    }
