"""Revisions of an article (kept by django-simple-history): compare any two, restore one."""

import difflib

from django.utils.translation import gettext as _

from . import copydesk
from .models import Article


class RestoreRefused(Exception):
    """The revision's text would put what the copy desk blocks on the public site."""


def _text_fields():
    """The article's text fields with their labels, as the model names them."""
    return [(name, Article._meta.get_field(name).verbose_name) for name in Article.TEXT_FIELDS]


def diff(older, newer) -> list[dict]:
    """Per field that differs: its label and the unified diff lines (marked +, -, @ or blank)."""
    changes = []
    for name, label in _text_fields():
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
    before = copydesk.check(article)
    for name in Article.TEXT_FIELDS:
        setattr(article, name, getattr(revision, name))
    if derived:
        article.excerpt = ""  # a derived excerpt keeps following the body
    # The address stays: restoring text never moves a published article.
    blocked = copydesk.introduced(before, copydesk.review(article))
    if blocked and article.status == Article.Status.PUBLISHED:
        raise RestoreRefused(
            _("Version %(v)s has text the copy desk blocks, and the article is published: %(list)s.")
            % {"v": revision.version, "list": copydesk.summary(blocked)}
        )
    article._history_user = by
    article._change_reason = f"restored v{revision.version}"
    article.save()
    return article
