"""Test-session setup shared by every test module."""

import gettext

from django.conf import settings
from django.test.signals import setting_changed  # its receivers reset the catalogs

from newsroom.catalogs import compile_outdated

compile_outdated()
# Django may have read the catalogs while starting up; have it read them again
# (Python's gettext keeps the files it opened in a cache of its own).
gettext._translations.clear()
setting_changed.send(sender=None, setting="LOCALE_PATHS", value=settings.LOCALE_PATHS, enter=False)
