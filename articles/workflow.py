"""Every change of an article's status goes through `perform()`.

The table below says, for each action, which states it leaves from, which
state it reaches, which permission it needs and whether a comment is
required. The admin's buttons, management commands and tests all call
`perform()`; nothing else sets `Article.status`.
"""

import logging
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Article, ArticleEvent

log = logging.getLogger(__name__)
Status = Article.Status


class NotAllowed(Exception):
    """The action is refused; the message says why, for a person to read."""


@dataclass(frozen=True)
class Action:
    name: str
    label: str
    sources: frozenset[str]
    target: str
    permission: str
    comment_required: bool = False


ACTIONS = {
    action.name: action
    for action in [
        Action("publish", _("Publish"), frozenset({Status.DRAFT}), Status.PUBLISHED, "articles.publish_article"),
        Action("unpublish", _("Unpublish"), frozenset({Status.PUBLISHED}), Status.DRAFT, "articles.unpublish_article"),
    ]
}  # fmt: skip


def _check(article: Article, action: Action, user, comment: str) -> None:
    if not user.has_perm(action.permission):
        raise NotAllowed(_("You do not have permission to “%(action)s” articles.") % {"action": action.label})
    if article.status not in action.sources:
        raise NotAllowed(
            _("“%(title)s” is %(status)s: “%(action)s” is not possible from that state.")
            % {"title": article.title, "status": article.get_status_display(), "action": action.label}
        )
    if action.comment_required and not comment.strip():
        raise NotAllowed(_("“%(action)s” needs a comment.") % {"action": action.label})


def available_actions(article: Article, user) -> list[Action]:
    """The actions `user` may perform on `article` now."""
    result = []
    for action in ACTIONS.values():
        try:
            _check(article, action, user, comment="-")
        except NotAllowed:
            continue
        result.append(action)
    return result


def perform(
    article: Article,
    action: str,
    *,
    by,
    comment: str = "",
    publish_at: datetime | None = None,
    via: str = "admin",
) -> Article:
    """Perform `action` on `article` for user `by`, or raise NotAllowed.

    `via` says where the request came from (admin, import, command) for the log.
    """
    if action not in ACTIONS:
        raise NotAllowed(_("Unknown action: %(action)s.") % {"action": action})
    spec = ACTIONS[action]
    with transaction.atomic():
        locked = Article.objects.select_for_update().get(pk=article.pk)
        _check(locked, spec, by, comment)
        before = locked.status
        locked.status = spec.target
        if action == "publish":
            locked.published_at = _publication_time(locked, publish_at)
        locked.save(update_fields=["status", "published_at", "version", "updated_at", "revised_at"])
        record(locked, action, by=by, from_status=before, comment=comment, via=via)
    log.info("%s: %s article %s via %s", by, action, locked.pk, via)
    for field in Article._meta.concrete_fields:  # the caller's copy, as saved
        setattr(article, field.attname, getattr(locked, field.attname))
    article._loaded_excerpt, article._loaded_text = locked._loaded_excerpt, locked._loaded_text
    return article


def record(
    article: Article, action: str, *, by, from_status: str = "", comment: str = "", via: str = "admin"
):
    """Write an entry in the article's log."""
    return ArticleEvent.objects.create(
        article=article,
        actor=by if by and by.pk else None,
        action=action,
        from_status=from_status or article.status,
        to_status=article.status,
        comment=comment,
        via=via,
    )


def _publication_time(article: Article, publish_at: datetime | None) -> datetime:
    # A piece published before keeps its date (and so its address) unless a
    # new time is given; a future time schedules it. A date a draft merely
    # carries (from an import, say) is not a publication: it goes out now.
    if publish_at is not None:
        return publish_at
    was_published = article.events.filter(action="publish").exists()
    if was_published and article.published_at and article.published_at <= timezone.now():
        return article.published_at
    return timezone.now()
