"""Old addresses a public article leaves when it moves (`left_at`); chiefs may remove them (roles.py)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations, models

from articles.desk.roles import ensure_roles


def give_roles_their_permissions(apps, schema_editor):
    # As 0002_roles: the permissions are made after all migrations, and the roles need them now.
    for config in apps.get_app_configs():
        config.models_module = True
        create_permissions(config, apps=apps, verbosity=0)
        config.models_module = None
    ensure_roles(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0012_articleevent_own_changes"),
    ]

    operations = [
        migrations.AddField(
            model_name="legacyaddress",
            name="left_at",
            field=models.DateTimeField(
                blank=True,
                help_text="When the article left this address here; empty for an address of the old site.",
                null=True,
                verbose_name="left at",
            ),
        ),
        migrations.AlterField(
            model_name="article",
            name="slug",
            field=models.SlugField(
                allow_unicode=True,
                blank=True,
                help_text="The last part of the address. Left empty, it is made from the title. Once the article has been public, a new slug gives it a new address; the old one redirects to it.",
                max_length=200,
                unique=True,
                verbose_name="slug",
            ),
        ),
        migrations.AlterField(
            model_name="historicalarticle",
            name="slug",
            field=models.SlugField(
                allow_unicode=True,
                blank=True,
                help_text="The last part of the address. Left empty, it is made from the title. Once the article has been public, a new slug gives it a new address; the old one redirects to it.",
                max_length=200,
                verbose_name="slug",
            ),
        ),
        migrations.RunPython(give_roles_their_permissions, migrations.RunPython.noop),
    ]
