"""The site's own pages (about, contact, editorial policy, privacy), which chiefs edit (roles.py)."""

import markdownx.models
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
        ('articles', '0023_hero_renditions'),
    ]

    operations = [
        migrations.CreateModel(
            name='SitePage',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('title', models.CharField(help_text='As readers see it in the footer and at the top of the page.', max_length=100, verbose_name='title')),
                ('slug', models.SlugField(allow_unicode=True, help_text="The page's address: about gives /about/. Japanese is allowed.", max_length=100, unique=True, verbose_name='slug')),
                ('description', models.CharField(blank=True, help_text='A sentence for search engines and link previews.', max_length=200, verbose_name='description')),
                ('body', markdownx.models.MarkdownxField(help_text='Markdown, as in articles.', verbose_name='text')),
                ('body_html', models.TextField(blank=True, editable=False, verbose_name='text (HTML)')),
                ('position', models.PositiveSmallIntegerField(default=0, help_text='Pages with a lower number come first in the footer.', verbose_name='order')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
            ],
            options={
                'verbose_name': 'site page',
                'verbose_name_plural': 'site pages',
                'ordering': ['position', 'title'],
            },
        ),
        migrations.RunPython(give_roles_their_permissions, migrations.RunPython.noop),
    ]
