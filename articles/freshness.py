"""When did anything shown to the public last change? (For Last-Modified and the page cache.)

Saving or deleting an article, author, section, tag or byline, or changing an
article's sections or tags, moves one timestamp (and the page cache's mark);
a scheduled article counts from the moment it appears. Receivers are used
here because this is bookkeeping for HTTP caches, not part of any editorial
flow.
"""

import threading
from contextlib import contextmanager
from functools import wraps

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone
from django.utils.http import http_date

from . import pagecache
from .models import Article, Author, Byline, Category, PublicChange, Tag, TaggedArticle

WATCHED = [Article, Author, Category, Tag, Byline, TaggedArticle]


_batch = threading.local()


@contextmanager
def one_change():
    """Count everything saved inside as one change, recorded on the way out (for bulk work).

    Nothing is recorded when nothing was saved, or when the block fails (its
    transaction is then rolled back anyway).
    """
    depth = getattr(_batch, "depth", 0)
    if not depth:
        _batch.changed = False
    _batch.depth = depth + 1
    try:
        yield
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


def public(view):
    """A public page or feed: served from the page cache when it can be, with a Last-Modified.

    ConditionalGetMiddleware then answers If-Modified-Since (and, with the
    body's ETag, If-None-Match) with a 304, from the cache too; a 404 stays a 404.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        known = None

        def known_state():
            nonlocal known
            known = known or PublicChange.state()
            return known

        cacheable = pagecache.cacheable(request)
        if cacheable:
            token = pagecache.mark(lambda: _token(known_state()))
            cached = pagecache.get(request, token)
            if cached is not None:
                return cached

        response = view(request, *args, **kwargs)
        if response.status_code == 200:
            changed_at, released, upcoming = known_state()
            moment = last_modified(changed_at, released)
            if moment:
                response.headers["Last-Modified"] = http_date(moment.timestamp())
            if cacheable:
                pagecache.put(request, token, response, until=upcoming)
        return response

    return wrapper


def _token(known) -> str:
    changed_at, released, _upcoming = known
    return f"{changed_at.timestamp() if changed_at else 0}-{released.timestamp() if released else 0}"
