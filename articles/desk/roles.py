"""The three roles of the desk, as groups with their permissions.

Used by the roles migration and, where groups may be missing (a flushed test
database), by code that needs them.
"""

from django.db.models import Q

WRITER = [
    "articles.add_article", "articles.change_article", "articles.view_article", "articles.submit_article",
    "articles.view_author", "articles.view_category", "articles.view_tag",
]  # fmt: skip
EDITOR = WRITER + [
    "articles.review_article", "articles.publish_article", "articles.unpublish_article",
    "articles.edit_others_article", "articles.correct_published_article",
]  # fmt: skip
CHIEF = EDITOR + [
    "articles.approve_own_article", "articles.delete_article",
    "articles.add_author", "articles.change_author", "articles.delete_author",
    "articles.add_category", "articles.change_category", "articles.delete_category",
    "articles.add_tag", "articles.change_tag", "articles.delete_tag",
    "articles.view_legacyaddress", "articles.delete_legacyaddress",
    "articles.add_sitepage", "articles.change_sitepage", "articles.delete_sitepage", "articles.view_sitepage",
    "auth.add_user", "auth.change_user", "auth.view_user", "auth.delete_user",
    "auth.add_group", "auth.change_group", "auth.view_group",
]  # fmt: skip
ROLES = {"Writer": WRITER, "Editor": EDITOR, "Chief": CHIEF}


def ensure_roles(group_model, permission_model) -> None:
    """Create the groups if missing and give each exactly its permissions: those that exist yet (an
    early migration runs before later models have theirs; the migration that makes a model gives
    its permissions to the roles)."""
    for name, codes in ROLES.items():
        group, _created = group_model.objects.get_or_create(name=name)
        wanted = Q()
        for app, codename in (code.split(".") for code in codes):
            wanted |= Q(content_type__app_label=app, codename=codename)
        group.permissions.set(permission_model.objects.filter(wanted))
