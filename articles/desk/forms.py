"""The desk's article form: lost-update protection and the copy desk's verdict on a save."""

import copy

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils import timezone
from django.utils.encoding import uri_to_iri
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from markdownx.models import MarkdownxField
from markdownx.widgets import AdminMarkdownxWidget

from articles.models import Article, Tag
from articles.site import addresses
from articles.text import copydesk

# The desk edits Markdown in django-markdownx's editor, with its live preview.
MARKDOWN_EDITOR = {MarkdownxField: {"widget": AdminMarkdownxWidget}}


class BylineFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        kept = [f for f in self.forms if f.cleaned_data.get("author") and not f.cleaned_data.get("DELETE")]
        if not kept:
            raise ValidationError(_("An article needs at least one author in its byline."))


def _last_change(article):
    """Who last changed the article, and when: its latest revision or workflow step."""
    revision = article.history.select_related("history_user").first()
    event = article.events.select_related("actor").last()
    candidates = [(r.history_date, r.history_user) for r in [revision] if r]
    candidates += [(e.created_at, e.actor) for e in [event] if e]
    if not candidates:
        return _("Someone"), article.updated_at
    when, user = max(candidates, key=lambda pair: pair[0])
    return (user.get_username() if user else _("Someone")), when


class ArticleForm(forms.ModelForm):
    # The version the editor started from: a save on top of someone else's is refused.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    opening_text = None  # text a new form shows instead of the article's (see opening_with())
    # A new slug moves an article readers have seen: asked once, shown with the warning (change_form.html).
    confirm_new_address = forms.BooleanField(
        label=gettext_lazy("Change the address; the old one will redirect to the new one"), required=False
    )

    class Meta:
        model = Article
        fields = [
            "title",
            "slug",
            "body",
            "excerpt",
            "categories",
            "tags",
            "hero_image",
            "hero_alt",
            "hero_caption",
            "hero_credit",
            "language",
            "translation",
            "feature",
            "featured_until",
            "correction_note",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "language" in self.fields:  # a form sent without it (a script's) keeps the article's
            self.fields["language"].required = False
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        if not self.is_bound and self.opening_text:
            self.initial.update(self.opening_text)
        # Where readers know the article (None if they never saw it): kept as an old address if it moves.
        self.known_address = addresses.known_address(self.instance)
        self.address_change = None  # (old, new), readable, when this save moves the article

    def clean_language(self):
        return self.cleaned_data.get("language") or self.instance.language

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            self._refuse_a_stale_save(cleaned.get("version"))
            self._confirm_a_new_address(cleaned)
        self.findings = self._check_copy(cleaned)
        return cleaned

    def _confirm_a_new_address(self, cleaned) -> None:
        """A new slug on an article readers have seen: say where it goes, and save only once confirmed."""
        if self.known_address is None or "slug" not in cleaned:
            return
        candidate = copy.copy(self.instance)
        candidate.title = cleaned.get("title") or candidate.title
        candidate.slug = cleaned["slug"] or candidate._unique_slug()  # as save() makes an empty one
        new = candidate.get_absolute_url()
        if new == self.known_address:
            return
        # Shown decoded, as readers read them (浜辺, not %E6%B5%9C%E8%BE%BA), as the old addresses are.
        self.address_change = (uri_to_iri(self.known_address), uri_to_iri(new))
        if not cleaned.get("confirm_new_address"):
            self.add_error(
                "slug",
                ValidationError(
                    _("This slug changes the article's address: confirm the change above the form."),
                    code="new_address",
                ),
            )

    def _check_copy(self, cleaned) -> list[copydesk.Finding]:
        """The copy desk on the text as it would be saved; refused where it would go public broken."""
        candidate = copy.copy(self.instance)
        for name in ("title", "body", "excerpt", "hero_alt", "hero_image", "correction_note"):
            if name in cleaned:
                setattr(candidate, name, cleaned[name] or "")
        findings = copydesk.check(candidate, tags=cleaned.get("tags"))
        if self.instance.status != Article.Status.PUBLISHED or not copydesk.blocking(findings):
            return findings
        # A correction must not add what the copy desk blocks (what was already there is shown, not refused).
        blocked = copydesk.introduced(copydesk.check(self.instance), findings)
        if blocked:
            raise ValidationError(
                _(
                    "This article is published, and the copy desk found text that must not go public: "
                    "%(list)s. Nothing was saved; fix these and save again."
                )
                % {"list": copydesk.summary(blocked)},
                code="blocked",
            )
        return findings

    def _refuse_a_stale_save(self, started_from):
        # The admin runs this form inside the transaction that saves it: the
        # row stays locked until then, so no one can save in between.
        current = (
            Article.objects.select_for_update().filter(pk=self.instance.pk).values_list("version", flat=True)
        )
        current = current.first()
        if started_from == current:
            return
        who, when = _last_change(self.instance)
        raise ValidationError(
            _(
                "%(who)s saved this article at %(when)s, after you opened it (version %(mine)s, now %(now)s). "
                "Your text is still below: copy what you changed, reload the page to see their version, "
                "and apply your changes again."
            )
            % {
                "who": who,
                "when": date_format(timezone.localtime(when), "DATETIME_FORMAT"),
                "mine": started_from,
                "now": current,
            },
            code="stale",
        )

    def clean_tags(self):
        names = self.cleaned_data["tags"]
        limit = Tag._meta.get_field("name").max_length
        for name in names:
            if len(name) > limit:
                raise ValidationError(
                    _("The tag “%(name)s…” has %(length)d characters; a tag can have at most %(limit)d.")
                    % {"name": name[:20], "length": len(name), "limit": limit}
                )
        return names


def opening_with(form_class: type[ArticleForm], text: dict) -> type[ArticleForm]:
    """`form_class`, its new forms showing `text` (a restored version's, not saved) in place of the article's.

    The version stays the article's own, so that a save on top of a newer one is still refused.
    """
    return type(form_class.__name__, (form_class,), {"opening_text": text})


class TagForm(forms.ModelForm):
    """A tag's name is on every article that carries it: the copy desk reads it too."""

    class Meta:
        model = Tag
        fields = ["name", "slug"]

    def clean_name(self):
        name = self.cleaned_data["name"]
        blocked = copydesk.blocking(copydesk.check_tag_name(name))
        if blocked:
            raise ValidationError(
                _("The copy desk blocks this name: %(reasons)s")
                % {"reasons": " ".join(finding.message for finding in blocked)},
                code="blocked",
            )
        return name
