"""A gunicorn worker starts with what its first requests used to build (newsroom/warmup.py)."""

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Loads the application as gunicorn's master does (preload_app), then reports what it holds: with
# the template files and catalogs out of reach, what it can still draw and translate was built then.
REPORT = """
import gc
import gettext
import json
import sys
from unittest import mock

import newsroom.wsgi
from django.db import connections
from django.template.loader import get_template
from django.template.loaders.filesystem import Loader
from django.utils import translation
from newsroom import warmup

def unread(*args, **kwargs):
    raise AssertionError("read after the warm-up")

names = warmup.templates()
frozen, collected = gc.get_freeze_count(), len(gc.get_objects())
with mock.patch.object(Loader, "get_contents", unread), mock.patch.object(gettext, "translation", unread):
    not_parsed = []
    for name in names:
        try:
            get_template(name)
        except AssertionError:
            not_parsed.append(name)
    searches = {}
    for code in ("ja", "en"):
        try:
            with translation.override(code):
                searches[code] = translation.gettext("Search")
        except AssertionError:
            searches[code] = None
print(json.dumps({
    "templates": names,
    "not_parsed": not_parsed,
    "searches": searches,
    "routes_imported": "articles.site.urls" in sys.modules,
    "connected": [c.alias for c in connections.all() if c.connection is not None],
    "frozen": frozen,
    "collected": collected,
}))
"""


def test_loading_the_application_prepares_templates_translations_and_routes_without_a_database(tmp_path):
    """As gunicorn's master loads it (preload_app): what every worker would build on its first
    requests is built, and frozen out of the garbage collector's reach; no database is opened."""
    database = tmp_path / "never-opened.sqlite3"
    env = {
        **os.environ,
        "DEBUG": "",
        "SECRET_KEY": "warmup-only-" + uuid.uuid4().hex,
        "DATABASE_URL": f"sqlite:///{database}",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SETTINGS_MODULE": "newsroom.settings",
    }
    env.pop("REDIS_URL", None)
    ran = subprocess.run(  # noqa: S603 - this interpreter and a fixed script
        [sys.executable, "-c", REPORT], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    )
    report = json.loads(ran.stdout.strip().splitlines()[-1])

    public = {"base.html", "404.html", "articles/article_detail.html", "articles/_summary.html"}
    assert public <= set(report["templates"])  # the pages, their parts, and the rest of templates/
    assert report["not_parsed"] == []
    assert report["searches"] == {"ja": "検索", "en": "Search"}
    assert report["routes_imported"] is True
    # What the master holds is out of the collector's reach: a worker's full collections skip it.
    assert report["frozen"] > 20_000 and report["collected"] < 2_000
    # A connection made in gunicorn's master would be shared by every worker it forks.
    assert report["connected"] == []
    assert not database.exists()
