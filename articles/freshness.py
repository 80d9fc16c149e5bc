"""When did anything shown to the public last change? (For Last-Modified.)

Saving or deleting an article, author, section, tag or byline, or changing an
article's sections or tags, moves one timestamp; a scheduled article counts
from the moment it appears. Receivers are used here because this is
bookkeeping for HTTP caches, not part of any editorial flow.
"""

import threading
from contextlib import contextmanager
from functools import wraps

from django.db import transaction
from django.db.models import Subquery
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone
from django.utils.http import http_date

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
    second = int(now.timestamp())
    if getattr(_batch, "committed_second", None) == second:
        # Last-Modified counts whole seconds: a mark already committed in this
        # second says the same (bulk imports commit many files a second).
        return
    if not PublicChange.objects.filter(pk=1).update(changed_at=now):
        PublicChange.objects.update_or_create(pk=1, defaults={"changed_at": now})
    transaction.on_commit(lambda: setattr(_batch, "committed_second", second))


def connect():
    for model in WATCHED:
        post_save.connect(touch, sender=model, dispatch_uid=f"freshness-save-{model.__name__}")
        post_delete.connect(touch, sender=model, dispatch_uid=f"freshness-delete-{model.__name__}")
    for through in [Article.categories.through, TaggedArticle]:
        m2m_changed.connect(touch, sender=through, dispatch_uid=f"freshness-m2m-{through.__name__}")


def last_modified():
    """The later of the last change and the newest publication that has come (one query)."""
    released = Article.objects.published().order_by("-published_at").values("published_at")[:1]
    row = (
        PublicChange.objects.filter(pk=1)
        .annotate(released=Subquery(released))
        .values_list("changed_at", "released")
        .first()
    )
    return max((moment for moment in row or () if moment), default=None)


def public(view):
    """Give a public page's successful responses a Last-Modified.

    ConditionalGetMiddleware then answers If-Modified-Since (and, with the
    body's ETag, If-None-Match) with a 304; a 404 stays a 404.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if response.status_code == 200:
            moment = last_modified()
            if moment:
                response.headers["Last-Modified"] = http_date(moment.timestamp())
        return response

    return wrapper
