"""A published address never breaks: where an article was, and what its old addresses answer.

When an article that has been public moves (a new slug, or a new date of
publication: both are in `/yyyy/mm/dd/slug/`), its old address is kept as a
LegacyAddress pointing at the article, so that it redirects (301) to wherever
the article is now: a chain of moves collapses by construction. The callers
that move articles (the desk's form, the workflow's publish, the importer) read
`known_address()` before the change and call `keep_old_address()` after it.

The public side is `answer()`, for a request that found no public page: an old
address of a public article redirects; the address (or an old one) of an
article readers saw that is not public now (unpublished, back in the review,
or scheduled again) answers 410 Gone, and so does an address taken over by
an article withdrawn since; anything else stays a 404, so that a draft or a
scheduled article does not show that it exists.
"""

from django.http import HttpResponsePermanentRedirect
from django.shortcuts import render
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.cache import patch_cache_control

from articles.models import Article, LegacyAddress

# A browser keeps a permanent redirect for good unless told otherwise; a chief may remove one, or the
# article take its address back, so browsers keep it for an hour (search engines go by the status),
# and shared caches (Varnish) not at all: nothing purges them when it changes.
REDIRECT_SECONDS = 3600


def known_address(article: Article) -> str | None:
    """The address readers have known the article at, or None when it was never public."""
    return article.get_absolute_url() if article.pk and article.has_been_public() else None


def keep_old_address(*, article: Article, before: str | None) -> LegacyAddress | None:
    """After `article` was saved: keep `before` (known_address() before the change) if it moved away.

    An old address the article has now taken back is forgotten (it would point
    at itself). An old address another article left before is taken over:
    it leads to the article that held it last.
    """
    now = LegacyAddress.normalize(article.get_absolute_url())
    if before is None or LegacyAddress.normalize(before) == now:
        return None
    LegacyAddress.objects.filter(article=article, path=now).delete()
    kept, _created = LegacyAddress.objects.update_or_create(
        path=LegacyAddress.normalize(before),
        defaults={"article": article, "original": before, "left_at": timezone.now()},
    )
    return kept


def answer(request):
    """A 301 or a 410 for a GET of a path no public page answered; None to leave it a 404."""
    path = LegacyAddress.normalize(request.path)
    # The article whose own address it is, withdrawn, is the one readers last saw there: not one
    # that left the address before it came.
    own = _article_at(request, path)
    if own is not None and own.is_withdrawn():
        return _gone(request)
    kept = LegacyAddress.objects.select_related("article").filter(path=path).first()
    if kept is not None and kept.article.is_public:
        return _redirect(kept.article.get_absolute_url())
    if kept is not None and kept.article.is_withdrawn():
        return _gone(request)
    return None


def _article_at(request, path: str) -> Article | None:
    """The article whose own address `path` is (public or not), if it is an article's address."""
    try:
        match = resolve(request.path_info, getattr(request, "urlconf", None))
    except Resolver404:
        return None
    if match.view_name != "articles:detail":
        return None
    article = Article.objects.filter(slug=match.kwargs["slug"]).first()
    if article is None or LegacyAddress.normalize(article.get_absolute_url()) != path:
        return None
    return article


def _redirect(location: str) -> HttpResponsePermanentRedirect:
    response = HttpResponsePermanentRedirect(location)
    patch_cache_control(response, max_age=REDIRECT_SECONDS, s_maxage=0)
    return response


def _gone(request):
    """The page that says an article was withdrawn, in the site's design, not indexed.

    It names no article: what was withdrawn (for a legal reason, say) is not repeated.
    """
    response = render(request, "410.html", status=410)
    response["X-Robots-Tag"] = "noindex"
    return response
