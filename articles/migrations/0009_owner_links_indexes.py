from django.db import migrations, models

# A section's articles from the index alone, as an author's (byline_author_articles_idx) and a
# tag's (tagged_recent_links_idx): what a section page counts and, for a section of few, reads
# first (loading.PublicList). The link table is Django's own for Article.categories, so the index
# is written in SQL; both SQLite and PostgreSQL read this statement.
SECTION_INDEX = "section_articles_idx"


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0008_tagged_recent_links_index"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="byline",
            index=models.Index(fields=["author", "article"], name="byline_author_articles_idx"),
        ),
        migrations.RunSQL(
            f"CREATE INDEX {SECTION_INDEX} ON articles_article_categories (category_id, article_id)",
            f"DROP INDEX {SECTION_INDEX}",
        ),
    ]
