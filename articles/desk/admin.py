from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from simple_history.utils import update_change_reason

from articles.desk import revisions as revisions_module
from articles.desk import workflow
from articles.desk.article_views import ArticleDeskViews, number
from articles.desk.forms import MARKDOWN_EDITOR, ArticleForm, BylineFormSet, opening_with
from articles.models import Article, Byline
from articles.site import addresses
from articles.text import copydesk


class BylineInline(admin.TabularInline):
    model = Byline
    formset = BylineFormSet
    autocomplete_fields = ["author"]
    extra = 0
    min_num = 1
    verbose_name_plural = gettext_lazy("Byline (in order)")

    # The byline is part of the article: whoever may edit the article may edit it.
    def has_add_permission(self, request, obj=None):
        return _can_edit_article(request.user)

    def has_change_permission(self, request, obj=None):
        return _can_edit_article(request.user)

    def has_delete_permission(self, request, obj=None):
        return _can_edit_article(request.user)

    def has_view_permission(self, request, obj=None):
        return _can_edit_article(request.user) or request.user.has_perm("articles.view_article")


def _can_edit_article(user) -> bool:
    return user.has_perm("articles.add_article") or user.has_perm("articles.change_article")


class DeskFilter(admin.SimpleListFilter):
    """One click to the review queue (oldest first) or to one's own articles."""

    title = gettext_lazy("desk")
    parameter_name = "desk"

    def lookups(self, request, model_admin):
        return [("queue", _("Review queue")), ("mine", _("My articles"))]

    def queryset(self, request, queryset):
        if self.value() == "queue":
            return queryset.in_review()
        if self.value() == "mine":
            return queryset.filter(pk__in=Article.objects.owned_by(request.user).values("pk"))
        return queryset


class CopyDeskFilter(admin.SimpleListFilter):
    """What the copy desk found at the last save."""

    title = gettext_lazy("copy desk")
    parameter_name = "copy"

    def lookups(self, request, model_admin):
        return [
            ("block", _("Has blocking findings")),
            ("warn", _("Warnings only")),
            ("clean", _("Nothing found")),
            ("unchecked", _("Not checked yet")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "block":
            return queryset.filter(blocking_findings__gt=0)
        if self.value() == "warn":
            return queryset.filter(blocking_findings=0, warning_findings__gt=0)
        if self.value() == "clean":
            return queryset.filter(blocking_findings=0, warning_findings=0, findings__isnull=False)
        if self.value() == "unchecked":
            return queryset.filter(findings__isnull=True)
        return queryset


@admin.register(Article)
class ArticleAdmin(ArticleDeskViews, admin.ModelAdmin):
    form = ArticleForm
    formfield_overrides = MARKDOWN_EDITOR
    inlines = [BylineInline]
    list_display = [
        "title",
        "status_badge",
        "copy_desk",
        "published_at",
        "byline_names",
        "reading_time",
        "updated_at",
    ]
    list_filter = [
        DeskFilter,
        CopyDeskFilter,
        "status",
        "feature",
        "language",
        "categories",
        "bylines__author",
        "tags",
    ]
    search_fields = ["title", "excerpt", "body", "bylines__author__name"]
    date_hierarchy = "published_at"
    autocomplete_fields = ["categories", "translation"]
    readonly_fields = ["status", "published_at", "reading_time", "revision", "created_by", "guid"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "body", "excerpt", "categories", "tags", "version"]}),
        (gettext_lazy("Hero image"), {"fields": ["hero_image", "hero_alt", "hero_caption", "hero_credit"]}),
        (gettext_lazy("Language"), {"fields": ["language", "translation"]}),
        (gettext_lazy("Front page"), {"fields": ["feature", "featured_until"]}),
        (gettext_lazy("Correction"), {"fields": ["correction_note"], "classes": ["collapse"]}),
        (
            gettext_lazy("Publication"),
            {"fields": ["status", "published_at", "reading_time", "revision", "created_by", "guid"]},
        ),
    ]
    change_form_template = "admin/articles/article/change_form.html"

    class Media:
        js = ["admin/js/tag-suggest.js"]
        css = {"all": ["admin/css/newsroom.css"]}

    def get_queryset(self, request):
        # As ModelAdmin's, annotated before ordering (the queue orders by submission time).
        articles = Article.objects.with_submission_time().order_by(*self.get_ordering(request))
        articles = articles.prefetch_related(
            Prefetch("bylines", queryset=Byline.objects.select_related("author"))
        )
        if request.user.has_perm("articles.edit_others_article"):
            return articles
        return articles.filter(
            pk__in=Article.objects.owned_by(request.user).values("pk")
        )  # writers see their own

    def get_ordering(self, request):
        if request.GET.get(DeskFilter.parameter_name) == "queue":
            return ["submitted_at", "pk"]  # the longest waiting first
        return super().get_ordering(request)

    def has_change_permission(self, request, obj=None):
        """Drafts are edited by their writers (or editors), published pieces corrected by editors."""
        user = request.user
        if not super().has_change_permission(request, obj) or obj is None:
            return super().has_change_permission(request, obj)
        if obj.is_public:
            return user.has_perm("articles.correct_published_article")
        # In review, approved, scheduled or withdrawn from the site, the text is frozen: what was
        # reviewed is what gets published (request changes, unpublish, or go back to draft, to edit).
        if obj.status not in (Article.Status.DRAFT, Article.Status.CHANGES_REQUESTED):
            return False
        return user.has_perm("articles.edit_others_article") or obj.is_owned_by(user)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.has_perm("articles.correct_published_article"):
            fields.append("correction_note")  # a public notice is the editors' to give
        if not request.user.has_perm("articles.publish_article"):
            fields += ["feature", "featured_until"]  # the front page is the editors' to arrange
        return fields

    @admin.display(description=gettext_lazy("status"), ordering="status")
    def status_badge(self, obj):
        scheduled = obj.is_scheduled
        label = _("Scheduled") if scheduled else obj.get_status_display()
        return format_html(
            '<span class="badge badge-{}">{}</span>', "scheduled" if scheduled else obj.status, label
        )

    @admin.display(description=gettext_lazy("copy desk"), ordering="-blocking_findings")
    def copy_desk(self, obj):
        if obj.blocking_findings:
            label = ngettext("%(n)s to fix", "%(n)s to fix", obj.blocking_findings)
            return format_html(
                '<span class="badge badge-block">{}</span>', label % {"n": obj.blocking_findings}
            )
        if obj.warning_findings:
            label = ngettext("%(n)s warning", "%(n)s warnings", obj.warning_findings)
            return format_html(
                '<span class="badge badge-warn">{}</span>', label % {"n": obj.warning_findings}
            )
        if obj.findings is None:
            return format_html('<span class="badge">{}</span>', _("not checked"))
        return format_html('<span class="badge badge-clean">{}</span>', _("OK"))

    @admin.display(description=gettext_lazy("version"))
    def revision(self, obj):
        return obj.version if obj and obj.pk else "—"

    @admin.display(description=gettext_lazy("byline"))
    def byline_names(self, obj):
        return ", ".join(author.name for author in obj.byline())

    def get_form(self, request, obj=None, **kwargs):
        # `version` is the form's own hidden field, not the model's (which no form may edit).
        fields = kwargs.get("fields", flatten_fieldsets(self.get_fieldsets(request, obj)))
        if fields is not None:
            kwargs["fields"] = [name for name in fields if name != "version"]
        restoring = self._restoring(request, obj)
        if restoring is not None:
            kwargs["form"] = opening_with(self.form, revisions_module.restored_text(restoring))
        form = super().get_form(request, obj, **kwargs)
        if "tags" in form.base_fields:  # absent from a read-only form
            form.base_fields["tags"].widget.attrs["data-suggest-url"] = reverse("editor:tags")
        # Show a derived excerpt as a hint, so that an empty box keeps
        # deriving it and anything typed there is the editor's own.
        if restoring is not None:  # (the first paragraph of the body the form opens with)
            hint = revisions_module.derived_excerpt(restoring)
        else:
            hint = getattr(obj, "derived_excerpt", "")  # get_object() puts it there
        if hint and "excerpt" in form.base_fields:
            form.base_fields["excerpt"].widget.attrs["placeholder"] = hint
        return form

    def _restoring(self, request, article):
        """The version the change form opened with (`?restore=`, then `_restore` in its POST), unsaved; or None."""
        wanted = request.POST.get("_restore") if request.method == "POST" else request.GET.get("restore")
        if article is None or article.pk is None or wanted is None:
            return None
        if not self.has_change_permission(request, article):
            return None
        revisions = article.history.select_related("history_user")
        return get_object_or_404(revisions, history_id=number(wanted))

    def _restore_notice(self, request, article) -> dict:
        """What the change form says of a version it opened with: which one, and what differs from now."""
        revision = self._restoring(request, article)
        if revision is None:
            return {}
        current = article.history.first() or article  # the text as last saved
        findings = copydesk.check(revisions_module.loaded(article, revision))
        return {
            "restoring": revision,
            "restore_changes": revisions_module.diff(current, revision, revisions_module.RESTORED_FIELDS),
            "restore_blocking": copydesk.blocking(findings),
            "restore_warnings": [finding for finding in findings if not finding.is_blocking],
        }

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is not None and obj.excerpt_is_derived:
            obj.derived_excerpt, obj.excerpt = obj.excerpt, ""
            obj._loaded_excerpt = ""
        return obj

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        copydesk.keep(obj, form.findings)
        restored = self._restoring(request, obj) if change else None
        super().save_model(request, obj, form, change)
        if restored is not None:
            update_change_reason(obj, f"restored v{restored.version}")
            revisions_module.record(obj, restored, by=request.user)
        if change:  # a new slug moves an article readers know: its old address redirects
            addresses.keep_old_address(article=obj, before=form.known_address)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        article = self.get_object(request, object_id) if object_id else Article()
        if (
            request.method == "POST"
            and article
            and article.pk
            and not self.has_change_permission(request, article)
        ):
            if self.has_view_permission(request, article):
                return self._no_longer_editable(request, article)
        extra_context = {
            **(extra_context or {}),
            "workflow_actions": workflow.available_actions(article, request.user) if article else [],
            "approve_refusal": _approve_refusal(article, request.user),
            "article": article,
            "events": article.events.select_related("actor") if article and article.pk else [],
            "revisions": article.history.select_related("history_user")[:5] if article and article.pk else [],
            **_copy_report(article),
            **self._restore_notice(request, article),
            # What was typed stays, should the save be refused.
            "workflow_comment": request.POST.get("_comment", ""),
            "workflow_publish_at": request.POST.get("_publish_at", ""),
            "preview_links": article.preview_links.filter(revoked_at=None, expires_at__gt=timezone.now())
            if article and article.pk
            else [],
            "old_addresses": article.legacy_addresses.all() if article and article.pk else [],
            "can_remove_addresses": request.user.has_perm("articles.delete_legacyaddress"),
        }
        if extra_context.get("restoring"):
            form_url = request.path  # the form carries the version (_restore); its save leads back without it
        return super().changeform_view(request, object_id, form_url, extra_context)

    def _no_longer_editable(self, request, article):
        """The article moved on (submitted, approved…) while this person edited: give their text back."""
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "article": article,
            "submitted": {name: request.POST.get(name, "") for name in ("title", "excerpt", "body")},
        }
        return TemplateResponse(request, "admin/articles/article/not_saved.html", context, status=409)

    def response_add(self, request, obj, post_url_continue=None):
        return self._after_save(request, obj) or super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        return self._after_save(request, obj) or super().response_change(request, obj)


def _approve_refusal(article, user) -> str | None:
    """Why a reviewer may not approve an article in review (the four-eyes rule), for the workflow panel."""
    if article is None or article.status != Article.Status.IN_REVIEW:
        return None
    if not user.has_perm("articles.review_article"):
        return None
    return workflow.refusal(article, "approve", user)


def _copy_report(article) -> dict:
    """The findings kept at the article's last save, blocking and other."""
    findings = copydesk.stored(article) if article else []
    return {
        "copy_checked": article is not None and article.findings is not None,
        "copy_blocking": [f for f in findings if f.is_blocking],
        "copy_warnings": [f for f in findings if not f.is_blocking],
    }
