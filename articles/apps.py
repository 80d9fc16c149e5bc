from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArticlesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "articles"
    verbose_name = _("Newsroom")

    def ready(self):
        from newsroom import catalogs

        from . import freshness

        freshness.connect()
        if catalogs.compile_outdated():
            # Catalogs read before they were compiled would stay empty: have them read again.
            from django.utils.translation import trans_real

            trans_real._translations = {}
            trans_real._default = None
