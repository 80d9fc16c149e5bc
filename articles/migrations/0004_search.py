"""Search: each article's text folded for search, and on PostgreSQL the indexes that serve it.

pg_trgm serves terms of three characters and more (LIKE '%…%'); trigrams
cannot serve shorter ones, so an expression index holds each text's
two-character grams and its single non-ASCII characters (投資, AI, 港). The
function is declared costly, as it is: the planner then reads the index
rather than computing the grams of every row.
"""

from django.db import migrations, models

from articles.text.rendering import article_searchable, searchable

GRAMS_FUNCTION = r"""
CREATE OR REPLACE FUNCTION newsroom_grams(t text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(DISTINCT g), '{}')
  FROM (
    SELECT c, lag(c) OVER (ORDER BY n) AS p
    FROM unnest(regexp_split_to_array(t, '')) WITH ORDINALITY AS u(c, n)
  ) AS s
  CROSS JOIN LATERAL (VALUES (p || c), (c)) AS v(g)
  WHERE g IS NOT NULL AND g !~ '\s' AND (length(g) = 2 OR g ~ '[^\x01-\x7f]')
$$
COST 100000
"""
FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    GRAMS_FUNCTION,
    "CREATE INDEX article_search_trgm ON articles_article USING gin (search_text gin_trgm_ops)",
    "CREATE INDEX article_search_grams ON articles_article USING gin (newsroom_grams(search_text))",
]
BACKWARD = [
    "DROP INDEX IF EXISTS article_search_grams",
    "DROP INDEX IF EXISTS article_search_trgm",
    "DROP FUNCTION IF EXISTS newsroom_grams(text)",
]


def fill(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    for article in Article.objects.only("title", "excerpt", "body_html").iterator(chunk_size=500):
        Article.objects.filter(pk=article.pk).update(
            search_text=article_searchable(article.title, article.excerpt, article.body_html),
            search_title=searchable(article.title),
        )
    Author = apps.get_model("articles", "Author")
    for author in Author.objects.only("name").iterator(chunk_size=500):
        Author.objects.filter(pk=author.pk).update(search_name=searchable(author.name))


def postgresql_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in FORWARD:
            schema_editor.execute(statement)


def drop_postgresql_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0003_copy_desk_findings"),
    ]

    operations = [
        migrations.AddField(
            model_name="article",
            name="search_text",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.AddField(
            model_name="article",
            name="search_title",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.AddField(
            model_name="author",
            name="search_name",
            field=models.CharField(blank=True, editable=False, max_length=250),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.RunPython(postgresql_indexes, drop_postgresql_indexes),
    ]
