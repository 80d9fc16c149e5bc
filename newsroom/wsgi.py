import os
import sys

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
try:
    settings.INSTALLED_APPS  # noqa: B018 - reads the environment (newsroom/settings.py)
except ImproperlyConfigured as error:
    sys.exit(f"Newsroom cannot start: {error}")
application = get_wsgi_application()

from newsroom import warmup  # noqa: E402 - needs the application's settings, loaded above

warmup.prepare()
