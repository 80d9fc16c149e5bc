from django.db import migrations

from articles.migrations import _linkstate as linkstate

# The article's status and publication time on each byline, tag link and section link, kept by
# triggers, with an index that reads an owner's public articles in order (see articles/linkstate.py).


def install(apps, schema_editor):
    linkstate.install(schema_editor)


def remove(apps, schema_editor):
    linkstate.remove(schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0009_owner_links_indexes"),
    ]

    operations = [
        migrations.RunPython(install, remove),
        # What the owners' lists read before, which the indexes above replace.
        migrations.RemoveIndex(model_name="byline", name="byline_author_articles_idx"),
        migrations.RunSQL(
            "DROP INDEX section_articles_idx",
            "CREATE INDEX section_articles_idx ON articles_article_categories (category_id, article_id)",
        ),
    ]
