"""Revisions of an article (kept by django-simple-history): compare any two, restore one."""

import difflib

from django.utils.translation import gettext_lazy as _

# The text a revision restores, and that a comparison shows.
TEXT_FIELDS = [
    ("title", _("title")),
    ("excerpt", _("excerpt")),
    ("body", _("body")),
    ("hero_alt", _("hero image alt text")),
    ("correction_note", _("correction note")),
]


def diff(older, newer) -> list[dict]:
    """Per field that differs: its label and the unified diff lines (marked +, -, @ or blank)."""
    changes = []
    for name, label in TEXT_FIELDS:
        before, after = getattr(older, name) or "", getattr(newer, name) or ""
        if before == after:
            continue
        lines = difflib.unified_diff(
            before.splitlines(), after.splitlines(), f"v{older.version}", f"v{newer.version}", lineterm=""
        )
        changes.append({"label": label, "lines": [(line[:1], line) for line in list(lines)[2:]]})
    return changes


def restore(article, revision, *, by):
    """Put the revision's text back; saving it makes a new revision."""
    derived = article.excerpt_is_derived
    for name, _label in TEXT_FIELDS:
        setattr(article, name, getattr(revision, name))
    if derived:
        article.excerpt = ""  # a derived excerpt keeps following the body
    # The address stays: restoring text never moves a published article.
    article._history_user = by
    article._change_reason = f"restored v{revision.version}"
    article.save()
    return article
