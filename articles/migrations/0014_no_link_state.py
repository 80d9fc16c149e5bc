"""The links no longer carry their article's status and publication time (0010): the public pages
are read through the ORM from the articles, and "public" is Article.objects.published() alone.

PublicChange's one row is made here, so that every public page reads the public state in one query.
"""

from django.db import migrations
from django.utils import timezone

from articles.migrations import _linkstate as linkstate


def remove(apps, schema_editor):
    linkstate.remove(schema_editor)


def install(apps, schema_editor):
    linkstate.install(schema_editor)


def make_public_change(apps, schema_editor):
    apps.get_model("articles", "PublicChange").objects.get_or_create(
        pk=1, defaults={"changed_at": timezone.now()}
    )


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0013_published_addresses"),
    ]

    operations = [
        migrations.RunPython(remove, install),
        migrations.RunPython(make_public_change, migrations.RunPython.noop),
    ]
