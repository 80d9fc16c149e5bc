from django.conf import settings
from django.core.cache import cache
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.encoding import iri_to_uri
from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language, pgettext

from articles import caching, keys
from articles.models import Article, Category, SitePage
from articles.site import seo
from articles.site.drawing import Drawing, Link


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
        # "3": teasers carry their pk and language (values kept before, without them, are not read back).
        key = f"{name}:3:{site}:{caching.last_change(request)}"
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


def menu_mark(request, sections: list[Link], current: str) -> dict | None:
    """The link of the menu to mark as where the page is: the first (in the menu's order) of
    `sections`, the page's section or sections, with its aria-current value (`current`). Read from
    the kept menu: the mark is the page's own, the menu stays one for every page."""
    addresses = {section["url"] for section in sections}
    found = next((link for link in menu(request) if link["url"] in addresses), None)
    return {"url": found["url"], "current": current} if found else None


def archive_months(request) -> list:
    """Every month with a public article, oldest first, as the first moment of the month in the site's
    time zone (as Django's date-based views list them)."""
    keys.shows(request, keys.MONTHS)
    return months(request)


def months(request) -> list:
    return kept(
        request, "months", lambda: list(Article.objects.published().datetimes("published_at", "month"))
    )


def archive_years(request) -> list[Link]:
    """Every year with a public article, newest first, as links to its archive page (read from the
    kept months: no query of its own)."""
    keys.shows(request, keys.YEARS)
    years = sorted({month.year for month in months(request)}, reverse=True)
    return [
        Link(
            url=reverse("articles:archive_year", args=[year]),
            text=pgettext("archive", "%(year)s") % {"year": year},
        )
        for year in years
    ]


def footer_pages(request) -> list[Link]:
    """The site's own pages (about, contact…), as the footer links them: a change to one is a
    public change."""
    keys.shows(request, keys.FOOTER)
    return kept(
        request,
        "footer",
        lambda: [Link(url=page.get_absolute_url(), text=page.title) for page in SitePage.objects.in_footer()],
    )


def around(request, article) -> tuple:
    """Article.objects.around(article): its neighbours and related articles, which change only with
    what is public (each publication, withdrawal, retitling or retagging is a public change)."""
    neighbours, related = kept(request, f"around_{article.pk}", lambda: Article.objects.around(article))
    keys.shows(request, keys.around(article.pk))
    keys.shows_articles(request, [*neighbours, *related])
    return neighbours, related


def logo() -> dict | None:
    """The masthead's logo (SITE_LOGO): its file under static/ and its size; None: the name in text."""
    if not settings.SITE_LOGO:
        return None
    width, height = settings.SITE_LOGO_SIZE
    return {"path": settings.SITE_LOGO, "width": width, "height": height}


def site(request):
    return {
        "site_name": settings.SITE_NAME,
        "site_language": settings.LANGUAGE_CODE,  # a page may be in another (an article's language)
        "logo_card": SimpleLazyObject(lambda: seo.logo(site_root(request))),  # og:image of a page
        "site_logo": logo(),
        "site_root": SimpleLazyObject(lambda: site_root(request)),
        "canonical_url": SimpleLazyObject(lambda: canonical_url(request)),
        "nav_sections": SimpleLazyObject(lambda: menu(request)),
        "footer_pages": SimpleLazyObject(lambda: footer_pages(request)),
        "archive_years": SimpleLazyObject(lambda: archive_years(request)),
    }
