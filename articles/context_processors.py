from django.conf import settings
from django.utils.encoding import iri_to_uri
from django.utils.functional import SimpleLazyObject

from .models import Category


def canonical_url(request) -> str:
    """This page's address without tracking parameters; keeps ?page= past the first."""
    base = settings.SITE_URL or f"{request.scheme}://{request.get_host()}"
    page = request.GET.get("page", "")
    return f"{base}{iri_to_uri(request.path)}" + (f"?page={page}" if page.isdigit() and page != "1" else "")


def site(request):
    return {
        "site_name": settings.SITE_NAME,
        "canonical_url": SimpleLazyObject(lambda: canonical_url(request)),
        "nav_sections": SimpleLazyObject(lambda: list(Category.objects.all())),
    }
