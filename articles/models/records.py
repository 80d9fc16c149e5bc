"""What is kept about articles: their log, old addresses, the public state, preview links."""

import uuid
from datetime import timedelta
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.core import signing
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from articles.models.articles import Article


class ArticleEvent(models.Model):
    """One entry of an article's log: a status change or an import, by whom and when."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("by")
    )

    class Action(models.TextChoices):
        """What an entry records: a step of the workflow (desk/workflow.py), or an import."""

        SUBMIT = "submit", _("Submit for review")
        WITHDRAW = "withdraw", _("Withdraw")
        REQUEST_CHANGES = "request_changes", _("Request changes")
        APPROVE = "approve", _("Approve")
        PUBLISH = "publish", _("Publish")
        UNPUBLISH = "unpublish", _("Unpublish")
        REVERT_TO_DRAFT = "revert_to_draft", _("Back to draft")
        IMPORT = "import", _("Import")
        RESTORE = "restore", _("Restored an old version")  # a note: no change of status

    action = models.CharField(_("action"), max_length=30, choices=Action.choices)
    from_status = models.CharField(_("from"), max_length=20)
    to_status = models.CharField(_("to"), max_length=20)
    comment = models.TextField(_("comment"), blank=True)
    via = models.CharField(_("via"), max_length=20, default="admin")
    created_at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    own_changes = models.BooleanField(
        _("approved own changes"),
        default=False,
        help_text=_("A chief approved text they wrote or changed since its last approval."),
    )

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("event")
        verbose_name_plural = _("events")

    def __str__(self):
        return f"{self.action}: {self.from_status} → {self.to_status}"


class LegacyAddress(models.Model):
    """An address the article had, on the old site or here; it redirects permanently to the article.

    Imports bring the old site's (permalinks, aliases); a public article that
    changes slug or date leaves its address here (addresses.py). The record
    points at the article, not at an address, so it always leads to where the
    article is now.
    """

    path = models.CharField(_("old address"), max_length=500, unique=True)
    original = models.CharField(_("as written"), max_length=500, blank=True)
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="legacy_addresses")
    left_at = models.DateTimeField(
        _("left at"),
        null=True,
        blank=True,
        help_text=_("When the article left this address here; empty for an address of the old site."),
    )

    class Meta:
        ordering = ["pk"]
        verbose_name = _("old address")
        verbose_name_plural = _("old addresses")

    def __str__(self):
        return self.path

    @staticmethod
    def normalize(address: str) -> str:
        """One form for every way of writing an old address, for look-ups.

        `https://old.example.com/a/b.html?x=1`, `/a/b/index.html`, `a/b/`,
        `/a/b` and `/a/%E8%A8%98` (decoded) all become `/a/b` (or `/a/記`).
        """
        path = unquote(urlsplit(address.strip()).path)
        path = "/" + path.strip("/")
        for ending in ("/index.html", "/index.htm", ".html", ".htm"):
            path = path.removesuffix(ending)
        return path.rstrip("/") or "/"


class PublicChange(models.Model):
    """One row: when anything a public page or feed shows last changed, and the next change to come
    by itself as of then (a scheduled publication, a front-page pick ending).

    It gives every public response a Last-Modified that moves when an author
    is renamed or an article deleted, not only when an article is saved. A
    scheduled article comes out without a write: the first request that
    finds `upcoming` past records it as a change (state()).
    """

    changed_at = models.DateTimeField()
    # The earliest such change still to come when the row was last written; None: none was.
    upcoming = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("public change")

    def __str__(self):
        return str(self.changed_at)

    @classmethod
    def record(cls, moment) -> None:
        """Something public changed at `moment` (purges.changed(), inside the change's transaction)."""
        cls.objects.update_or_create(
            pk=1, defaults={"changed_at": moment, "upcoming": Article.objects.next_change()}
        )

    @classmethod
    def state(cls) -> tuple:
        """(when anything public last changed, the next change to come by itself): what every public
        response is dated by (its Last-Modified; the values kept for every page), and how long a
        kept page may live. One primary-key read.

        Nothing became public since the row was written unless its `upcoming` has come (every
        article public since then was scheduled at that time). When it has, the publications that
        came are recorded as the change they are, once, by whoever sees them first.
        """
        found = cls.objects.filter(pk=1).values_list("changed_at", "upcoming")[:1]
        changed_at, upcoming = found[0] if found else (None, None)
        now = timezone.now()
        if upcoming is None or upcoming > now:
            return changed_at, upcoming
        released = (
            Article.objects.published().order_by("-published_at").values_list("published_at", flat=True)
        )
        came = released.first()
        # Its time, unless that is not after the last change (clocks apart): then now, so it moves.
        changed_at = came if changed_at is None or (came and came > changed_at) else now
        upcoming_now = Article.objects.next_change()
        # Conditional: a change recorded meanwhile (purges.changed()) stands.
        cls.objects.filter(pk=1, upcoming=upcoming).update(changed_at=changed_at, upcoming=upcoming_now)
        return changed_at, upcoming_now


class PurgedKey(models.Model):
    """When the pages carrying a surrogate key (articles/keys.py) were last purged, for app servers
    that each keep pages in their own memory (no Redis): a page begun before is out of date. With
    Redis, the time of a purge Redis missed, as a purge of every page (key "all")."""

    key = models.CharField(max_length=100, primary_key=True)
    purged_at = models.FloatField(help_text="Seconds since the epoch (time.time()).")

    class Meta:
        verbose_name = _("purged key")

    def __str__(self):
        return self.key

    @classmethod
    def record(cls, keys, moment: float) -> None:
        cls.objects.bulk_create(
            [cls(key=key, purged_at=moment) for key in keys],
            update_conflicts=True,
            unique_fields=["key"],
            update_fields=["purged_at"],
        )

    @classmethod
    def last(cls, keys) -> float:
        """When any of `keys` was last purged; 0 when none was."""
        found = cls.objects.filter(key__in=list(keys)).aggregate(last=models.Max("purged_at"))["last"]
        return found or 0.0


def _in_a_week():
    return timezone.now() + timedelta(days=7)


class PreviewLink(models.Model):
    """A signed address that shows an unpublished article to someone without a login."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="preview_links")
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"), default=_in_a_week)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("preview link")

    def __str__(self):
        return f"{self.article} ({self.expires_at:%Y-%m-%d})"

    def get_absolute_url(self):
        signed = signing.dumps(str(self.token), salt=PREVIEW_SALT)
        return reverse("articles:shared_preview", kwargs={"signed": signed})

    @property
    def is_valid(self) -> bool:
        return self.revoked_at is None and timezone.now() < self.expires_at


PREVIEW_SALT = "articles.preview"


class PreviewVisit(models.Model):
    """Every use of a preview link, for the record."""

    link = models.ForeignKey(PreviewLink, on_delete=models.CASCADE, related_name="visits")
    at = models.DateTimeField(default=timezone.now)
    address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-at"]

    def __str__(self):
        return f"{self.link_id} at {self.at}"
