"""Short words on PostgreSQL: grams worked out on save and indexed, instead of an SQL function.

Migration 0004 indexed an SQL function that split each text into characters
on insert, about 10 ms an article: generating or importing a large archive
spent most of its time there, and a search for a common word computed it for
every row again. The grams are now a tsvector column (rendering.grams), whose
GIN index answers for rare words and whose sorted lexemes are cheap to check
row by row for common ones.
"""

import importlib

from django.db import migrations

import articles.models
from articles.text.rendering import grams

FORWARD = [
    "DROP INDEX IF EXISTS article_search_grams",
    "DROP FUNCTION IF EXISTS newsroom_grams(text)",
    "CREATE INDEX article_search_grams ON articles_article USING gin (search_grams)",
]


def fill(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    Article = apps.get_model("articles", "Article")
    for article in Article.objects.only("search_text").iterator(chunk_size=500):
        Article.objects.filter(pk=article.pk).update(search_grams=grams(article.search_text))
    for statement in FORWARD:
        schema_editor.execute(statement)


def restore_function(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    earlier = importlib.import_module("articles.migrations.0004_search")
    schema_editor.execute("DROP INDEX IF EXISTS article_search_grams")
    schema_editor.execute(earlier.GRAMS_FUNCTION)
    schema_editor.execute(earlier.FORWARD[-1])


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0004_search"),
    ]

    operations = [
        migrations.AddField(
            model_name="article",
            name="search_grams",
            field=articles.models.GramsField(blank=True, editable=False),
        ),
        migrations.RunPython(fill, restore_function),
    ]
