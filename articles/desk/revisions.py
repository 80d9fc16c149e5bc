"""Revisions of an article (kept by django-simple-history): compare any two, restore one.

A restore never changes what readers see by itself. A draft (or one sent back
for changes) takes an old version's text as a new version, once a page showing
what differs is confirmed; any other article its editor may change gets the
old text in its change form, not saved, and saving it is a correction like any
other (the copy desk, the version check, the log).
"""

import copy
import difflib

from django.db import transaction
from django.utils.translation import gettext as _
from simple_history.utils import update_change_reason

from articles.desk import workflow
from articles.models import Article
from articles.text import copydesk, rendering

# What a restore brings back. The hero image's alt text goes with the image, which a
# restore leaves as it is; a correction note, once shown to readers, stays on record.
RESTORED_FIELDS = ("title", "excerpt", "body")
# Text no reader has seen (the review's own drafts): restored as a new version at once.
SAVED_AT_ONCE = (Article.Status.DRAFT, Article.Status.CHANGES_REQUESTED)


class RestoreRefused(Exception):
    """The restore cannot be saved; the message says why, for a person to read."""


def diff(older, newer, fields=Article.REVISED_FIELDS) -> list[dict]:
    """Per field that differs: its label and the unified diff lines (marked +, -, @ or blank)."""
    changes = []
    for name in fields:
        # (str(): an image is compared by its file's name)
        before, after = str(getattr(older, name) or ""), str(getattr(newer, name) or "")
        if before == after:
            continue
        lines = difflib.unified_diff(
            before.splitlines(), after.splitlines(), f"v{older.version}", f"v{newer.version}", lineterm=""
        )
        label = Article._meta.get_field(name).verbose_name
        changes.append({"label": label, "lines": [(line[:1], line) for line in list(lines)[2:]]})
    return changes


def saves_at_once(article) -> bool:
    """A restore is saved from the revisions page (after a confirmation), not through the change form."""
    return article.status in SAVED_AT_ONCE


def derived_excerpt(revision) -> str:
    """The excerpt the revision's body gives, as Article.save() derives one."""
    return rendering.render(revision.body).excerpt


def restored_text(revision) -> dict:
    """The text a restore of `revision` gives an article, field by field, as the change form takes it.

    Revisions keep no `excerpt_is_derived`: an excerpt other than the one the
    version's own body gives was typed, and comes back typed; a derived one
    comes back empty, to follow the body again. Either way the excerpt saved
    is the version's, as diff() shows it.
    """
    text = {name: getattr(revision, name) for name in RESTORED_FIELDS}
    if text["excerpt"] == derived_excerpt(revision):
        text["excerpt"] = ""
    return text


def loaded(article, revision) -> Article:
    """A copy of `article` with the text a restore of `revision` gives it, not saved (for the copy desk)."""
    candidate = copy.copy(article)
    for name, value in restored_text(revision).items():
        setattr(candidate, name, value)
    return candidate


def restore(article, revision, *, by, seen_version: int):
    """Save the revision's text as a new version of a draft, unless it moved on since `seen_version`.

    The address stays: restoring text never moves an article.
    """
    with transaction.atomic():
        current = Article.objects.select_for_update().values_list("version", "status").get(pk=article.pk)
        if current[1] not in SAVED_AT_ONCE:
            raise RestoreRefused(
                _(
                    "“%(title)s” is no longer a draft: open the version in its change form to check and save it."
                )
                % {"title": article.title}
            )
        if current[0] != seen_version:
            raise RestoreRefused(
                _(
                    "Someone saved the article after you compared (version %(mine)s, now %(now)s): compare again."
                )
                % {"mine": seen_version, "now": current[0]}
            )
        for name, value in restored_text(revision).items():
            setattr(article, name, value)
        copydesk.review(article)
        article.saved_by = by
        article.save()
        update_change_reason(article, f"restored v{revision.version}")
        record(article, revision, by=by)
    return article


def record(article, revision, *, by) -> None:
    """Note a restore just saved in the article's log, which the desk shows: which version, saved as which."""
    comment = _("Version %(old)s restored, saved as version %(new)s.") % {
        "old": revision.version,
        "new": article.version,
    }
    workflow.record(article, "restore", by=by, comment=comment)
