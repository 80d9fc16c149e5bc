"""Count the CPU instructions one request of each page costs, in one process, with page cache off.

    .venv/bin/python bench/instructions.py --database sqlite:////tmp/bench.sqlite3 [--requests 20]
                                          [--page home=/ --page article=/2026/…/ …] [--hits]

With --hits, the page cache is on (local memory): every request counted is a hit.

The machine's speed moves with its load by a quarter or more from one minute
to the next; an instruction count does not. Each page is asked for 15 times,
then `--requests` times more, under valgrind's cachegrind (apt-get install
valgrind), and the difference of the two totals is divided by `--requests`.
The database must hold generated articles (manage.py generate_articles); the
pages default to those bench/run.py measures. Instructions are not time (a
cache miss costs more than an addition), but they rank changes reliably.

    .venv/bin/python bench/instructions.py --anchors ../shared/anchors [--requests 10]

counts the same for the anchors instead (after ../shared/anchors/run-sidebyside.sh,
which makes their virtualenv and database under ANCHOR_ROOT, /tmp/anchors): the
Wagtail site's article, index, tag and feed pages, and the bare-Django ceiling
(a fixed page through the startproject middleware). With requests a second
bound by CPU on both sides, Newsroom's requests/s over the Wagtail site's is
close to the inverse ratio of their instructions.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from run import PAGES_SQL  # noqa: E402 - bench/ is not a package

# Run inside valgrind: one page, `count` requests after 15 to warm up.
CALLS = """
import io, os, sys, urllib.parse
import django
django.setup()
from django.core.handlers.wsgi import WSGIHandler
app = WSGIHandler()
path = urllib.parse.unquote_to_bytes(os.environ["BENCH_PATH"]).decode("latin-1")  # as WSGI gives it
environ = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80",
           "HTTP_HOST": "127.0.0.1", "QUERY_STRING": "", "wsgi.url_scheme": "http", "wsgi.errors": sys.stderr}
for _ in range(15 + int(os.environ["BENCH_COUNT"])):
    status = []
    b"".join(app(dict(environ, **{"wsgi.input": io.BytesIO()}), lambda s, h: status.append(s)))
    assert status[0].startswith("200"), status
"""


# Run inside valgrind: the anchors' Wagtail site, or their ceiling (l2app), `count` requests after 15.
ANCHOR_CALLS = """
import io, os, sys
if os.environ.get("BENCH_CEILING_APP"):
    import l2app
    app = l2app.application
else:
    import django
    django.setup()
    from django.core.handlers.wsgi import WSGIHandler
    app = WSGIHandler()
environ = {"REQUEST_METHOD": "GET", "PATH_INFO": os.environ["BENCH_PATH"], "SERVER_NAME": "127.0.0.1",
           "SERVER_PORT": "80", "HTTP_HOST": "127.0.0.1", "QUERY_STRING": "", "wsgi.url_scheme": "http",
           "wsgi.errors": sys.stderr}
for _ in range(15 + int(os.environ["BENCH_COUNT"])):
    status = []
    b"".join(app(dict(environ, **{"wsgi.input": io.BytesIO()}), lambda s, h: status.append(s)))
    assert status[0].startswith("200"), status
"""


def anchors(folder: Path, requests: int) -> None:
    root = Path(os.environ.get("ANCHOR_ROOT", "/tmp/anchors"))  # noqa: S108 - where the anchors keep it
    python = root / "venv/bin/python"
    meta = json.loads((root / "wag-2000/meta.json").read_text())
    if not python.exists() or not (root / "static/detail.html").exists():
        sys.exit(f"instructions: run ../shared/anchors/run-sidebyside.sh first ({root} is not ready)")
    wagtail = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "wagsite.settings",
        "ANCHOR_DB": str(root / "wag-2000/db.sqlite3"),
        "PYTHONPATH": f"{folder / 'wagsite'}:{folder}",
        "PYTHONHASHSEED": "0",
    }
    ceiling = {**wagtail, "BENCH_CEILING_APP": "1", "L2_FILE": str(root / "static/detail.html")}
    ceiling["L2_MIDDLEWARE"] = "default"
    runs = [(kind, wagtail, meta[f"{kind}_url"]) for kind in ("detail", "index", "tag", "feed")]
    for name, env, path in [*runs, ("ceiling", ceiling, meta["detail_url"])]:
        counts = [_count(env, path, n, python=str(python), calls=ANCHOR_CALLS) for n in (0, requests)]
        print(f"{name:8} {(counts[1] - counts[0]) / requests / 1e6:6.2f} M instructions a request")


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", help="DATABASE_URL of a database with generated articles")
    parser.add_argument("--anchors", type=Path, help="count the anchors' pages instead (../shared/anchors)")
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--page", action="append", default=[], help="name=/path/ (repeatable)")
    parser.add_argument(
        "--hits", action="store_true", help="with the page cache on: every request counted is a hit"
    )
    options = parser.parse_args()
    if shutil.which("valgrind") is None:
        sys.exit("instructions: valgrind is missing (sudo apt-get install valgrind)")
    if options.anchors:
        return anchors(options.anchors.resolve(), options.requests)
    if not options.database:
        parser.error("--database (or --anchors) is needed")
    env = {
        **os.environ,
        "DATABASE_URL": options.database,
        "DJANGO_SETTINGS_MODULE": "newsroom.settings",
        "SECRET_KEY": "bench-only",
        "DEBUG": "",
        "ALLOWED_HOSTS": "127.0.0.1",
        "PAGE_CACHE_SECONDS": "600" if options.hits else "0",
        "BENCH_CEILING": "1",
        "PYTHONHASHSEED": "0",
        "PYTHONPATH": str(ROOT),
    }
    pages = dict(item.split("=", 1) for item in options.page) or _default_pages(env)
    for name, path in pages.items():
        counts = [_count(env, path, n) for n in (0, options.requests)]
        print(f"{name:8} {(counts[1] - counts[0]) / options.requests / 1e6:6.2f} M instructions a request")


def _default_pages(env) -> dict:
    found = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "shell", "-c", PAGES_SQL],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    paths = [line for line in found if line.startswith("/")]
    names = ("article", "author", "tag", "section")
    return {
        "ceiling": "/bench/ceiling/",
        "home": "/",
        **dict(zip(names, paths, strict=True)),
        "feed": "/feed/",
    }


def _count(env, path: str, count: int, *, python: str = sys.executable, calls: str = CALLS) -> int:
    done = subprocess.run(
        ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null"]  # noqa: S607
        + [python, "-c", calls],
        env={**env, "BENCH_PATH": path, "BENCH_COUNT": str(count)},
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    total = re.search(r"I\s+refs:\s+([\d,]+)", done.stderr)
    return int(total.group(1).replace(",", ""))


if __name__ == "__main__":
    main()
