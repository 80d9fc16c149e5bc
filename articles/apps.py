from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _

from newsroom import catalogs


class ArticlesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "articles"
    verbose_name = _("Newsroom")

    def ready(self):
        from articles import purges

        purges.connect()
        checks.register(catalogs.check_compiled, checks.Tags.translation)
