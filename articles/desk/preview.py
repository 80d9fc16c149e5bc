"""Previews: staff see any article they may read as it will look; a signed link shows it to a reviewer."""

from django.contrib.admin.views.decorators import staff_member_required
from django.core import signing
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from articles.models import PREVIEW_SALT, Article, PreviewLink, PreviewVisit
from articles.site.drawing import Drawing


def _render(request, article, *, shared=None):
    Article.objects.show([article], sections=True)
    # In the article's language, as its public page (views.ArticleDetailView.get()).
    with translation.override(article.language):
        context = {
            "article": article,
            "preview": True,
            "shared": shared,
            "now_for_preview": timezone.now(),
            **Drawing().article(
                article, neighbours=Article.objects.around(article, related=0)[0], related=[]
            ),
        }
        response = render(request, "articles/article_detail.html", context)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@never_cache
@staff_member_required
def staff_preview(request, pk):
    article = get_object_or_404(Article.objects.for_listing(), pk=pk)
    user = request.user
    if not (user.has_perm("articles.edit_others_article") or article.is_owned_by(user)):
        raise Http404
    return _render(request, article)


@never_cache
def shared_preview(request, signed):
    try:
        token = signing.loads(signed, salt=PREVIEW_SALT)
    except signing.BadSignature:
        raise Http404(_("This preview link is not valid.")) from None
    link = get_object_or_404(PreviewLink.objects.select_related("article"), token=token)
    if not link.is_valid:
        raise Http404(_("This preview link has expired or was revoked."))
    PreviewVisit.objects.create(
        link=link,
        address=request.META.get("REMOTE_ADDR"),
        user_agent=request.headers.get("User-Agent", "")[:300],
    )
    return _render(request, Article.objects.for_listing().get(pk=link.article_id), shared=link)
