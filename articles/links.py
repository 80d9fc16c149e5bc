"""Addresses of public pages, reversed once and remembered.

A list page links each of its articles, bylines and tags: with `reverse()`
each link cost about as much as a query. The routes do not change while a
process runs, so a route's address is worked out once for each script
prefix, URLconf and set of arguments and then looked up.
"""

from functools import lru_cache

from django.templatetags.static import static
from django.urls import get_script_prefix, get_urlconf, reverse


def address(name: str, **kwargs) -> str:
    """`reverse(name, kwargs=kwargs)`, remembered."""
    return _reversed(get_script_prefix(), get_urlconf(), name, tuple(kwargs.items()))


def article_address(local, slug: str, address=address) -> str:
    """An article's address: its local date of publication and its slug (`address` may be an addresser())."""
    return address("articles:detail", year=local.year, month=local.month, day=local.day, slug=slug)


def addresser():
    """address() for many links at once: the script prefix and URLconf are read once, not per link."""
    prefix, urlconf = get_script_prefix(), get_urlconf()

    def address(name: str, **kwargs) -> str:
        return _reversed(prefix, urlconf, name, tuple(kwargs.items()))

    return address


@lru_cache(maxsize=50_000)  # a few megabytes at most; an archive's every address fits
def _reversed(prefix: str, urlconf, name: str, kwargs: tuple) -> str:
    return reverse(name, urlconf=urlconf, kwargs=dict(kwargs))


def static_address(path: str) -> str:
    """`static(path)`, remembered: the manifest of static files does not change while a process runs."""
    return _static(get_script_prefix(), path)


@lru_cache(maxsize=1_000)
def _static(prefix: str, path: str) -> str:
    return static(path)  # under `prefix` when STATIC_URL is relative, as Django's settings give it
