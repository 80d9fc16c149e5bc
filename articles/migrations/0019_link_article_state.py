"""Bylines and tag links carry their article's status and publication time (ArticleLink), with an index
on (owner, status, time) that an author's or a tag's page reads in order.

The copies of existing links are filled here from their articles, before the indexes are built;
from then on each new link copies its article's state and Article.save() rewrites the copies.
"""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_article_state(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    for name, article in [("Byline", "article"), ("TaggedArticle", "content_object")]:
        of_link = Article.objects.filter(pk=OuterRef(article)).order_by()
        apps.get_model("articles", name).objects.update(
            article_status=Subquery(of_link.values("status")[:1]),
            article_published_at=Subquery(of_link.values("published_at")[:1]),
        )


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0018_publicchange_upcoming"),
    ]

    operations = [
        migrations.AddField(
            model_name="byline",
            name="article_published_at",
            field=models.DateTimeField(
                blank=True, editable=False, null=True, verbose_name="published at"
            ),
        ),
        migrations.AddField(
            model_name="byline",
            name="article_status",
            field=models.CharField(blank=True, editable=False, max_length=20, verbose_name="status"),
        ),
        migrations.AddField(
            model_name="taggedarticle",
            name="article_published_at",
            field=models.DateTimeField(
                blank=True, editable=False, null=True, verbose_name="published at"
            ),
        ),
        migrations.AddField(
            model_name="taggedarticle",
            name="article_status",
            field=models.CharField(blank=True, editable=False, max_length=20, verbose_name="status"),
        ),
        migrations.RunPython(copy_article_state, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="byline",
            index=models.Index(
                fields=["author", "article_status", "-article_published_at", "-article"],
                name="byline_public_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="taggedarticle",
            index=models.Index(
                fields=["tag", "article_status", "-article_published_at", "-content_object"],
                name="tagged_public_idx",
            ),
        ),
    ]
