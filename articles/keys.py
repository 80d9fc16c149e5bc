"""Surrogate keys: what a public response shows, named so that a change can purge it.

A public page, feed or sitemap carries a key for each thing it shows, in its
`Surrogate-Key` and `xkey` headers: the key of every article it shows
(`article-<id>`, related and previous/next ones included), and the key of the
list it is (`home`, `author-<id>`, `tag-<id>`, `section-<id>`, `archive-<yyyy>`,
`archive-<yyyy>-<mm>`, `search`, `feed`, `sitemap`), `menu` where it shows the
section menu, `archive` where it lists the months, `years` where it lists the
years (the footer), `footer` where it lists the site's own pages (the footer),
`page-<id>` on a site page (about, contact…), `around-<id>` on an article's own
page (its previous and next links) and `all` everywhere.

They are gathered on the request while the response is made: the page cache
(caching.PageCacheMiddleware) starts the set, and each view, feed and context
processor adds the keys of what it read, with the request it was given
(shows(), shows_articles()). A change purges the keys of what it touches, after
it commits (purges.py).
"""

from datetime import datetime

from django.utils import timezone

ALL = "all"  # on every public response: purging it empties every cache
HOME, FEED, SITEMAP, SEARCH, MENU, MONTHS = "home", "feed", "sitemap", "search", "menu", "archive"
YEARS, FOOTER = "years", "footer"


def collect(request) -> set[str]:
    """Start gathering the keys of what the response to `request` shows."""
    request.surrogate_keys = {ALL}
    return request.surrogate_keys


def shows(request, *names: str) -> None:
    """The response to `request` shows these (nothing happens where no one gathers them)."""
    gathered = getattr(request, "surrogate_keys", None)
    if gathered is not None:
        gathered.update(names)


def shows_articles(request, articles) -> None:
    """The response shows these articles (anything with a `pk`: instances, teasers)."""
    shows(request, *(article(item.pk) for item in articles if item is not None))


def article(pk) -> str:
    return f"article-{pk}"


def site_page(pk) -> str:
    """A site page's own (about, contact…): the footer's links to it carry FOOTER."""
    return f"page-{pk}"


def around(pk) -> str:
    """An article's own page: it shows the articles before and after it."""
    return f"around-{pk}"


def owner(kind: str, pk) -> str:
    """An author's, tag's or section's pages and feeds (`kind`: author, tag or section)."""
    return f"{kind}-{pk}"


def period(year: int, month: int | None = None) -> list[str]:
    """A year's archive page, and a month's (which is in the year's)."""
    return [f"archive-{year}"] + ([f"archive-{year}-{month:02}"] if month else [])


def archive(moment: datetime) -> list[str]:
    """The archive pages of a moment's year and month, in the site's zone."""
    local = timezone.localtime(moment)
    return period(local.year, local.month)
