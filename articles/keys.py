"""Surrogate keys: what a public response shows, and what a change touches.

A public page, feed or sitemap carries a key for each thing it shows, in its
`Surrogate-Key` and `xkey` headers: the key of every article it read
(`article-<id>`, related and previous/next ones included), and the key of the
list it is (`home`, `author-<id>`, `tag-<id>`, `section-<id>`, `archive-<yyyy>`,
`archive-<yyyy>-<mm>`, `search`, `feed`, `sitemap`), `menu` where it shows the
section menu, `archive` where it lists the months, `around-<id>` on an article's
own page (its previous and next links) and `all` everywhere. They are gathered
while the response is made (shows()): an article's key when its row is read
(a model instance, or a teaser of it), a list's key by the view that draws the
list.

A change purges the keys of what it touches, after it commits (purges.py).
"""

from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime

from django.utils import timezone

ALL = "all"  # on every public response: purging it empties every cache
HOME, FEED, SITEMAP, SEARCH, MENU, MONTHS = "home", "feed", "sitemap", "search", "menu", "archive"

_shown: ContextVar[set | None] = ContextVar("shown", default=None)


@contextmanager
def collecting():
    """Gather the keys of what is read inside (shows()): yields the set, `all` in it."""
    keys = {ALL}
    token = _shown.set(keys)
    try:
        yield keys
    finally:
        _shown.reset(token)


def shows(*keys: str) -> None:
    """The response being made shows these (nothing happens outside collecting())."""
    gathered = _shown.get()
    if gathered is not None:
        gathered.update(keys)


def article(pk) -> str:
    return f"article-{pk}"


def around(pk) -> str:
    """An article's own page: it shows the articles before and after it."""
    return f"around-{pk}"


def owner(kind: str, pk) -> str:
    """An author's, tag's or section's pages and feeds (`kind`: author, tag or section)."""
    return f"{kind}-{pk}"


def archive(moment: datetime) -> list[str]:
    """The year's and the month's archive pages of a moment, in the site's zone."""
    local = timezone.localtime(moment)
    return [f"archive-{local.year}", f"archive-{local.year}-{local.month:02}"]


@contextmanager
def listed_as(name: str):
    """Inside, the articles read are not keyed one by one: the response carries the list key
    `name` alone, which every change of a public article purges (a sitemap lists thousands of
    them; their keys would not fit in a header)."""
    shows(name)
    token = _shown.set(set())
    try:
        yield
    finally:
        _shown.reset(token)


def shown_article(sender, instance, **kwargs) -> None:
    """post_init of Article: a response that reads an article shows it."""
    if instance.pk is not None and _shown.get() is not None:
        shows(article(instance.pk))
