"""A gunicorn worker starts with what its first requests used to build (newsroom/warmup.py)."""

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Loads the application as gunicorn's master does (preload_app), then reports what it holds.
REPORT = """
import gc
import json
import newsroom.wsgi
from django.db import connections
from django.template import engines
from django.urls import get_resolver
from django.utils.translation import trans_real
public = engines["jinja2"].env
kept = {key[1] for key in public.cache.keys()}
names = public.list_templates(filter_func=lambda name: name.endswith((".html", ".xml")))
print(json.dumps({
    "templates": len(names),
    "not_compiled": [name for name in names if name not in kept],
    "languages": sorted(trans_real._translations),
    "routes_ready": get_resolver()._populated,
    "connected": [c.alias for c in connections.all() if c.connection is not None],
    "frozen": gc.get_freeze_count(),
    "collected": len(gc.get_objects()),
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

    assert report["templates"] >= 12  # base, 404, the article, list, owner, archive and search pages
    assert report["not_compiled"] == []
    assert report["languages"] == ["en", "ja"]
    assert report["routes_ready"] is True
    # What the master holds is out of the collector's reach: a worker's full collections skip it.
    assert report["frozen"] > 20_000 and report["collected"] < 2_000
    # A connection made in gunicorn's master would be shared by every worker it forks.
    assert report["connected"] == []
    assert not database.exists()
