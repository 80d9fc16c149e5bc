"""Compile the translation catalogs when they are missing or older than their source.

Run when Django starts (articles.apps) and by `make`, so that no setup needs a
manual `compilemessages` (Babel compiles them; GNU gettext is not needed).
"""

import logging
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALE = Path(__file__).resolve().parent.parent / "locale"
log = logging.getLogger(__name__)


def compile_outdated(locale: Path = LOCALE) -> list[Path]:
    """Write each django.mo older than its django.po; return the ones written."""
    written = []
    for po_path in sorted(locale.glob("*/LC_MESSAGES/django.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file)
        try:
            with mo_path.open("wb") as mo_file:
                write_mo(mo_file, catalog)
        except OSError as error:  # a read-only install: `make messages` should have run at build time
            log.warning("Cannot write %s (%s); the UI falls back to English.", mo_path, error.strerror)
            continue
        written.append(mo_path)
    return written
