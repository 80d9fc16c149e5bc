import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
application = get_wsgi_application()

from newsroom import warmup  # noqa: E402 - needs the application's settings, loaded above

warmup.prepare()
