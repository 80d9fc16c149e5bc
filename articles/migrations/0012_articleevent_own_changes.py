"""An approval's log entry says when a chief approved text of their own (workflow.wrote())."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0011_unused_public_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="articleevent",
            name="own_changes",
            field=models.BooleanField(
                default=False,
                help_text="A chief approved text they wrote or changed since its last approval.",
                verbose_name="approved own changes",
            ),
        ),
    ]
