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
    """PublicChange.state(), read once per request (the page cache may have read it first)."""
    if not hasattr(request, "public_state"):
        request.public_state = PublicChange.state()
    return request.public_state


def database_mark(request) -> str:
    """The page cache's mark as the database knows it: the last change and the newest publication."""
    changed_at, released, _upcoming = public_state(request)
    return f"{changed_at.timestamp() if changed_at else 0}-{released.timestamp() if released else 0}"


def public(view):
    """A public page or feed: dated by the last public change, and kept by the page cache
    (pagecache.Middleware).

    Django's ConditionalGetMiddleware answers If-Modified-Since and If-None-Match from the
    Last-Modified set here and the ETag it makes, on a 200 alone. (Django's condition()
    decorator answers before the view runs: a page that turns out to be a 404, an owner without
    a public article or a page number past the end, would be answered 304.) The state is read
    before the page, so a page is never older than the time it claims.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        changed_at, released, upcoming = public_state(request)
        response = view(request, *args, **kwargs)
        if response.status_code == 200:
            moment = last_modified(changed_at, released)
            if moment:
                response.headers["Last-Modified"] = http_date(moment.timestamp())
            response.public_page = True
            response.public_until = upcoming  # the next scheduled publication
        return response

    return wrapper
