"""The article's desk pages beside its change form: the workflow's buttons, share links, revisions
and restore, old addresses."""

from datetime import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from articles.desk import revisions as revisions_module
from articles.desk import workflow
from articles.models import PreviewLink


class ArticleDeskViews:
    """The ModelAdmin views of an article's workflow, share links, revisions and old addresses."""

    def get_urls(self):
        workflow_url = path(
            "<path:object_id>/workflow/",
            self.admin_site.admin_view(self.workflow_view),
            name="articles_article_workflow",
        )
        share_url = path(
            "<path:object_id>/share/",
            self.admin_site.admin_view(self.share_view),
            name="articles_article_share",
        )
        revisions_url = path(
            "<path:object_id>/revisions/",
            self.admin_site.admin_view(self.revisions_view),
            name="articles_article_revisions",
        )
        addresses_url = path(
            "<path:object_id>/addresses/",
            self.admin_site.admin_view(self.addresses_view),
            name="articles_article_addresses",
        )
        return [workflow_url, share_url, revisions_url, addresses_url, *super().get_urls()]

    def addresses_view(self, request, object_id):
        """Remove one of the article's old addresses (`remove` = its id): the chief's call."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        article = self.get_object(request, object_id)
        if article is None or not request.user.has_perm("articles.delete_legacyaddress"):
            raise PermissionDenied
        removed = article.legacy_addresses.filter(pk=number(request.POST.get("remove")))
        self.log_deletions(request, removed)
        for address in removed:
            address.delete()
            self.message_user(
                request,
                _("%(path)s no longer leads to this article.") % {"path": address.path},
                messages.SUCCESS,
            )
        return HttpResponseRedirect(reverse("admin:articles_article_change", args=[article.pk]))

    def revisions_view(self, request, object_id):
        """Every saved version: compare any two (?a=&b=), restore one (?restore=, see _restore())."""
        article = self.get_object(request, object_id)
        if article is None or not self.has_view_permission(request, article):
            raise PermissionDenied
        revisions = article.history.select_related("history_user")
        if request.method == "POST" or "restore" in request.GET:
            return self._restore(request, article, revisions)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "article": article,
            "revisions": revisions,
            "can_restore": self.has_change_permission(request, article),
            "restore_saves": revisions_module.saves_at_once(article),
            "changes": None,
        }
        if request.GET.get("a") and request.GET.get("b"):
            older = get_object_or_404(revisions, history_id=number(request.GET["a"]))
            newer = get_object_or_404(revisions, history_id=number(request.GET["b"]))
            context.update(older=older, newer=newer, changes=revisions_module.diff(older, newer))
        return TemplateResponse(request, "admin/articles/article/revisions.html", context)

    def _restore(self, request, article, revisions):
        """A draft: what differs, to confirm (GET), then a new version (POST). Else: the change form, unsaved."""
        if not self.has_change_permission(request, article):
            raise PermissionDenied
        wanted = request.POST.get("restore") if request.method == "POST" else request.GET.get("restore")
        revision = get_object_or_404(revisions, history_id=number(wanted))
        change_url = reverse("admin:articles_article_change", args=[article.pk])
        if not revisions_module.saves_at_once(article):  # nothing is saved here
            return HttpResponseRedirect(f"{change_url}?{urlencode({'restore': revision.history_id})}")
        if request.method != "POST":
            return self._confirm_restore(request, article, revision)
        try:
            revisions_module.restore(
                article, revision, by=request.user, seen_version=number(request.POST.get("version"))
            )
        except revisions_module.RestoreRefused as refusal:
            self.message_user(request, str(refusal), messages.ERROR)
            return HttpResponseRedirect(request.path)  # the versions as they are now
        done = _("Version %(v)s was restored as a new version.") % {"v": revision.version}
        self.log_change(request, article, done)  # in the admin's history of the article too
        self.message_user(request, done)
        return HttpResponseRedirect(change_url)

    def _confirm_restore(self, request, article, revision):
        current = article.history.first()  # the text as last saved
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "article": article,
            "revision": revision,
            "current": current,
            "changes": revisions_module.diff(current, revision, revisions_module.RESTORED_FIELDS),
        }
        return TemplateResponse(request, "admin/articles/article/restore.html", context)

    def share_view(self, request, object_id):
        """Create a shareable preview link, or revoke one (`revoke` = its id)."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        article = self.get_object(request, object_id)
        if article is None or not request.user.has_perm("articles.review_article"):
            raise PermissionDenied
        if request.POST.get("revoke"):
            article.preview_links.filter(pk=number(request.POST["revoke"]), revoked_at=None).update(
                revoked_at=timezone.now()
            )
            self.message_user(request, _("The preview link was revoked."), messages.SUCCESS)
        else:
            link = PreviewLink.objects.create(article=article, created_by=request.user)
            address = request.build_absolute_uri(link.get_absolute_url())
            self.message_user(
                request, _("Preview link for reviewers (valid 7 days): %(url)s") % {"url": address}
            )
        return HttpResponseRedirect(reverse("admin:articles_article_change", args=[article.pk]))

    def workflow_view(self, request, object_id):
        """The workflow buttons of someone who may act on an article but not edit it."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        article = self.get_object(request, object_id)
        if article is None or not self.has_view_permission(request, article):
            raise PermissionDenied
        return self._after_save(request, article) or HttpResponseRedirect(
            reverse("admin:articles_article_change", args=[article.pk])
        )

    def _after_save(self, request, obj):
        """Perform the workflow button that was pressed, once the edits are saved."""
        action = request.POST.get("_workflow")
        if not action:
            return None
        try:
            workflow.perform(
                obj,
                action,
                by=request.user,
                comment=request.POST.get("_comment", ""),
                publish_at=parse_publish_at(request.POST.get("_publish_at", "")),
            )
        except (workflow.NotAllowed, ValueError, OverflowError) as refusal:
            self.message_user(
                request, _("Saved, but not done: %(reason)s") % {"reason": refusal}, messages.ERROR
            )
        else:
            self.message_user(
                request,
                _("“%(title)s”: %(action)s done.")
                % {
                    "title": obj.title,
                    "action": workflow.ACTIONS[action].label,
                },
                messages.SUCCESS,
            )
            if obj.findings and action != "publish":
                self.message_user(request, copy_desk_note(obj), messages.WARNING)
        return HttpResponseRedirect(reverse("admin:articles_article_change", args=[obj.pk]))


def copy_desk_note(article) -> str:
    if article.blocking_findings:
        return ngettext(
            "The copy desk found %(n)s thing that must be fixed before publishing; see its report.",
            "The copy desk found %(n)s things that must be fixed before publishing; see its report.",
            article.blocking_findings,
        ) % {"n": article.blocking_findings}
    return ngettext(
        "The copy desk has %(n)s warning; see its report.",
        "The copy desk has %(n)s warnings; see its report.",
        article.warning_findings,
    ) % {"n": article.warning_findings}


def number(value) -> int:
    """An id from a request; anything else finds nothing (a 404, never a 500)."""
    return int(value) if str(value).isdigit() else -1


def parse_publish_at(value: str) -> datetime | None:
    if not value.strip():
        return None
    moment = datetime.fromisoformat(value)
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment
