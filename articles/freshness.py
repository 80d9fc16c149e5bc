"""When did anything shown to the public last change? (For Last-Modified and the page cache.)

Saving or deleting an article, author, section, tag or byline, or changing an
article's sections or tags, moves one timestamp (and the page cache's mark);
a scheduled article counts from the moment it appears. Receivers are used
here because this is bookkeeping for HTTP caches, not part of any editorial
flow.
"""

import threading
import zlib
from contextlib import contextmanager
from functools import wraps

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone
from django.utils.cache import quote_etag
from django.utils.http import http_date

from . import loading, pagecache
from .models import Article, Author, Byline, Category, PublicChange, Tag, TaggedArticle

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
    now = timezone.now()
    if not PublicChange.objects.filter(pk=1).update(changed_at=now):
        PublicChange.objects.update_or_create(pk=1, defaults={"changed_at": now})
    # Pages are kept under the mark: once the change is visible, none of them is current.
    transaction.on_commit(pagecache.move_mark)


def connect():
    for model in WATCHED:
        post_save.connect(touch, sender=model, dispatch_uid=f"freshness-save-{model.__name__}")
        post_delete.connect(touch, sender=model, dispatch_uid=f"freshness-delete-{model.__name__}")
    for through in [Article.categories.through, TaggedArticle]:
        m2m_changed.connect(touch, sender=through, dispatch_uid=f"freshness-m2m-{through.__name__}")


def last_modified(changed_at, released):
    """The later of the last change and the newest publication that has come."""
    return max((moment for moment in (changed_at, released) if moment), default=None)


def public_state(request) -> tuple:
    """PublicChange.state()'s times, asked once per request (the page cache, or the page's articles,
    may have brought them already).

    When it is a public request's first query, it is the check of a connection kept from an earlier
    request (loading.checked()).
    """
    if not hasattr(request, "_public_state"):
        _remember(request, loading.checked(PublicChange.state))
    return request._public_state


def _remember(request, state: tuple) -> None:
    *times, request._sections = state
    request._public_state = tuple(times)


def sections(request) -> list:
    """The menu's sections: read with the public state, on a public page; else on their own."""
    if hasattr(request, "_sections"):
        return request._sections
    return loading.all_sections()


def database_mark(request) -> str:
    """The page cache's mark as the database knows it: the last change and the newest publication."""
    changed_at, released, _upcoming = public_state(request)
    return f"{changed_at.timestamp() if changed_at else 0}-{released.timestamp() if released else 0}"


def etag(body: bytes) -> str:
    """The body's length and CRC-32: ConditionalGetMiddleware's MD5 took a quarter of a millisecond
    for a feed. An edit that kept both the same would have one chance in four billion."""
    return quote_etag(f"{len(body):x}-{zlib.crc32(body):08x}")


def public(view):
    """A public page or feed: a Last-Modified, and kept by the page cache (pagecache.Middleware).

    ConditionalGetMiddleware then answers If-Modified-Since (and, with the
    body's ETag set here, If-None-Match) with a 304; a 404 stays a 404.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        started = timezone.now()
        if hasattr(request, "_public_state"):  # the page cache asked for it, before the page
            response = view(request, *args, **kwargs)
        else:
            # A page's list of articles brings the state (loading.carrying_state(); the feeds,
            # read through the ORM, do not); its first query is then the check of a connection
            # kept from an earlier request, and a page read again on a new connection brings it
            # again.
            def read():
                with loading.carrying_state(lambda state: _remember(request, state)):
                    return view(request, *args, **kwargs)

            response = loading.checked(read)
        if response.status_code == 200:
            # A page that read no such list (a feed, a sitemap…) reads the state now, after it was made.
            changed_at, released, upcoming = public_state(request)
            moment = last_modified(changed_at, released)
            # Read after the page's first query, the state may tell of a change (or a scheduled
            # article) that came while the page was made, and that the page may lack: such a page
            # claims no time (a client asking If-Modified-Since would keep the older copy until
            # the next change), and the page cache does not keep it (the next publication would
            # not bound how long).
            current = moment is None or moment <= started
            if moment and current:
                response.headers["Last-Modified"] = http_date(moment.timestamp())
            if hasattr(response, "render") and not response.is_rendered:
                response.render()
            if not response.streaming:
                response.headers["ETag"] = etag(response.content)
            response.public_page = current
            response.public_until = upcoming  # the next scheduled publication, if any
        return response

    return wrapper
