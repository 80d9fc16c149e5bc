from django.conf import settings
from django.utils.encoding import iri_to_uri
from django.utils.functional import SimpleLazyObject

from .drawing import Drawing
from .models import Category


def site_root(request) -> str:
    """Scheme and host of the public site: SITE_URL, else the request's own."""
    return settings.SITE_URL or f"{request.scheme}://{request.get_host()}"


def canonical_url(request) -> str:
    """This page's address without tracking parameters; keeps ?page= past the first."""
    page = request.GET.get("page", "")
    query = f"?page={page}" if page.isdigit() and page != "1" else ""
    return f"{site_root(request)}{iri_to_uri(request.path)}{query}"


def menu(request) -> list:
    """The sections of the menu (Category.objects.in_menu()), read once for a request (a 404 page
    that becomes a 410 is drawn twice)."""
    if not hasattr(request, "menu_sections"):
        request.menu_sections = Drawing().links(Category.objects.in_menu())
    return request.menu_sections


def site(request):
    return {
        "site_name": settings.SITE_NAME,
        "site_root": SimpleLazyObject(lambda: site_root(request)),
        "canonical_url": SimpleLazyObject(lambda: canonical_url(request)),
        "nav_sections": SimpleLazyObject(lambda: menu(request)),
    }
