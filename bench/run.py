"""Serve Newsroom with gunicorn and measure it with wrk: cold (no page cache) and warm.

    .venv/bin/python bench/run.py [--articles 1000] [--database sqlite|postgres] [--seconds 10]
                                  [--slices 5] [--connections 4] [--redis] [--write docs/performance.md]

Builds a fresh database with N generated articles (several, for several
sizes), starts gunicorn with production settings (2 sync workers, DEBUG off)
on each, and drives each public page and feed, search, and a bare Django view
that returns fixed bytes through the same middleware stack (the ceiling),
with wrk. Each page is measured in slices of a few seconds (--slices), in
turns with the same page at the other sizes and with the ceiling, each going
first in turn: this machine's speed moves by a fifth to a half from one
minute to the next, and the sizes and the ceiling are compared as measured in
the same minutes. Prints requests/s, p50, p99 (of all of a page's requests),
each page's share of the ceiling beside it, the sizes' p99 side by side, and
with --write adds the tables, the machine and the date to a Markdown file.
Needs wrk (apt-get install wrk).
"""

import argparse
import datetime
import json
import os
import platform
import re
import shutil
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
PAGES_SQL = """
from articles.models import Article, Author, Category, Tag
from django.db.models import Count
a = Article.objects.published().order_by("-published_at")[len(Article.objects.published()[:50]) // 2]
author = Author.objects.annotate(n=Count("bylines")).order_by("-n")[0]
tag = Tag.objects.annotate(n=Count("tagged_articles")).order_by("-n")[0]
section = Category.objects.annotate(n=Count("articles")).order_by("-n")[0]
for path in [a.get_absolute_url(), author.get_absolute_url(), tag.get_absolute_url(), section.get_absolute_url()]:
    print(path)
"""

# An author and a tag with one article, the oldest, and a tag on the 1,500 oldest (more than the
# lists show, all older than the rest of the archive): lists that a planner, joining links to
# articles, read by walking the whole archive or by sorting all of the owner's articles (see
# loading.PublicList). Made once per database.
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

# Every query of each page that reads articles, EXPLAINed (PostgreSQL): which ones read the whole
# articles table, all of its byline, tag or section links, or all tags or authors (the tables that
# grow with the archive)? A statement that the page prepares (articles.loading.cursor) is explained
# as it runs, by the plan made for any values (PREPARE, then EXPLAIN EXECUTE under
# force_generic_plan); any other by the plan made for its values.
EXPLAIN_SQL = """
import json, os, re
from django.db import connection
from django.test import Client
client = Client()
found = {}
for name, path in json.loads(os.environ["BENCH_PAGES"]).items():
    ran = []
    def record(execute, sql, params, many, context):
        prepared = type(context["cursor"].cursor).__name__ == "PreparedCursor"
        ran.append((sql, params or (), prepared))
        return execute(sql, params, many, context)
    with connection.execute_wrapper(record):
        client.get(path, HTTP_HOST="127.0.0.1")
    scans = []
    for sql, params, prepared in ran:
        if not sql.startswith(("SELECT", "WITH")) or "articles_article" not in sql:
            continue
        with connection.cursor() as cursor:
            if prepared:
                # $1, $2... for each %s, or for each name of %(name)s (one number a name, as psycopg binds them)
                if isinstance(params, dict):
                    names = list(dict.fromkeys(re.findall(r"%\\((\\w+)\\)s", sql)))
                    numbered_sql = re.sub(r"%\\((\\w+)\\)s", lambda m: f"${names.index(m.group(1)) + 1}", sql)
                    params = [params[name] for name in names]
                else:
                    numbered = iter(range(1, len(params) + 1))
                    numbered_sql = re.sub("%s", lambda _: f"${next(numbered)}", sql)
                cursor.execute("SET plan_cache_mode = force_generic_plan")
                cursor.execute("PREPARE bench_plan AS " + numbered_sql)
                marks = ", ".join(["%s"] * len(params))
                cursor.execute(f"EXPLAIN EXECUTE bench_plan({marks})" if params else "EXPLAIN EXECUTE bench_plan", params)
            else:
                cursor.execute("EXPLAIN " + sql, params)
            plan = "\\n".join(row[0] for row in cursor.fetchall())
            if prepared:
                cursor.execute("DEALLOCATE bench_plan")
        scanned = sorted(set(re.findall(r"Seq Scan on (articles_article|articles_byline|articles_taggedarticle|articles_article_categories|articles_tag|articles_author) ", plan)))
        if scanned:
            scans.append(("prepared: " if prepared else "") + ", ".join(scanned) + ": " + sql[:120])
    found[name] = scans
print(json.dumps(found))
"""


def main():
    options = _options()
    if shutil.which("wrk") is None:
        sys.exit("bench: wrk is missing (sudo apt-get install wrk)")
    sizes = options.existing or options.articles
    with tempfile.TemporaryDirectory() as scratch:
        prepared = []
        try:
            for number, size in enumerate(sizes):
                prepared.append(_prepare(options, size, Path(scratch) / str(number)))
            # Every size is measured in the same minutes (see _measure()), cold then warm.
            rows = {part["count"]: {} for part in prepared}
            for mode, seconds in (("cold", "0"), ("warm", "600")):
                measured = _measure(
                    [part["env"] | {"PAGE_CACHE_SECONDS": seconds} for part in prepared],
                    [part["pages"] for part in prepared],
                    options,
                )
                for part, found in zip(prepared, measured, strict=True):
                    rows[part["count"]][mode] = found
        finally:
            for part in prepared:
                _drop(part["env"], options)
    for part in prepared:
        table = _table(rows[part["count"]], options, part["count"], part["generated"], len(prepared))
        if part["scans"] is not None:
            table += _scans(part["scans"])
        print(table, flush=True)
        if options.write:
            _append(Path(options.write), table)
    if len(rows) > 1:
        comparison = _comparison(rows)
        print(comparison)
        if options.write:
            _append(Path(options.write), comparison)


def _prepare(options, size, scratch: Path) -> dict:
    """One database, new with `size` articles or existing at the address `size`: its environment,
    number of articles, time to generate them, pages to drive and (PostgreSQL) sequential scans."""
    scratch.mkdir()
    env = _environment(options, scratch, existing=size if options.existing else None)
    generated = None
    if options.existing:
        count = int(_manage(env, "shell", "-c", COUNT_SQL).split()[-1])
    else:
        count = size
        _manage(env, "migrate", "--no-input", "-v0")
        started = time.perf_counter()
        _manage(env, "generate_articles", "--count", str(count))
        generated = time.perf_counter() - started
    paths = [line for line in _manage(env, "shell", "-c", PAGES_SQL).split() if line.startswith("/")]
    rare = [line for line in _manage(env, "shell", "-c", RARE_SQL).split() if line.startswith("/")]
    pages = {
        "ceiling": "/bench/ceiling/",
        "home": "/",
        "article": paths[0],
        "author": paths[1],
        "tag": paths[2],
        "section": paths[3],
        "author_rare": rare[0],
        "tag_rare": rare[1],
        "tag_old": rare[2],
        "feed": "/feed/",
        "feed_atom": "/feed/atom/",
        "search": "/search/?q=%E6%8A%95%E8%B3%87",  # 投資, in most Japanese articles
        "search_rare": "/search/?q=" + urllib.parse.quote(f"第{count // 2}報"),  # one title
    }
    scans = None
    if options.database == "postgres":
        # As autovacuum leaves a table: statistics, and pages marked all-visible.
        _manage(
            env,
            "shell",
            "-c",
            "from django.db import connection; connection.cursor().execute('VACUUM ANALYZE')",
        )
        listed = {name: path for name, path in pages.items() if name != "ceiling"}
        listed |= {
            "sitemap": "/sitemap-articles.xml",
            "sitemap_index": "/sitemap.xml",
            "sitemap_authors": "/sitemap-authors.xml",
            "sitemap_tags": "/sitemap-tags.xml",
            "archive": "/archive/2024/",
        }
        explain = env | {"PAGE_CACHE_SECONDS": "0", "BENCH_PAGES": json.dumps(listed)}
        output = _manage(explain, "shell", "-c", EXPLAIN_SQL)
        scans = json.loads(output.strip().splitlines()[-1])
    return {"env": env, "count": count, "generated": generated, "pages": pages, "scans": scans}


def _comparison(runs: dict) -> str:
    """Cold p99 and requests/s of each page at the smallest and the largest archive, measured in turns."""
    small, large = min(runs), max(runs)
    lines = [
        f"### Cold, {small:,} against {large:,} articles",
        "",
        f"| page | p99 ms at {small:,} | p99 ms at {large:,} | ratio | req/s at {small:,} | req/s at {large:,} |",
        "|---|---|---|---|---|---|",
    ]
    for name in runs[small]["cold"]:
        if name == "ceiling":  # one, measured beside both
            continue
        before, after = runs[small]["cold"][name], runs[large]["cold"][name]
        lines.append(
            f"| {name} | {before['p99']:.1f} | {after['p99']:.1f} | {after['p99'] / before['p99']:.2f}× "
            f"| {before['rate']:.0f} | {after['rate']:.0f} |"
        )
    return "\n".join(lines) + "\n"


def _options():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--articles",
        type=lambda value: [int(part) for part in value.split(",")],
        default=[1000],
        help="How many articles; several (1000,100000) are served side by side, measured in turns and compared.",
    )
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--seconds", type=int, default=10, help="How long wrk drives each page.")
    parser.add_argument(
        "--slices",
        type=int,
        default=5,
        help="In how many slices each page is driven, each beside a slice of the ceiling as long.",
    )
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument(
        "--redis", action="store_true", help="Share the cache in Redis (as several servers would)."
    )
    parser.add_argument("--write", help="Append the table to this Markdown file.")
    parser.add_argument(
        "--existing",
        action="append",
        metavar="DATABASE_URL",
        help="Measure this database (made by generate_articles) instead of a new one; may be repeated.",
    )
    return parser.parse_args()


def _environment(options, scratch: Path, existing=None) -> dict:
    env = {
        **os.environ,
        "DEBUG": "",
        "SECRET_KEY": "bench-only-" + uuid.uuid4().hex,
        "ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "WARNING",
        "BENCH_CEILING": "1",
        "GUNICORN_ACCESS_LOG": "/dev/null",
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
    else:
        env["DATABASE_URL"] = f"sqlite:///{scratch / 'bench.sqlite3'}"
    if options.redis:
        env["REDIS_URL"] = REDIS
        env["CACHE_KEY_PREFIX"] = uuid.uuid4().hex
    return env


def _drop(env, options):
    if options.database == "postgres" and env.get("BENCH_DATABASE"):
        import psycopg

        with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{env["BENCH_DATABASE"]}" WITH (FORCE)')


def _manage(env, *args) -> str:
    done = subprocess.run(
        [PYTHON, str(ROOT / "manage.py"), *args],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )  # noqa: S603
    return done.stdout


def _measure(envs: list, pages: list, options) -> list:
    """For each database (its environment and pages), each page's requests/s, p50, p99 and errors,
    and the requests/s of the ceiling beside it.

    One gunicorn a database, each on its own port, all started at once; a
    page of every database and the ceiling are driven in turns, slice by
    slice, each going first in turn: the sizes and the ceiling are measured
    in the same minutes, on the machine as it is then.
    """
    gunicorn = str(Path(PYTHON).parent / "gunicorn")
    ports = [8790 + number for number in range(len(envs))]
    servers = [
        subprocess.Popen(  # noqa: S603 - this project's gunicorn
            [gunicorn, "newsroom.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=(Path(tempfile.gettempdir()) / f"newsroom-bench-gunicorn-{port}.log").open("w"),
        )
        for env, port in zip(envs, ports, strict=True)
    ]
    seconds = max(1, options.seconds // options.slices)
    bases = [f"http://127.0.0.1:{port}" for port in ports]
    try:
        for base in bases:
            _wait(base)
        ceiling = bases[0] + pages[0]["ceiling"]
        results, every_ceiling = [{} for _ in envs], []
        with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
            script.write(WRK_SCRIPT)
            script.flush()
            for name in pages[0]:
                if name == "ceiling":
                    continue
                urls = [base + own[name] for base, own in zip(bases, pages, strict=True)] + [ceiling]
                for url in urls:
                    for _ in range(20):  # warm each worker (and the page cache, when it is on)
                        _get(url)
                slices = [[] for _ in urls]  # the last: the ceiling's
                for turn in range(options.slices):
                    first = turn % len(urls)
                    for place in [*range(first, len(urls)), *range(first)]:
                        slices[place].append(_wrk(urls[place], seconds, options.connections, script.name))
                beside = _combined(slices[-1])["rate"]
                for found, own in zip(results, slices[:-1], strict=True):
                    found[name] = _combined(own) | {"ceiling": beside}
                every_ceiling += slices[-1]
        ceiling_row = _combined(every_ceiling)
        ceiling_row["ceiling"] = ceiling_row["rate"]
        return [{"ceiling": ceiling_row} | found for found in results]
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=10)


# wrk's report of a slice, for _combined(): its requests, its length (µs), its responses that were
# not 2xx or 3xx, and the latency (µs) at each tenth of a percent.
WRK_SCRIPT = """
done = function(summary, latency, requests)
  io.write(string.format("BENCH %d %d %d", summary.requests, summary.duration, summary.errors.status))
  for i = 1, 1000 do io.write(" ", latency:percentile(i / 10)) end
  io.write("\\n")
end
"""


def _get(url: str):
    """One request; a refused connection (a worker being replaced) is tried again."""
    for attempt in range(50):
        try:
            urllib.request.urlopen(url, timeout=120).close()
            return
        except ConnectionRefusedError:
            time.sleep(0.1)
        except urllib.error.URLError as error:
            if not isinstance(error.reason, ConnectionRefusedError) or attempt == 49:
                raise
            time.sleep(0.1)


def _wait(base: str):
    for _ in range(200):
        try:
            urllib.request.urlopen(base + "/robots.txt", timeout=1).close()  # noqa: S310 - our own server
            return
        except OSError:
            time.sleep(0.1)
    sys.exit("bench: gunicorn did not start")


def _wrk(url: str, seconds: int, connections: int, script: str) -> dict:
    """One slice: wrk on `url` for `seconds`, as WRK_SCRIPT reports it."""
    output = subprocess.run(  # noqa: S603 - wrk from the system's packages
        [shutil.which("wrk"), "-t2", f"-c{connections}", f"-d{seconds}s", "-s", script, url],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    found = re.search(r"^BENCH (.*)$", output, re.MULTILINE)
    if found is None:
        sys.exit(f"bench: wrk said\n{output}")
    requests, duration, errors, *points = (int(float(value)) for value in found.group(1).split())
    return {"requests": requests, "duration": duration, "errors": errors, "points": points}


def _combined(slices: list) -> dict:
    """The slices as one measurement: requests/s over their time, p50 and p99 (ms) of all their
    requests (each slice's latency at each tenth of a percent, weighed by its requests), errors."""
    requests = sum(part["requests"] for part in slices)
    weighed = sorted(
        (point, part["requests"] / len(part["points"])) for part in slices for point in part["points"]
    )

    def percentile(share: float) -> float:
        reached = 0.0
        for point, weight in weighed:
            reached += weight
            if reached >= share * requests - 1e-9:
                return point / 1000
        return weighed[-1][0] / 1000

    return {
        "rate": requests / (sum(part["duration"] for part in slices) / 1e6),
        "p50": percentile(0.50),
        "p99": percentile(0.99),
        "errors": sum(part["errors"] for part in slices),
    }


def _table(rows, options, count, generated, databases: int = 1) -> str:
    lines = [
        f"### {count:,} articles on {options.database}"
        f"{' with Redis' if options.redis else ''}, {options.connections} connections,"
        f" {options.seconds} s a page in {options.slices} slices",
        "",
        f"{datetime.date.today():%Y-%m-%d}; {platform.node()}: {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"gunicorn with 2 sync workers; "
        + (
            f"{count:,} articles generated in {generated:.0f} s."
            if generated
            else f"an existing database of {count:,} articles."
        )
        + " Each page's share is of the ceiling's requests/s in the slices beside its own;"
        " the ceiling's row is all of its slices."
        + (
            " Each page was driven in turns with the same page at the other size"
            f"{'s' if databases > 2 else ''}, in the same minutes."
            if databases > 1
            else ""
        ),
        "",
        "| page | cold req/s | cold p50 ms | cold p99 ms | ceiling beside | cold / ceiling "
        "| warm req/s | warm p50 ms | warm p99 ms | ceiling beside | warm / ceiling | errors |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name in rows["cold"]:
        cold, warm = rows["cold"][name], rows["warm"][name]
        lines.append(
            f"| {name} | {cold['rate']:.0f} | {cold['p50']:.1f} | {cold['p99']:.1f} | {cold['ceiling']:.0f} "
            f"| {cold['rate'] / cold['ceiling']:.1%} "
            f"| {warm['rate']:.0f} | {warm['p50']:.1f} | {warm['p99']:.1f} | {warm['ceiling']:.0f} "
            f"| {warm['rate'] / warm['ceiling']:.1%} | {cold['errors'] + warm['errors']} |"
        )
    return "\n".join(lines) + "\n"


def _scans(scans: dict) -> str:
    lines = [
        "",
        "Sequential scans of the tables that grow with the archive: articles, their byline, tag and"
        " section links, tags and authors (EXPLAIN of every query of the page that reads articles,"
        " after ANALYZE; a prepared statement by its generic plan):",
        "",
    ]
    for name, queries in scans.items():
        lines.append(f"- {name}: {'none' if not queries else '; '.join(queries)}")
    return "\n".join(lines) + "\n"


def _append(path: Path, table: str):
    path.parent.mkdir(parents=True, exist_ok=True)
    existing = (
        path.read_text(encoding="utf-8") if path.exists() else "# Performance\n\nWritten by `bench/run.py`.\n"
    )
    path.write_text(existing.rstrip() + "\n\n" + table, encoding="utf-8")


if __name__ == "__main__":
    main()
