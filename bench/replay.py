"""A traffic replay through the app's page cache: the share of hits with keyed purges, against the
single mark every public change used to move (which emptied the whole cache at each publication).

    .venv/bin/python bench/replay.py            # 10,000 articles; 3 + 10 minutes of 10,000 requests
    .venv/bin/python bench/replay.py --articles 2000 --per-minute 2000 --json replay.json

Makes a SQLite database of --articles generated articles (manage.py generate_articles), then
replays the same traffic twice, each time on a fresh copy of it and an empty cache: --warm-up
minutes, not counted, then --minutes minutes, of --per-minute requests each, drawn with Zipf
weights (exponent --zipf) over the site's pages, most asked first: the home page, the feeds, the
newest article, the section pages, then the articles newest first with the tag pages among them.
At the start of each minute after the first, an article is published (through the workflow,
committed, purged as in production) and becomes the newest. The first replay purges what the
publication touches (the keys of keys.py); the second purges everything at each publication, as
the single mark did.

It reports the share of hits, and the share among requests for pages asked before: a page asked
for the first time is a miss whatever the cache does (the long tail of a Zipf distribution).

Requests go through Django's test client in this process, with the production middleware and
PAGE_CACHE_SECONDS=600; the cache is Redis (REDIS_URL, else redis://127.0.0.1:6379/12, under a
prefix of its own) when one answers, else this process's memory. The replay runs faster than the
clock: after each publication it waits caching.CLOCK_MARGIN, as requests at real speed would be
spread over the minute (a page begun within the margin of a purge is made again).
"""

import argparse
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid
from bisect import bisect
from itertools import accumulate
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def redis_url() -> str:
    url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/12")
    parts = urllib.parse.urlsplit(url)
    try:
        socket.create_connection((parts.hostname, parts.port or 6379), timeout=1).close()
    except OSError:
        return ""
    return url


def pages(site) -> list[str]:
    """The site's pages, most asked first (see the module's text)."""
    from django.db.models import Count

    from articles.models import Article, Category, Tag

    articles = [a.get_absolute_url() for a in Article.objects.published().order_by("-published_at", "-pk")]
    sections = [c.get_absolute_url() for c in Category.objects.in_menu()]
    tags = [
        t.get_absolute_url()
        for t in Tag.objects.annotate(n=Count("tagged_articles")).filter(n__gt=0).order_by("-n")[:100]
    ]
    ordered = ["/", "/feed/", "/feed/atom/", articles[0], *sections]
    for number, article in enumerate(articles[1:]):
        ordered.append(article)
        if number % 50 == 0 and tags:
            ordered.append(tags.pop(0))
    return ordered + tags


def publish(number: int):
    """A new article, published now, by an existing author with an existing tag and section."""
    from django.contrib.auth.models import User
    from django.utils import timezone

    from articles.desk import workflow
    from articles.models import Article, Author, Byline, Category, Tag

    chief = User.objects.filter(is_superuser=True).first() or User.objects.create_superuser(
        "replay", "", None
    )
    article = Article.objects.create(
        title=f"リプレイ速報 {number}",
        slug=f"replay-{number}",
        body="速報です。\n\n続報を待つ。",
        created_by=chief,
    )
    Byline.objects.create(article=article, author=Author.objects.order_by("?").first(), position=0)
    article.categories.set([Category.objects.order_by("?").first()])
    article.tags.set(Tag.objects.order_by("?")[:2])
    workflow.publish_through_review(article, by=chief, publish_at=timezone.now(), via="command")
    return article


def replay(options, mode: str) -> dict:
    from django.core.cache import cache
    from django.test import Client

    from articles import caching, keys

    cache.clear()
    caching.HERE.clear()
    client = Client()
    population = pages(None)
    chooser = random.Random(options.seed)
    published_at, asked = [], set()
    hits = misses = first = 0
    started = time.monotonic()
    for minute in range(options.warm_up + options.minutes):
        counted = minute >= options.warm_up
        if minute:
            article = publish(minute)
            if mode == "single mark":
                caching.purge({keys.ALL})
            population.insert(3, article.get_absolute_url())  # the newest: right after the feeds
            published_at.append(minute)
            time.sleep(caching.CLOCK_MARGIN)
        weights = list(accumulate(1 / (rank**options.zipf) for rank in range(1, len(population) + 1)))
        for _ in range(options.per_minute):
            url = population[bisect(weights, chooser.random() * weights[-1])]
            response = client.get(url)
            if response.status_code != 200:
                raise SystemExit(f"{url} answered {response.status_code}")
            hit = response["X-Page-Cache"] == "hit"
            if counted:
                hits += hit
                misses += not hit
                first += url not in asked
            asked.add(url)
    return {
        "mode": mode,
        "requests": hits + misses,
        "hits": hits,
        "hit_ratio": hits / (hits + misses),
        "first_requests": first,
        "hit_ratio_asked_before": hits / (hits + misses - first),
        "publications": len(published_at),
        "seconds": round(time.monotonic() - started, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--warm-up", type=int, default=3, help="Minutes replayed first, not counted.")
    parser.add_argument("--minutes", type=int, default=10, help="Minutes counted.")
    parser.add_argument("--per-minute", type=int, default=10_000)
    parser.add_argument("--zipf", type=float, default=1.0, help="The exponent of the Zipf weights.")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--json", help="Also write the figures to this file.")
    options = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="newsroom-replay-"))
    try:
        template = scratch / "template.sqlite3"
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{template}",
            "DEBUG": "",
            "SECRET_KEY": "replay-only-" + uuid.uuid4().hex,
            "ALLOWED_HOSTS": "testserver",
            "PAGE_CACHE_SECONDS": "600",
            "REDIS_URL": redis_url(),
            "CACHE_KEY_PREFIX": "replay-" + uuid.uuid4().hex,
            "VARNISH_PURGE_URLS": "",
            "LOG_LEVEL": "WARNING",
        }
        manage = [sys.executable, str(ROOT / "manage.py")]
        print(f"Making {options.articles:,} articles…", file=sys.stderr)
        subprocess.run([*manage, "migrate", "--no-input", "-v0"], env=env, check=True, cwd=ROOT)
        subprocess.run(
            [*manage, "generate_articles", "--count", str(options.articles)],
            env=env,
            check=True,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
        )
        live = scratch / "replay.sqlite3"
        env["DATABASE_URL"] = f"sqlite:///{live}"
        os.environ.update(env)
        os.environ["DJANGO_SETTINGS_MODULE"] = "newsroom.settings"
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        from django.db import connection

        results = []
        for mode in ("keyed purges", "single mark"):
            connection.close()
            shutil.copyfile(template, live)
            print(f"Replaying with {mode}…", file=sys.stderr)
            results.append(replay(options, mode))
        cache = "Redis" if env["REDIS_URL"] else "local memory"
        print(
            f"\n{options.articles:,} articles; {options.warm_up} minutes, then {options.minutes} counted, each of"
            f" {options.per_minute:,} requests (Zipf {options.zipf}); a publication a minute; page cache in"
            f" {cache}:\n"
        )
        print(f"{'':<14}{'requests':>10}{'hits':>10}{'hit ratio':>11}{'asked before':>14}{'seconds':>9}")
        for result in results:
            print(
                f"{result['mode']:<14}{result['requests']:>10,}{result['hits']:>10,}"
                f"{result['hit_ratio']:>11.1%}{result['hit_ratio_asked_before']:>14.1%}{result['seconds']:>9}"
            )
        if options.json:
            Path(options.json).write_text(
                json.dumps({"options": vars(options), "cache": cache, "results": results})
            )
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
