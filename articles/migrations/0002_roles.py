"""The three roles of the desk, as groups with their permissions."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

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
    "auth.add_user", "auth.change_user", "auth.view_user", "auth.delete_user",
    "auth.add_group", "auth.change_group", "auth.view_group",
]  # fmt: skip
ROLES = {"Writer": WRITER, "Editor": EDITOR, "Chief": CHIEF}


def create_roles(apps, schema_editor):
    # Permissions are normally made after all migrations; the groups need them now.
    for config in apps.get_app_configs():
        config.models_module = True
        create_permissions(config, apps=apps, verbosity=0)
        config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codes in ROLES.items():
        group, _created = Group.objects.get_or_create(name=name)
        wanted = [code.split(".") for code in codes]
        permissions = [Permission.objects.get(content_type__app_label=app, codename=codename) for app, codename in wanted]
        group.permissions.set(permissions)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
