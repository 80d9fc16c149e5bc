"""The compiled translation catalogs (locale/*/LC_MESSAGES/django.mo): which are out of date, compiling them.

`make messages` compiles them (pybabel compile; GNU gettext is not needed),
and so must a production build before gunicorn starts (see the README):
Django reads a language's catalog once, as it starts, and a catalog compiled
later is not read. The test session compiles them before it starts Django
(conftest.py), and `manage.py check` warns of one that is missing or older
than its source, as the site would then show that language's strings in
English.
"""

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.core import checks

LOCALE = Path(__file__).resolve().parent.parent / "locale"


def outdated(locale: Path = LOCALE) -> list[Path]:
    """The django.po files whose django.mo is missing or older."""
    return [
        po_path
        for po_path in sorted(locale.glob("*/LC_MESSAGES/django.po"))
        if not po_path.with_suffix(".mo").exists()
        or po_path.with_suffix(".mo").stat().st_mtime < po_path.stat().st_mtime
    ]


def compile_outdated(locale: Path = LOCALE) -> list[Path]:
    """Write each django.mo that is missing or older than its django.po; return the ones written."""
    written = []
    for po_path in outdated(locale):
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file)
        with po_path.with_suffix(".mo").open("wb") as mo_file:
            write_mo(mo_file, catalog)
        written.append(po_path.with_suffix(".mo"))
    return written


def check_compiled(app_configs=None, **kwargs) -> list[checks.Warning]:
    """A system check: every catalog compiled, and not older than its source."""
    return [
        checks.Warning(
            f"{po_path.with_suffix('.mo')} is missing or older than {po_path.name}: "
            "the site shows its strings in English.",
            hint="Run `make messages` (or `pybabel compile --domain django --directory locale`).",
            id="newsroom.W001",
        )
        for po_path in outdated(LOCALE)
    ]
