"""Caching of the public site: what browsers and shared caches are told, and the anonymous page cache.

## When anything public changed

Every public response is dated by the last public change (PublicChange, its
Last-Modified), recorded with each change (purges.py); a scheduled article
counts from the moment it appears.

## The page cache

The anonymous page cache: a public page or feed, made once, served from the cache.

A page is kept with the time it was begun and the surrogate keys of what it
shows (keys.py). A change purges the keys of what it touches after it
commits (purges.py, purge()): the time of each key's last purge is kept, and
a page begun before a purge of one of its keys is out of date. So a
publication makes the home page, the lists and the feeds it is on miss, on
every app server, and nothing else: an unrelated article's page stays kept.
The same keys go to edge caches in `Surrogate-Key` and `xkey`, and each purge
to Varnish (newsroom/edge.py).

With a shared cache (Redis) the purge times live in the cache, and a hit costs
one or two round trips and no query. Each process also keeps a copy of the
pages it served, for as long as the shared cache keeps them: a hit on such a
copy reads only the purge times of its keys from the shared cache, not the
page again (a feed is 166 KB). With the local-memory cache each process has
its own cache, so the purge times are read from the database (one query),
which every process sees. A page is kept no longer than until the next
scheduled publication, so that a scheduled article appears on time. Requests
with a session cookie (staff), and responses that set cookies or vary by
cookie, are never cached.

`PageCacheMiddleware` is first in the middleware stack: it serves hits before
anything else runs; a page is stored on the way out, with the headers every
other middleware gave it (security, Content-Security-Policy and
Permissions-Policy included), when its view was wrapped by `public()` (which
marks the response as a public page).
"""

import hashlib
import logging
import time
import uuid
from functools import wraps

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.locmem import LocMemCache
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date, parse_http_date_safe
from django.utils.translation import get_language

from articles import keys
from articles.models import PublicChange, PurgedKey
from newsroom import edge

logger = logging.getLogger(__name__)


def public_state(request) -> tuple:
    """PublicChange.state(), read once per request."""
    if not hasattr(request, "public_state"):
        request.public_state = PublicChange.state()
    return request.public_state


def last_change(request) -> str:
    """When anything public last changed, as a stamp: what values kept for every page are kept
    under (context_processors.kept())."""
    changed_at, _upcoming = public_state(request)
    return f"{changed_at.timestamp() if changed_at else 0}"


def public(view):
    """A public page or feed: dated by the last public change, and kept by the page cache
    (PageCacheMiddleware).

    Django's ConditionalGetMiddleware answers If-Modified-Since and If-None-Match from the
    Last-Modified set here and the ETag it makes, on a 200 alone. (Django's condition()
    decorator answers before the view runs: a page that turns out to be a 404, an owner without
    a public article or a page number past the end, would be answered 304.) The state is read
    before the page, so a page is never older than the time it claims.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        changed_at, upcoming = public_state(request)
        response = view(request, *args, **kwargs)
        if response.status_code == 200:
            if changed_at:
                response.headers["Last-Modified"] = http_date(changed_at.timestamp())
            response.public_page = True
            response.public_until = upcoming  # the next scheduled publication
            seconds = lifetime(upcoming)
            # No stale copy past a scheduled publication that may change the page.
            far = (
                upcoming is None
                or (upcoming - timezone.now()).total_seconds() > seconds + STALE_WHILE_REVALIDATE
            )
            shared_for(response, seconds, revalidate_stale=far)
        return response

    return wrapper


# How long a browser may reuse a public page without asking: a correction is seen within a minute.
BROWSER_SECONDS = 60
# How long a shared cache may serve a page it holds while it fetches a new one (after it expired),
# and while the site answers with errors.
STALE_WHILE_REVALIDATE = 30
STALE_IF_ERROR = 24 * 60 * 60


def lifetime(until) -> int:
    """Seconds a public page may be kept: PAGE_CACHE_SECONDS, never past `until` (the next
    scheduled publication, which may change it)."""
    seconds = settings.PAGE_CACHE_SECONDS
    if until is not None:
        seconds = min(seconds, max(1, int((until - timezone.now()).total_seconds())))
    return seconds


def shared_for(response, seconds: int, *, revalidate_stale: bool = True) -> None:
    """Cache-Control of a public page: browsers keep it a minute at most, shared caches (a CDN,
    Varnish) `seconds`, a stale copy served while a new one is fetched (unless not
    `revalidate_stale`: a scheduled publication comes before that would end) or while the site
    fails. With no page cache (`seconds` 0) every cache asks again each time (the ETag makes
    that a 304)."""
    del response.headers["Cache-Control"]
    if seconds <= 0:
        patch_cache_control(response, public=True, no_cache=True)
        return
    stale = {"stale_while_revalidate": STALE_WHILE_REVALIDATE} if revalidate_stale else {}
    patch_cache_control(
        response,
        public=True,
        max_age=min(BROWSER_SECONDS, seconds),
        s_maxage=seconds,
        stale_if_error=STALE_IF_ERROR,
        **stale,
    )


def private(request, response) -> None:
    """Cache-Control of everything else: for a request with a session (staff), and for the
    desk, previews and editor endpoints, `private, no-store`; an anonymous response that says
    nothing itself (a 404) is asked for again each time (`no-cache`)."""
    if "Cache-Control" in response and request.path.startswith((settings.STATIC_URL, settings.MEDIA_URL)):
        return  # files say themselves how long they keep (WhiteNoise: a year, for hashed names)
    if settings.SESSION_COOKIE_NAME in request.COOKIES or request.path.startswith(PASSED):
        del response.headers["Cache-Control"]
        patch_cache_control(response, private=True, no_store=True)
    elif "Cache-Control" not in response:
        patch_cache_control(response, no_cache=True)


HEADER = "X-Page-Cache"
# What a public page reads of its query string; anything else (tracking tags…) changes nothing.
PARAMETERS = ("page", "p", "q")  # p: a page of a sitemap
# Not public pages: never looked up (the admin, the editor, static files, media, previews).
PASSED = ("/admin/", "/editor/", "/markdownx/", "/preview/", "/healthz")
# This process's copies of pages kept in the shared cache (Django's own in-memory cache: it
# expires them and holds at most MAX_ENTRIES).
HERE = LocMemCache("newsroom-pages-here", {"OPTIONS": {"MAX_ENTRIES": 500}})
# A page made less than this long before a purge of one of its keys is out of date: it may have
# read what the change replaced. (The app servers' clocks agree to within it.)
CLOCK_MARGIN = 0.25  # seconds
PURGED = "purged:"  # the shared cache's key of a surrogate key's last purge


def enabled() -> bool:
    return settings.PAGE_CACHE_SECONDS > 0


def shared() -> bool:
    """Does every app server see this cache (Redis), or only this process (local memory)?"""
    return not isinstance(caches["default"], LocMemCache)


def purge(touched) -> None:
    """Pages carrying any of the keys `touched` are out of date, on every app server and in the
    edge caches (newsroom/edge.py). Run once the change has committed.

    The time of the purge is kept for each key: in the shared cache (with no expiry, so that
    Redis's volatile-lru policy evicts pages, never these), or in the database when each process
    has its own cache (every process reads it there). A purge the shared cache misses (an
    outage) is kept in the database as a purge of `all`, which every server copies within
    CHECK_EVERY seconds (_purges_lost()).
    """
    moment = time.time()
    if shared():
        missed = cache.set_many({f"{PURGED}{name}": moment for name in touched}, None)
        if missed:
            PurgedKey.record([keys.ALL], moment)
            logger.warning(
                "The cache missed a purge of %d keys: every page kept before it is dropped.", len(touched)
            )
    else:
        PurgedKey.record(touched, moment)
    edge.purger.purge(touched)


def purged_since(names, moment: float) -> bool:
    """Was any of these keys purged after `moment` (less CLOCK_MARGIN)?"""
    last = _purge_times(names)[1] if shared() else PurgedKey.last(names)
    return last >= moment - CLOCK_MARGIN


def cacheable(request) -> bool:
    return (
        enabled()
        and request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and not request.path.startswith((*PASSED, settings.STATIC_URL, settings.MEDIA_URL))
    )


def key(request) -> str:
    """The page's key: the language, the time zone, the scheme, the host, the path and the parameters
    that matter, hashed.

    The language and zone are the site's (LANGUAGE_CODE, TIME_ZONE): a restart with another must not
    find the pages written with the first still kept in a shared cache (dates and addresses differ).
    """
    wanted = [(name, request.GET.getlist(name)) for name in PARAMETERS if name in request.GET]
    site = f"{get_language()} {timezone.get_current_timezone_name()}"
    address = f"{site} {request.scheme}://{request.get_host()}{request.path}?{wanted!r}"
    # "page3": a kept page is (epoch, made, keys, status, headers, content, until).
    return f"page3:{hashlib.sha256(address.encode()).hexdigest()}"


def lookup(request) -> tuple:
    """(the shared cache's epoch, None with local memory; the page kept for the request if it is
    current, else None). With a shared cache, one round trip for a page this process has a copy of
    (the purge times of its keys), three at most otherwise."""
    page_key = key(request)
    if not shared():
        kept = cache.get(page_key)
        return None, kept if kept is not None and not purged_since(kept[2], kept[1]) else None
    _purges_lost()
    # The copy is this process's: its key carries the shared cache's prefix and version.
    here_key = cache.make_key(page_key)
    copy = HERE.get(here_key)
    if copy is not None:
        epoch, last = _purge_times(copy[2])
        if copy[0] == epoch and last < copy[1] - CLOCK_MARGIN:
            return epoch, copy
    found = cache.get_many([EPOCH, page_key])  # made anew by another server?
    epoch, kept = found.get(EPOCH) or _new_epoch(), found.get(page_key)
    if kept is None or kept[0] != epoch or (copy is not None and kept[1] == copy[1]):
        return epoch, None
    epoch, last = _purge_times(kept[2])
    if kept[0] != epoch or last >= kept[1] - CLOCK_MARGIN:
        return epoch, None
    _keep_here(here_key, kept)
    return epoch, kept


# In the shared cache: a token that changes when it loses the purge times (Redis restarted, or
# emptied), so that this process's copies of pages kept before are not taken for current.
EPOCH = "purges-epoch"


def _purge_times(names) -> tuple:
    """(the shared cache's epoch, when any of these keys was last purged: 0, not that it knows)."""
    found = cache.get_many([EPOCH, *(f"{PURGED}{name}" for name in names)])
    epoch = found.pop(EPOCH, None) or _new_epoch()
    return epoch, max(found.values(), default=0.0)


def _new_epoch() -> str:
    cache.add(EPOCH, uuid.uuid4().hex, None)
    return cache.get(EPOCH) or uuid.uuid4().hex  # none while Redis is away: nothing matches


# How often a process looks in the database for a purge the shared cache missed.
CHECK_EVERY = 5  # seconds
_checked_at = 0.0  # when this process last looked (time.monotonic())


def _purges_lost() -> None:
    """Copy into the shared cache a purge it missed (purge(): an outage, or a command that ran
    while Redis was away), every CHECK_EVERY seconds, and at once after an outage this process
    saw end (newsroom.cache): one primary-key read."""
    global _checked_at
    recoveries = getattr(cache, "recoveries", 0)
    now = time.monotonic()
    if recoveries == getattr(cache, "purges_checked_after", 0) and now - _checked_at < CHECK_EVERY:
        return
    cache.purges_checked_after = recoveries
    _checked_at = now
    missed = PurgedKey.last([keys.ALL])
    if missed and missed > (cache.get(f"{PURGED}{keys.ALL}") or 0.0):
        cache.set(f"{PURGED}{keys.ALL}", missed, None)


def _keep_here(here_key: str, kept) -> None:
    """Copy a page of the shared cache into this process, until the shared cache's copy expires."""
    seconds = kept[6] - time.time()
    if seconds > 0:
        HERE.set(here_key, kept, seconds)


def served(request, kept) -> HttpResponse:
    """The kept page, or a 304 when the client already has it."""
    _epoch, _made, _keys, status, headers, content, until = kept
    response = HttpResponse(content, status=status)
    for name, value in headers:
        response.headers[name] = value
    response[HEADER] = "hit"
    # What is left of its time here; a stale copy only where the page, made, allowed one.
    revalidate_stale = "stale-while-revalidate" in response.get("Cache-Control", "")
    shared_for(response, max(1, int(until - time.time())), revalidate_stale=revalidate_stale)
    return get_conditional_response(
        request,
        etag=response.get("ETag"),
        last_modified=parse_http_date_safe(response.get("Last-Modified", "")),
        response=response,
    )


def keep(request, epoch, made: float, shown: set[str], response) -> None:
    """Keep a successful, cookie-free public page, no longer than until the next scheduled
    publication, with the keys of what it shows, the time it was begun and the shared cache's
    epoch."""
    if (
        not getattr(response, "public_page", False)
        or response.status_code != 200
        or response.streaming
        or response.cookies
        or _varies(response)
    ):
        return
    seconds = lifetime(response.public_until)
    # Its ETag came with it (ConditionalGetMiddleware): kept, it answers If-None-Match on every hit.
    response[HEADER] = "miss"
    headers = [(name, value) for name, value in response.items() if name != HEADER]
    until = time.time() + seconds
    kept = (epoch, made, sorted(shown), response.status_code, headers, response.content, until)
    page_key = key(request)
    cache.set(page_key, kept, seconds)
    if shared():
        _keep_here(cache.make_key(page_key), kept)


def _varies(response) -> bool:
    """Does the response differ by a request header the key leaves out (a cookie, a language…)?"""
    varied = {name.strip().lower() for name in response.get("Vary", "").split(",") if name.strip()}
    return bool(varied - {"accept-encoding"})


class PageCacheMiddleware:
    """Serve kept public pages before the rest of the stack runs; keep new ones on the way out,
    with the keys of what they show (keys.py) in Surrogate-Key and xkey, for edge caches."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        looked, epoch = cacheable(request), None
        if looked:
            epoch, kept = lookup(request)
            if kept is not None:
                return served(request, kept)
        made = time.time()
        shown = keys.collect(request)
        response = self.get_response(request)
        anonymous = settings.SESSION_COOKIE_NAME not in request.COOKIES
        if getattr(response, "public_page", False) and anonymous:
            response[SURROGATE_KEY] = response[XKEY] = " ".join(sorted(shown))
            if looked and purged_since(shown, made):
                # A change was purged while the page was made: it may show what the change
                # replaced, and no cache (here or at the edge) may keep it.
                shared_for(response, 0)
            elif looked:
                keep(request, epoch, made, shown, response)
        elif response.status_code == 304 and anonymous and looked and purged_since(shown, made):
            # The same answer to a cache asking whether its copy still holds (Varnish keeps
            # expired copies to ask so): it may not, and a 304 would renew it.
            shared_for(response, 0)
        else:
            private(request, response)  # not a public page, or one drawn for staff
        return response


SURROGATE_KEY, XKEY = "Surrogate-Key", "xkey"
