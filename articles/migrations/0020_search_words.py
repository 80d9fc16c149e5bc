"""Search's words on PostgreSQL: each article's Latin words whole and its title's pieces, indexed
(rendering.words()); the trigram index of the texts, which search no longer reads, is dropped.

A LIKE on a text is estimated by a guess that takes every word for rare: a
word in a quarter of 100,000 articles had PostgreSQL read all 25,000 of them
through the trigram index, twice a page (450 ms each). A tsvector's lexemes
come with statistics of how common each is.
"""

from django.db import migrations

import articles.models
from articles.text.rendering import words

# Every row is rewritten: the GIN indexes are set aside meanwhile and built once after, as
# generate_articles does, rather than grown entry by entry to three times their size.
ASIDE = ["DROP INDEX IF EXISTS article_search_trgm", "DROP INDEX IF EXISTS article_search_grams"]
FORWARD = [
    "CREATE INDEX article_search_grams ON articles_article USING gin (search_grams)",
    "CREATE INDEX article_search_words ON articles_article USING gin (search_words)",
]
BACKWARD = [
    "CREATE INDEX article_search_trgm ON articles_article USING gin (search_text gin_trgm_ops)",
    "DROP INDEX IF EXISTS article_search_words",
]
BATCH = 1000


def fill(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in ASIDE:
        schema_editor.execute(statement)
    Article = apps.get_model("articles", "Article")
    batch = []
    for article in Article.objects.only("search_text", "search_title").order_by("pk").iterator(chunk_size=BATCH):
        article.search_words = words(article.search_text, article.search_title)
        batch.append(article)
        if len(batch) == BATCH:
            Article.objects.bulk_update(batch, ["search_words"])
            batch = []
    Article.objects.bulk_update(batch, ["search_words"])
    for statement in FORWARD:
        schema_editor.execute(statement)


def unfill(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0019_link_article_state"),
    ]

    operations = [
        migrations.AddField(
            model_name="article",
            name="search_words",
            field=articles.models.GramsField(blank=True, editable=False),
        ),
        migrations.RunPython(fill, unfill),
    ]
