"""Test-session setup shared by every test module."""

import gettext
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.conf import settings
from django.test.signals import setting_changed  # its receivers reset the catalogs

LOCALE = Path(__file__).parent / "locale"


def compile_catalogs():
    """Compile the translation catalogs, as `make` does, so that `pytest` alone sees them too."""
    for po_path in LOCALE.glob("*/LC_MESSAGES/django.po"):
        mo_path = po_path.with_suffix(".mo")
        if not mo_path.exists() or mo_path.stat().st_mtime < po_path.stat().st_mtime:
            with po_path.open("rb") as po_file:
                catalog = read_po(po_file)
            with mo_path.open("wb") as mo_file:
                write_mo(mo_file, catalog)


compile_catalogs()
# Django may have read the catalogs while starting up; have it read them again
# (Python's gettext keeps the files it opened in a cache of its own).
gettext._translations.clear()
setting_changed.send(sender=None, setting="LOCALE_PATHS", value=settings.LOCALE_PATHS, enter=False)
