# Renditions of the hero image, made on save (articles/images.py): the list of what was made, and a
# form field that reads an upload whole. `manage.py make_renditions` makes them for images saved before.

from django.db import migrations, models

import articles.models.fields


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0022_reader_site"),
    ]

    operations = [
        migrations.AddField(
            model_name="article",
            name="hero_renditions",
            field=models.JSONField(
                blank=True, default=dict, editable=False, verbose_name="hero image renditions"
            ),
        ),
        migrations.AlterField(
            model_name="article",
            name="hero_image",
            field=articles.models.fields.HeroImageField(
                blank=True, upload_to="heroes/%Y/%m/", verbose_name="hero image"
            ),
        ),
    ]
