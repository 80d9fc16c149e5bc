"""The anonymous page cache: a public page or feed, rendered once, served from the cache.

A page is kept under its address and the site's *mark*, a token that changes
whenever anything shown to the public changes (freshness.py moves it, after
the change commits). A new mark means new keys: every page reflects the change
on its next request, on every app server, and nothing has to be deleted.

With a shared cache (Redis) the mark lives in the cache, so a hit costs two
cache reads and no query. With the local-memory cache each process has its own
cache, so the mark is read from the database (one indexed query), which every
process sees. A page is kept no longer than until the next scheduled
publication, so that a scheduled article appears on time. Requests with a
session cookie (staff), and responses that set cookies, are never cached.
"""

import hashlib
import uuid

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.locmem import LocMemCache
from django.utils import timezone
from django.utils.cache import set_response_etag

MARK_KEY = "public-mark"
HEADER = "X-Page-Cache"


def enabled() -> bool:
    return settings.PAGE_CACHE_SECONDS > 0


def shared() -> bool:
    """Does every app server see this cache (Redis), or only this process (local memory)?"""
    return not isinstance(caches["default"], LocMemCache)


def mark(database_mark) -> str:
    """The token pages are kept under; `database_mark()` gives it when the cache has none."""
    if not shared():
        return database_mark()
    value = cache.get(MARK_KEY)
    if value is None:
        value = database_mark()
        cache.add(MARK_KEY, value, None)
    return value


def move_mark() -> None:
    """Something public changed: every page kept so far is now out of date."""
    if shared():
        cache.set(MARK_KEY, uuid.uuid4().hex, None)


def cacheable(request) -> bool:
    return (
        enabled()
        and request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
    )


# What a public page reads of its query string; anything else (tracking tags…) changes nothing.
PARAMETERS = ("page", "p", "q")  # p: a page of a sitemap


def key(request, token: str) -> str:
    """The page's key: the mark, the host, the path and the parameters that matter, hashed."""
    wanted = [(name, request.GET.getlist(name)) for name in PARAMETERS if name in request.GET]
    address = f"{request.get_host()}{request.path}?{wanted!r}"
    return f"page:{token}:{hashlib.sha256(address.encode()).hexdigest()}"


def get(request, token: str):
    response = cache.get(key(request, token))
    if response is not None:
        response[HEADER] = "hit"
    return response


def put(request, token: str, response, *, until=None) -> None:
    """Keep a successful, cookie-free response, no longer than `until` (the next scheduled publication)."""
    if response.status_code != 200 or response.cookies or "cookie" in response.get("Vary", "").lower():
        return
    if hasattr(response, "render") and not response.is_rendered:
        response.render()
    seconds = settings.PAGE_CACHE_SECONDS
    if until is not None:
        seconds = min(seconds, max(1, int((until - timezone.now()).total_seconds())))
    set_response_etag(response)  # once, not on every hit (ConditionalGetMiddleware keeps an ETag it finds)
    response[HEADER] = "miss"
    cache.set(key(request, token), response, seconds)
