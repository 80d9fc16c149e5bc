from django.db import migrations, models
from django.db.models import F


def due_now(apps, schema_editor):
    """Mark the row as due: the first PublicChange.state() then records what came out and what is next."""
    apps.get_model("articles", "PublicChange").objects.update(upcoming=F("changed_at"))


class Migration(migrations.Migration):
    dependencies = [("articles", "0017_event_actions")]

    operations = [
        migrations.AddField(
            model_name="publicchange",
            name="upcoming",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(due_now, migrations.RunPython.noop),
    ]
