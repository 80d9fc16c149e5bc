"""The three roles of the desk, as groups with their permissions.

Used by the roles migration and, where groups may be missing (a flushed test
database), by code that needs them.
"""

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
    "auth.add_user", "auth.change_user", "auth.view_user", "auth.delete_user",
    "auth.add_group", "auth.change_group", "auth.view_group",
]  # fmt: skip
ROLES = {"Writer": WRITER, "Editor": EDITOR, "Chief": CHIEF}


def ensure_roles(group_model, permission_model) -> None:
    """Create the groups if missing and give each exactly its permissions."""
    for name, codes in ROLES.items():
        group, _created = group_model.objects.get_or_create(name=name)
        wanted = [code.split(".") for code in codes]
        group.permissions.set(
            [
                permission_model.objects.get(content_type__app_label=app, codename=codename)
                for app, codename in wanted
            ]
        )
