"""Newsroom at scale: each public page's and feed's cold p99, search's, and the plans of their queries.

    .venv/bin/python bench/run.py --articles 100000 --database postgres [--jobs 2] [--keep]
    .venv/bin/python bench/run.py --existing postgres://postgres@127.0.0.1:5432/newsroom_bench_100k
    .venv/bin/python bench/run.py --articles 2000             # SQLite: timings and query counts only

Makes a database of N generated articles (manage.py generate_articles), or
takes one made before (--existing), and:

1. runs every public page and feed once through Django's test client, counts
   its queries and, on PostgreSQL, EXPLAINs each one as Django sent it (plain
   EXPLAIN, its values in place, after VACUUM ANALYZE) and reports any
   "Seq Scan" of the articles, their byline, tag and section links, the tags
   or the authors, with the query;
2. serves the site with gunicorn as production does (2 sync workers, DEBUG
   off) with the page cache off, and drives each page, feed and search with
   wrk (--connections, --seconds) in --rounds rounds, the pages in turn.

Prints requests/s (median of the rounds) and p50 and p99 (the worst round's)
of each. Needs wrk (apt-get install wrk). The database is dropped at the end
unless --keep or --existing. The port is 8821 (--port).
"""

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
POSTGRES_ADMIN = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432/postgres")
REDIS = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/13")

# An article from the middle of the first page, and the author, tag and section with the most articles
# (not the owners RARE_SQL makes: the tag on the 1,500 oldest would otherwise be the biggest).
PAGES_SQL = """
from articles.models import Article, Author, Category, Tag
from django.db.models import Count
a = Article.objects.published().order_by("-published_at")[len(Article.objects.published()[:50]) // 2]
author = Author.objects.exclude(slug__startswith="bench-").annotate(n=Count("bylines")).order_by("-n")[0]
tag = Tag.objects.exclude(slug__startswith="bench-").annotate(n=Count("tagged_articles")).order_by("-n")[0]
section = Category.objects.annotate(n=Count("articles")).order_by("-n")[0]
for path in [a.get_absolute_url(), author.get_absolute_url(), tag.get_absolute_url(), section.get_absolute_url()]:
    print(path)
"""

# Lists whose articles are all old: an author and a tag with one article, the oldest, and a tag on the
# 1,500 oldest. A plan that walks the publication-time index newest first reads the whole archive to
# fill them; a plan from the link tables does not. Made once per database.
RARE_SQL = """
from articles.models import Article, Author, Byline, Tag, TaggedArticle
oldest = Article.objects.published().order_by("published_at")[0]
author, _ = Author.objects.get_or_create(slug="bench-rare", defaults={"name": "Bench rare"})
Byline.objects.get_or_create(article=oldest, author=author, defaults={"position": 9})
oldest.tags.add("bench-rare")
tag = Tag.objects.get(name="bench-rare")
old, made = Tag.objects.get_or_create(key="bench-old", defaults={"name": "bench-old"})
if made:
    first = Article.objects.published().order_by("published_at").values_list("pk", flat=True)[:1500]
    TaggedArticle.objects.bulk_create(TaggedArticle(tag=old, content_object_id=pk) for pk in first)
print(author.get_absolute_url(), tag.get_absolute_url(), old.get_absolute_url())
"""

COUNT_SQL = "from articles.models import Article; print(Article.objects.published().count())"

# Each page once through the test client: its queries (as Django sent them, from
# connection.execute_wrapper) and, on PostgreSQL, the tables of the archive any of them reads whole.
PLANS_SQL = """
import json, os, re
from django.db import connection
from django.test import Client
GROWING = r"Seq Scan on (articles_article|articles_byline|articles_taggedarticle|articles_article_categories|articles_tag|articles_author)\\b"
client = Client()
found = {}
for name, path in json.loads(os.environ["BENCH_PAGES"]).items():
    client.get(path, HTTP_HOST="127.0.0.1")
    ran = []
    def record(execute, sql, params, many, context):
        ran.append((sql, params))
        return execute(sql, params, many, context)
    with connection.execute_wrapper(record):
        status = client.get(path, HTTP_HOST="127.0.0.1").status_code
    scans = []
    if connection.vendor == "postgresql":
        for sql, params in ran:
            if not sql.lstrip("(").startswith(("SELECT", "WITH")):  # a UNION opens with "("
                continue
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN " + sql, params)
                plan = "\\n".join(row[0] for row in cursor.fetchall())
            tables = sorted(set(re.findall(GROWING, plan)))
            if tables:
                scans.append(", ".join(tables) + ": " + sql[:160])
    found[name] = {"status": status, "queries": len(ran), "scans": scans}
print(json.dumps(found))
"""


def main():
    options = _options()
    if shutil.which("wrk") is None:
        sys.exit("bench: wrk is missing (sudo apt-get install wrk)")
    with tempfile.TemporaryDirectory() as scratch:
        env = _environment(options, Path(scratch), existing=options.existing)
        try:
            count, generated = _fill(env, options)
            pages = _pages(env, count)
            if env["DATABASE_URL"].startswith("postgres"):
                # As autovacuum leaves a table: statistics, and pages marked all-visible.
                _manage(
                    env,
                    "shell",
                    "-c",
                    "from django.db import connection; connection.cursor().execute('VACUUM ANALYZE')",
                )
            plans = json.loads(
                _manage(env | {"BENCH_PAGES": json.dumps(pages)}, "shell", "-c", PLANS_SQL)
                .strip()
                .splitlines()[-1]
            )
            timings = _measure(env, pages, options)
        finally:
            if not (options.keep or options.existing):
                _drop(env, options)
    print(_table(options, count, generated, env, pages, plans, timings))


def _options():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000, help="How many articles to generate.")
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument(
        "--existing", metavar="DATABASE_URL", help="Measure this database instead of a new one."
    )
    parser.add_argument("--jobs", type=int, default=2, help="generate_articles' worker processes.")
    parser.add_argument("--keep", action="store_true", help="Keep the new database (its address is printed).")
    parser.add_argument("--seconds", type=int, default=10, help="How long wrk drives each page in a round.")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--port", type=int, default=8821)
    return parser.parse_args()


def _fill(env, options) -> tuple:
    """(published articles, seconds it took to generate them or None)."""
    if options.existing:
        return int(_manage(env, "shell", "-c", COUNT_SQL).split()[-1]), None
    _manage(env, "migrate", "--no-input", "-v0")
    started = time.perf_counter()
    _manage(env, "generate_articles", "--count", str(options.articles), "--jobs", str(options.jobs))
    return options.articles, time.perf_counter() - started


def _pages(env, count) -> dict:
    article, author, tag, section = [
        line for line in _manage(env, "shell", "-c", PAGES_SQL).split() if line.startswith("/")
    ]
    rare_author, rare_tag, old_tag = [
        line for line in _manage(env, "shell", "-c", RARE_SQL).split() if line.startswith("/")
    ]
    return {
        "home": "/",
        "article": article,
        "author": author,
        "tag": tag,
        "section": section,
        "author (1 old article)": rare_author,
        "tag (1 old article)": rare_tag,
        "tag (1,500 old articles)": old_tag,
        "archive (a year)": "/archive/2024/",
        "RSS feed": "/feed/",
        "Atom feed": "/feed/atom/",
        "tag feed": tag + "feed/",
        "author Atom feed": author + "feed/atom/",
        "sitemap index": "/sitemap.xml",
        "sitemap of articles": "/sitemap-articles.xml",
        "search 投資 (most articles)": "/search/?q=" + urllib.parse.quote("投資"),
        "search 市議会 (most Japanese articles)": "/search/?q=" + urllib.parse.quote("市議会"),
        "search one title": "/search/?q=" + urllib.parse.quote(f"第{count // 2 + 1}報"),
        "search English word": "/search/?q=harbour",
    }


def _environment(options, scratch: Path, existing=None) -> dict:
    env = {
        **os.environ,
        "DEBUG": "",
        "SECRET_KEY": "bench-only-" + uuid.uuid4().hex,
        "ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "WARNING",
        "GUNICORN_ACCESS_LOG": "/dev/null",
        "PAGE_CACHE_SECONDS": "0",
    }
    if existing:
        env["DATABASE_URL"] = existing
    elif options.database == "postgres":
        import psycopg

        name = f"newsroom_bench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        env["DATABASE_URL"] = re.sub(r"/[^/]*$", f"/{name}", POSTGRES_ADMIN)
        env["BENCH_DATABASE"] = name
        print(f"bench: database {env['DATABASE_URL']}", file=sys.stderr)
    else:
        env["DATABASE_URL"] = f"sqlite:///{scratch / 'bench.sqlite3'}"
    if getattr(options, "redis", False):
        env["REDIS_URL"] = REDIS
        env["CACHE_KEY_PREFIX"] = uuid.uuid4().hex
    return env


def _drop(env, options):
    if env.get("BENCH_DATABASE"):
        import psycopg

        with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{env["BENCH_DATABASE"]}" WITH (FORCE)')


def _manage(env, *args) -> str:
    done = subprocess.run(  # noqa: S603 - this project's manage.py
        [PYTHON, str(ROOT / "manage.py"), *args],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout


def _measure(env, pages: dict, options) -> dict:
    """Each page's requests/s in each round, and its p50 and p99 (ms) in each round."""
    gunicorn = str(Path(PYTHON).parent / "gunicorn")
    base = f"http://127.0.0.1:{options.port}"
    log = (Path(tempfile.gettempdir()) / f"newsroom-bench-gunicorn-{options.port}.log").open("w")
    server = subprocess.Popen(  # noqa: S603 - this project's gunicorn and its gunicorn.conf.py
        [gunicorn, "newsroom.wsgi", "--bind", f"127.0.0.1:{options.port}", "--workers", "2"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    try:
        _wait(base)
        for path in pages.values():
            for _ in range(10):  # each worker's first requests (templates, addresses)
                _get(base + path)
        found = {name: [] for name in pages}
        for _round in range(options.rounds):
            for name, path in pages.items():
                found[name].append(_wrk(base + path, options))
        return found
    finally:
        server.terminate()
        server.wait(timeout=20)


def _get(url: str):
    """One request; a refused connection (a worker being replaced) is tried again."""
    for attempt in range(50):
        try:
            urllib.request.urlopen(url, timeout=120).close()  # noqa: S310 - our own server
            return
        except urllib.error.URLError as error:
            if not isinstance(error.reason, ConnectionRefusedError) or attempt == 49:
                raise
            time.sleep(0.1)


def _wait(base: str):
    for _ in range(300):
        try:
            urllib.request.urlopen(base + "/robots.txt", timeout=1).close()  # noqa: S310 - our own server
            return
        except OSError:
            time.sleep(0.1)
    sys.exit("bench: gunicorn did not start")


def _wrk(url: str, options) -> dict:
    output = subprocess.run(  # noqa: S603 - wrk from the system's packages
        [
            shutil.which("wrk"),
            "-t2",
            f"-c{options.connections}",
            f"-d{options.seconds}s",
            "--timeout",
            "10s",
            "--latency",
            url,
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "rate": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50": _milliseconds(re.search(r"^\s+50%\s+(\S+)", output, re.MULTILINE).group(1)),
        "p99": _milliseconds(re.search(r"^\s+99%\s+(\S+)", output, re.MULTILINE).group(1)),
        "errors": int(errors.group(1)) if errors else 0,
    }


def _milliseconds(text: str) -> float:
    """wrk's "812.00us", "1.20ms", "2.01s" in milliseconds."""
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(value) * {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3}[unit]


def _table(options, count, generated, env, pages, plans, timings) -> str:
    database = "PostgreSQL" if env["DATABASE_URL"].startswith("postgres") else "SQLite"
    lines = [
        f"{count:,} articles on {database}"
        + (f" (generated in {generated:.0f} s)" if generated else "")
        + f"; gunicorn, 2 sync workers, page cache off; wrk -c{options.connections},"
        f" {options.seconds} s a page in each of {options.rounds} rounds; {os.cpu_count()} cores.",
        "",
        "| page | queries | req/s | p50 ms | p99 ms (worst round) | sequential scans |",
        "|---|---|---|---|---|---|",
    ]
    for name in pages:
        rounds, plan = timings[name], plans[name]
        scans = "n/a (SQLite)" if database == "SQLite" else ("; ".join(plan["scans"]) or "none")
        lines.append(
            f"| {name} | {plan['queries']} | {statistics.median(r['rate'] for r in rounds):.0f} "
            f"| {max(r['p50'] for r in rounds):.1f} | {max(r['p99'] for r in rounds):.1f} | {scans} |"
        )
    errors = sum(r["errors"] for rounds in timings.values() for r in rounds)
    bad = {name: plan["status"] for name, plan in plans.items() if plan["status"] != 200}
    if errors or bad:
        lines.append(f"\nnot 200: {errors} responses under wrk; {bad or ''}")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
