"""Related articles are now counted from the tag links' copy of their article's state (their index
tagged_public_idx, see loading._related_sql()): nothing reads these two indexes any more, and each cost
every write of an article or a tag link."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0010_link_state"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="article",
            name="article_state_idx",
        ),
        migrations.RemoveIndex(
            model_name="taggedarticle",
            name="tagged_recent_links_idx",
        ),
    ]
