"""The site with its uploaded media served beside it, for bench/lighthouse.py.

In production the web server or object storage in front serves MEDIA_ROOT (README, "Production");
Django serves it only with DEBUG, which a measurement of the site as readers get it must leave
off. WhiteNoise stands in for that web server here, and for nothing else: it reads the folder once,
at start, after the demo's images are made.
"""

from django.conf import settings
from whitenoise import WhiteNoise

from newsroom.wsgi import application as site

application = WhiteNoise(site, root=settings.MEDIA_ROOT, prefix=settings.MEDIA_URL)
