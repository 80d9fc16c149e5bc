"""Caching of the public site: when anything public last changed, and the anonymous page cache.

## When anything public changed

When did anything shown to the public last change? (For Last-Modified and the page cache.)

Saving or deleting an article, author, section, tag or byline, or changing an
article's sections or tags, moves one timestamp (and the page cache's mark);
a scheduled article counts from the moment it appears. Receivers are used
here because this is bookkeeping for HTTP caches, not part of any editorial
flow.

## The page cache

The anonymous page cache: a public page or feed, rendered once, served from the cache.

A page is kept with the site's *mark*, a token that changes whenever
anything shown to the public changes (touch() moves it, after the change
commits). A page kept under another mark is out of date: every page reflects
the change on its next request, on every app server, and nothing has to be
deleted.

With a shared cache (Redis) the mark lives in the cache, and a hit costs one
round trip and no query. Each process also keeps a copy of the pages it
served, for as long as the shared cache keeps them: a hit on such a copy
reads only the mark (a few bytes) from the shared cache, not the page again
(a feed is 166 KB), and a copy under an old mark is never served. With the
local-memory cache each process has its own cache, so the mark is read from
the database (one query), which every process sees. A page is kept no
longer than until the next scheduled publication, so that a scheduled
article appears on time. Requests with a session cookie (staff), and
responses that set cookies or vary by cookie, are never cached.

`PageCacheMiddleware` is first in the middleware stack: it serves hits before
anything else runs; a page is stored on the way out, with the headers every
other middleware gave it (security, Content-Security-Policy and
Permissions-Policy included), when its view was wrapped by `public()` (which
marks the response as a public page).
"""

import hashlib
import threading
import time
import uuid
from contextlib import contextmanager
from functools import partial, wraps

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.locmem import LocMemCache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date, parse_http_date_safe
from django.utils.translation import get_language

from articles.models import Article, Author, Byline, Category, PublicChange, Tag, TaggedArticle

WATCHED = [Article, Author, Category, Tag, Byline, TaggedArticle]


_batch = threading.local()


@contextmanager
def one_change():
    """Count everything saved inside as one change, recorded on the way out (for bulk work).

    Nothing is recorded when nothing was saved, or when the block fails: it is
    taken to be rolled back (it runs inside transaction.atomic), and so a failed
    block inside another one leaves the outer one as it was.
    """
    depth = getattr(_batch, "depth", 0)
    before = _batch.changed if depth else False
    _batch.changed = before
    _batch.depth = depth + 1
    try:
        yield
    except BaseException:
        _batch.changed = before
        raise
    finally:
        _batch.depth = depth
    if not depth and _batch.changed:
        touch()


def touch(action=None, **kwargs):
    if action and not action.startswith("post_"):
        return  # m2m_changed fires before and after; once is enough
    if getattr(_batch, "depth", 0):
        _batch.changed = True  # one_change() records it when the batch ends
        return
    moment = timezone.now()
    PublicChange.record(moment)
    # Pages are kept under the mark: once the change is visible, none of them is current. (The
    # stamp is database_mark()'s for this change: _mark_behind() compares them.)
    transaction.on_commit(partial(move_mark, f"{moment.timestamp()}"))


def connect():
    for model in WATCHED:
        post_save.connect(touch, sender=model, dispatch_uid=f"caching-save-{model.__name__}")
        post_delete.connect(touch, sender=model, dispatch_uid=f"caching-delete-{model.__name__}")
    for through in [Article.categories.through, TaggedArticle]:
        m2m_changed.connect(touch, sender=through, dispatch_uid=f"caching-m2m-{through.__name__}")


def public_state(request) -> tuple:
    """PublicChange.state(), read once per request (the page cache may have read it first)."""
    if not hasattr(request, "public_state"):
        request.public_state = PublicChange.state()
    return request.public_state


def database_mark(request) -> str:
    """The page cache's mark as the database knows it: when anything public last changed."""
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


MARK_KEY = "public-mark"
HEADER = "X-Page-Cache"
# What a public page reads of its query string; anything else (tracking tags…) changes nothing.
PARAMETERS = ("page", "p", "q")  # p: a page of a sitemap
# Not public pages: never looked up (the admin, the editor, static files, media, previews).
PASSED = ("/admin/", "/editor/", "/markdownx/", "/preview/", "/healthz")
# This process's copies of pages kept in the shared cache (Django's own in-memory cache: it
# expires them and holds at most MAX_ENTRIES).
HERE = LocMemCache("newsroom-pages-here", {"OPTIONS": {"MAX_ENTRIES": 500}})


def enabled() -> bool:
    return settings.PAGE_CACHE_SECONDS > 0


def shared() -> bool:
    """Does every app server see this cache (Redis), or only this process (local memory)?"""
    return not isinstance(caches["default"], LocMemCache)


def move_mark(stamp: str | None = None) -> str | None:
    """Something public changed: every page kept so far is now out of date. (The new mark.)

    A shared mark starts with the database's mark (`stamp`, read when not given): the time
    of the last public change it was moved for, which _mark_behind() compares."""
    if shared():
        if stamp is None:
            changed_at, _upcoming = PublicChange.state()
            stamp = f"{changed_at.timestamp() if changed_at else 0}"
        mark = f"{stamp}:{uuid.uuid4().hex}"
        cache.set(MARK_KEY, mark, None)
        return mark
    return None


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
    # "page2": a kept page is (mark, status, headers, content, until); pages kept as four were "page".
    return f"page2:{hashlib.sha256(address.encode()).hexdigest()}"


def lookup(request):
    """(the current mark, the page kept under it or None): one cache round trip when shared."""
    page_key = key(request)
    if not shared():
        mark = database_mark(request)
        kept = cache.get(page_key)
        return mark, kept if kept is not None and kept[0] == mark else None
    # The copy is this process's: its key carries the shared cache's prefix and version.
    here_key = cache.make_key(page_key)
    copy = HERE.get(here_key)
    if copy is not None:
        mark = _shared_mark(request, cache.get(MARK_KEY))
        moved = _mark_behind(request, mark)
        if moved:
            return moved, None
        if copy[0] == mark:
            return mark, copy
        kept = cache.get(page_key)  # once after each change: kept anew by another server?
    else:
        found = cache.get_many([MARK_KEY, page_key])
        mark, kept = _shared_mark(request, found.get(MARK_KEY)), found.get(page_key)
        moved = _mark_behind(request, mark)
        if moved:
            return moved, None
    if kept is None or kept[0] != mark:
        return mark, None
    _keep_here(here_key, kept)
    return mark, kept


# How often a process compares the shared mark with the database's last public change.
CHECK_EVERY = 5  # seconds
_checked_at = 0.0  # when this process last compared them (time.monotonic())


def _mark_behind(request, mark: str) -> str | None:
    """The mark, moved, if the database knows of a public change newer than the one it was moved
    for, else None.

    A change moves the mark after it commits; when the cache cannot be reached then (an outage,
    or a command that exits before it answers again), pages kept before the change would be
    served until they expire. So every CHECK_EVERY seconds, and at once after an outage this
    process saw end (newsroom.cache), the mark's stamp is compared with the database's (one
    primary-key read), and moved when it is behind.
    """
    global _checked_at
    recoveries = getattr(cache, "recoveries", 0)
    now = time.monotonic()
    if recoveries == getattr(cache, "mark_checked_after", 0) and now - _checked_at < CHECK_EVERY:
        return None
    cache.mark_checked_after = recoveries
    _checked_at = now
    stamp = database_mark(request)
    if mark.split(":", 1)[0] == stamp:
        return None
    return move_mark(stamp)


def _shared_mark(request, mark):
    """The mark the shared cache gave, or, when it has none (flushed, new), the database's, shared."""
    if mark is None:
        mark = database_mark(request)
        cache.add(MARK_KEY, mark, None)
    return mark


def _keep_here(here_key: str, kept) -> None:
    """Copy a page of the shared cache into this process, until the shared cache's copy expires."""
    seconds = kept[4] - time.time()
    if seconds > 0:
        HERE.set(here_key, kept, seconds)


def served(request, kept) -> HttpResponse:
    """The kept page, or a 304 when the client already has it."""
    _mark, status, headers, content, until = kept
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


def keep(request, mark: str, response) -> None:
    """Keep a successful, cookie-free public page, no longer than until the next scheduled publication."""
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
    kept = (mark, response.status_code, headers, response.content, time.time() + seconds)
    page_key = key(request)
    cache.set(page_key, kept, seconds)
    if shared():
        _keep_here(cache.make_key(page_key), kept)


def _varies(response) -> bool:
    """Does the response differ by a request header the key leaves out (a cookie, a language…)?"""
    varied = {name.strip().lower() for name in response.get("Vary", "").split(",") if name.strip()}
    return bool(varied - {"accept-encoding"})


class PageCacheMiddleware:
    """Serve kept public pages before the rest of the stack runs; keep new ones on the way out."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not cacheable(request):
            response = self.get_response(request)
        else:
            mark, kept = lookup(request)
            if kept is not None:
                return served(request, kept)
            response = self.get_response(request)
            keep(request, mark, response)
        if not getattr(response, "public_page", False) or settings.SESSION_COOKIE_NAME in request.COOKIES:
            private(request, response)  # not a public page, or one drawn for staff
        return response
