"""When a public article was unpublished (`withdrawn_at`): its addresses answer 410 until it is public again."""

from django.db import migrations, models
from django.db.models import Exists, OuterRef, Subquery


def from_the_log(apps, schema_editor):
    # As has_been_public() read the log before: an unpublishing at or after the publication time.
    Article = apps.get_model("articles", "Article")
    unpublished = apps.get_model("articles", "ArticleEvent").objects.filter(
        article=OuterRef("pk"), action="unpublish", created_at__gte=OuterRef("published_at")
    )
    latest = unpublished.order_by("-created_at").values("created_at")[:1]
    Article.objects.filter(Exists(unpublished)).update(withdrawn_at=Subquery(latest))


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0015_tags_fold_on_form_save"),
    ]

    operations = [
        migrations.AddField(
            model_name="article",
            name="withdrawn_at",
            field=models.DateTimeField(
                blank=True,
                editable=False,
                help_text="When it was last unpublished after readers had seen it.",
                null=True,
                verbose_name="withdrawn at",
            ),
        ),
        migrations.RunPython(from_the_log, migrations.RunPython.noop),
    ]
