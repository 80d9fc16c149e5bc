from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _

from newsroom import catalogs


class ArticlesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "articles"
    verbose_name = _("Newsroom")

    def ready(self):
        from django.db.models.signals import post_init

        from articles import keys, purges
        from articles.models import Article

        purges.connect()
        post_init.connect(keys.shown_article, sender=Article, dispatch_uid="keys-shown-article")
        checks.register(catalogs.check_compiled, checks.Tags.translation)
