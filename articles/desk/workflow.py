"""Every change of an article's status goes through `perform()`.

The table below says, for each action, which states it leaves from, which
state it reaches, which permission it needs, whether a comment is required,
and whom it is for (the article's own writers, or anyone with the right).
The admin's buttons, the importer, management commands and tests all call
`perform()`; nothing else sets `Article.status`.
"""

import copy
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from articles.desk import notifications
from articles.models import Article, ArticleEvent
from articles.site import addresses
from articles.text import copydesk

log = logging.getLogger(__name__)
_GRACE = timedelta(minutes=1)  # a time typed a moment ago is "now"
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
    own_only: bool = False  # on one's own articles, unless one may edit others'
    not_own: bool = False  # a second pair of eyes on the text (_wrote()), unless one may approve one's own


def _action(name, sources, target, permission, **rules):
    """A step of the workflow, named and labelled as the log records it (ArticleEvent.Action)."""
    label = ArticleEvent.Action(name).label
    return Action(name, label, frozenset(sources), target, f"articles.{permission}", **rules)


ACTIONS = {
    action.name: action
    for action in [
        _action("submit", {Status.DRAFT, Status.CHANGES_REQUESTED}, Status.IN_REVIEW, "submit_article", own_only=True),
        _action("withdraw", {Status.IN_REVIEW}, Status.DRAFT, "submit_article", own_only=True),
        _action("request_changes", {Status.IN_REVIEW}, Status.CHANGES_REQUESTED, "review_article", comment_required=True),
        _action("approve", {Status.IN_REVIEW}, Status.APPROVED, "review_article", not_own=True),
        _action("publish", {Status.APPROVED, Status.UNPUBLISHED}, Status.PUBLISHED, "publish_article"),
        _action("unpublish", {Status.PUBLISHED}, Status.UNPUBLISHED, "unpublish_article", comment_required=True),
        _action("revert_to_draft", {Status.CHANGES_REQUESTED, Status.APPROVED, Status.UNPUBLISHED}, Status.DRAFT, "submit_article", own_only=True),
    ]
}  # fmt: skip


def _check(article: Article, action: Action, user, comment: str) -> None:
    if not (user.is_active and user.has_perm(action.permission)):
        raise NotAllowed(_("You do not have permission to “%(action)s”.") % {"action": action.label})
    if (
        action.own_only
        and not user.has_perm("articles.edit_others_article")
        and not article.is_owned_by(user)
    ):
        raise NotAllowed(_("“%(action)s” is for the article's own writers.") % {"action": action.label})
    if article.status not in action.sources:
        raise NotAllowed(
            _("“%(title)s” is %(status)s: “%(action)s” is not possible from that state.")
            % {"title": article.title, "status": article.get_status_display(), "action": action.label}
        )
    # (After the state: only an article in review is read for who wrote what.)
    if action.not_own and not user.has_perm("articles.approve_own_article") and _wrote(article, user):
        raise NotAllowed(_four_eyes_refusal(article, user))
    if action.comment_required and not comment.strip():
        raise NotAllowed(_("“%(action)s” needs a comment.") % {"action": action.label})


def _wrote(article: Article, user) -> bool:
    """`user` wrote the text up for approval (see _text_writers()); anyone writes an article not saved yet."""
    return article.pk is None or user.pk in _text_writers(article)


def _text_writers(article: Article) -> set[int]:
    """The ids of who wrote the text up for approval: its creator, its bylines' users, and whoever
    saved a change to its text, address or image since it was last approved (since its creation, if never).

    Every revision is such a change (a save that changes none keeps none: Article.REVISED_FIELDS).
    """
    if article.pk is None:  # being written (an import): by whoever makes it
        return {article.created_by_id} - {None}
    writers = {article.created_by_id} | {author.user_id for author in article.byline()}
    since = article.events.filter(action="approve").order_by("-created_at", "-pk")
    since = since.values_list("created_at", flat=True).first()
    changes = article.history.filter(history_user__isnull=False)
    if since is not None:
        changes = changes.filter(history_date__gt=since)
    return (writers | set(changes.values_list("history_user_id", flat=True))) - {None}


def _four_eyes_refusal(article: Article, user) -> str:
    """The rule, and who may approve instead (five names at most)."""
    people, backend = get_user_model().objects, "django.contrib.auth.backends.ModelBackend"  # the roles'
    chiefs = people.with_perm("articles.approve_own_article", backend=backend)
    able = people.with_perm("articles.review_article", backend=backend).exclude(pk=user.pk)
    able = list(able.filter(Q(pk__in=chiefs) | ~Q(pk__in=_text_writers(article))).order_by("username"))
    names = ", ".join(person.get_full_name() or person.get_username() for person in able[:5])
    if len(able) > 5:
        names = _("%(names)s and %(n)s more") % {"names": names, "n": len(able) - 5}
    return _(
        "Four-eyes rule: an article is approved by someone who neither wrote it nor changed its text, "
        "address or image since it was last approved, and you did. Who may approve it: %(names)s."
    ) % {"names": names or _("nobody else yet (ask a chief editor)")}


def refusal(article: Article, action: str, user) -> str | None:
    """Why `user` may not take `action` on `article` now (for a person to read), or None if they may."""
    try:
        _check(article, ACTIONS[action], user, comment="-")
    except NotAllowed as refused:
        return str(refused)
    return None


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
    return _perform_steps(article, [action], by=by, comment=comment, publish_at=publish_at, via=via)


# What it takes to publish from each state, one permitted step at a time.
_TO_PUBLISHED = {
    Status.DRAFT: ["submit", "approve", "publish"],
    Status.CHANGES_REQUESTED: ["submit", "approve", "publish"],
    Status.IN_REVIEW: ["approve", "publish"],
    Status.APPROVED: ["publish"],
    Status.UNPUBLISHED: ["publish"],
    Status.PUBLISHED: [],
}


def publish_through_review(
    article: Article,
    *,
    by,
    comment: str = "",
    publish_at=None,
    via: str = "admin",
    findings=None,
):
    """Take an article to published through every step of the review, as `by`.

    For the importer and the demo data: each step is checked and logged like
    any other, all in one transaction, so that only someone who may approve
    their own work gets there, and a refused step leaves the article as it was.
    `findings` are the copy desk's on the text just saved in the caller's
    transaction; without them the text is read again. (The importer publishes
    an article it makes with the article's first save: see publish_unsaved().)
    """
    steps = _TO_PUBLISHED[article.status]
    if not steps:
        return article
    return _perform_steps(
        article,
        steps,
        by=by,
        comment=comment,
        publish_at=publish_at,
        via=via,
        findings=findings,
    )


def _perform_steps(
    article: Article, actions: list[str], *, by, comment, publish_at, via, findings=None
) -> Article:
    _known(actions)
    with transaction.atomic():
        locked = Article.objects.select_for_update().get(pk=article.pk)
        # Publishing again at another time moves an article that was public: its old address redirects.
        known = addresses.known_address(locked) if "publish" in actions else None
        events = _take_steps(
            locked, actions, by=by, comment=comment, publish_at=publish_at, via=via, findings=findings
        )
        locked.version += len(actions) - 1  # a version an action; save() adds the last
        # A revision keeps the text; a change of status is in the event log instead. (The save
        # copies the new status and time onto the article's bylines and tag links too: ArticleLink.)
        locked.skip_history_when_saving = True
        locked.save(
            update_fields=[
                *("status", "published_at", "withdrawn_at", "version", "updated_at", "revised_at"),
                *_FINDINGS,
            ]
        )
        if "publish" in actions:
            addresses.keep_old_address(article=locked, before=known)
        _write_events(events, by=by, via=via)
    _copy_back(locked, article)
    return article


@dataclass
class Steps:
    """Steps checked on an article that is not saved yet (publish_unsaved()), for write_log()."""

    events: list[ArticleEvent]
    by: object
    via: str


def write_log(entries: list[ArticleEvent], steps: Steps | None = None) -> None:
    """Write entries made before their article's first save (entry()), and the steps', in one insert.

    They are dated now, after the save, as a revision of the save is.
    """
    now = timezone.now()
    for event in [*entries, *(steps.events if steps else [])]:
        event.created_at = now
    if steps is None:
        ArticleEvent.objects.bulk_create(entries)
    else:
        _write_events(steps.events, by=steps.by, via=steps.via, before=entries)


def publish_unsaved(
    article: Article, *, by, comment: str = "", publish_at=None, via: str = "admin", findings=None
) -> Steps:
    """Take an article not saved yet to published through every step of the review, for its first save.

    The importer's way to make a published article with one insert instead
    of an insert and an update. The steps are checked as
    publish_through_review() checks them; when all pass, `article` takes
    their outcome (status, time, version, the copy desk's findings) and the
    caller saves it, then passes what this returns to write_log(). A refused
    step raises NotAllowed and leaves `article` as it was.
    """
    if article.pk is not None:
        raise ValueError("publish_unsaved() is for an article that is not saved yet")
    actions = _TO_PUBLISHED[article.status]
    _known(actions)
    trial = copy.copy(article)
    events = _take_steps(
        trial, actions, by=by, comment=comment, publish_at=publish_at, via=via, findings=findings
    )
    trial.version += len(actions)  # the first save makes version 1, the import's own
    _copy_back(trial, article)
    for event in events:  # of the caller's article, which its save gives a key
        event.article = article
    return Steps(events, by, via)


def _known(actions: list[str]) -> None:
    unknown = [action for action in actions if action not in ACTIONS]
    if unknown:
        raise NotAllowed(_("Unknown action: %(action)s.") % {"action": unknown[0]})


def _take_steps(article: Article, actions: list[str], *, by, comment, publish_at, via, findings) -> list:
    """Check and take each step on `article` (not saved); return their events (not saved)."""
    events = []
    if findings is not None:
        copydesk.keep(article, findings)
    for action in actions:
        spec = ACTIONS[action]
        _check(article, spec, by, comment)
        if action == "publish" and via == "admin" and publish_at and publish_at < timezone.now() - _GRACE:
            raise NotAllowed(
                _("A publication time in the past would backdate the article; leave it empty to publish now.")
            )
        if action in _CHECKED and findings is None:  # the text is the same at every step
            findings = copydesk.review(article)
        if action == "publish":
            _refuse_blocked(article, findings)
        if action == "unpublish" and article.is_public:  # readers saw it: its addresses answer 410
            article.withdrawn_at = timezone.now()
        before, article.status = article.status, spec.target
        if action == "publish":
            article.published_at = _publication_time(article, publish_at)
        event = _event(article, action, by=by, from_status=before, comment=comment, via=via)
        # A chief may approve text of their own (_check() refused anyone else); the log says so.
        event.own_changes = (
            spec.not_own and by.has_perm("articles.approve_own_article") and _wrote(article, by)
        )
        events.append(event)
    return events


def _write_events(events: list[ArticleEvent], *, by, via: str, before=()) -> None:
    written = ArticleEvent.objects.bulk_create([*before, *events])
    for event in written[len(before) :]:
        # robust: a mail server that is down must not undo (or fail) a step that is done
        transaction.on_commit(lambda event=event: notifications.send_for(event), robust=True)
    if events:
        log.info(
            "%s: %s article %s via %s", by, "+".join(e.action for e in events), events[0].article_id, via
        )


def _copy_back(source: Article, article: Article) -> None:
    for field in Article._meta.concrete_fields:  # the caller's copy, as it stands
        setattr(article, field.attname, getattr(source, field.attname))
    article._loaded_excerpt, article._loaded_text = source._loaded_excerpt, source._loaded_text
    article._loaded_state = source._loaded_state


# The copy desk reads the text again before these; publishing is refused while anything blocks.
_CHECKED = {"submit", "approve", "publish"}
_FINDINGS = ["findings", "blocking_findings", "warning_findings"]


def _refuse_blocked(article: Article, findings: list) -> None:
    blocked = copydesk.blocking(findings)
    if blocked:
        raise NotAllowed(
            _("“%(title)s” cannot be published until the copy desk's blocking findings are fixed: %(list)s.")
            % {"title": article.title, "list": copydesk.summary(blocked)}
        )


def record(
    article: Article, action: str, *, by, from_status: str = "", comment: str = "", via: str = "admin"
):
    """Write an entry in the article's log."""
    event = entry(article, action, by=by, from_status=from_status, comment=comment, via=via)
    event.save()
    return event


def entry(
    article: Article, action: str, *, by, from_status: str = "", comment: str = "", via: str = "admin"
) -> ArticleEvent:
    """An entry for the article's log, not saved yet (record() saves one)."""
    return _event(article, action, by=by, from_status=from_status, comment=comment, via=via)


def _event(article: Article, action: str, *, by, from_status: str, comment: str, via: str) -> ArticleEvent:
    return ArticleEvent(
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
    was_published = article.pk is not None and article.events.filter(action="publish").exists()
    if was_published and article.published_at and article.published_at <= timezone.now():
        return article.published_at
    return timezone.now()
