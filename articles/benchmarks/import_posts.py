"""Benchmark: generate posts, import them into a fresh SQLite database, report the time.

    python -m articles.benchmarks.import_posts [--posts 10000]

Runs the real `manage.py import_posts` in a subprocess (Django start-up
included) against a new database in a temporary folder, then checks that
every post arrived. Not a test: the figure goes in the README.
"""

import argparse
import itertools
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
# Each sentence carries a running number, so that no post repeats itself
# (the copy desk would rightly hold a post that does).
SENTENCES_JA = [
    "港町市は来年度の予算案で、防災関連の事業を{n}件増やす方針を示した。",
    "市内の商店街では、空き店舗{n}軒を活用した新しい取り組みが広がっている。",
    "担当者は「住民{n}人の声を聞きながら進めたい」と話している。",
    "専門家は、人口減少が続く中での持続可能な運営が{n}年先の課題だと指摘する。",
    "計画は三つの段階に分けて進められ、最初の段階は第{n}週に始まる。",
    "地元の高校生{n}人も企画に加わり、若い世代の意見が反映された。",
]
SENTENCES_EN = [
    "The council approved plan {n} after a long debate on Tuesday evening.",
    "Local shop owners say change {n} has brought new customers to the street.",
    "Officials expect phase {n} of the work to be finished by autumn.",
    "Critics argue that budget line {n} leaves too little for maintenance.",
]
TAGS = [f"話題{n}" for n in range(150)] + [f"topic-{n}" for n in range(50)]
AUTHORS = [f"記者 {n}" for n in range(40)] + ["港町タイムズ編集部", "Emily Carter"]
SECTIONS = ["地域", "政治", "経済", "文化", "スポーツ", "テクノロジー", "english"]


_numbers = itertools.count(1)


def post_text(number: int, rng: random.Random) -> str:
    english = number % 4 == 0
    sentences = SENTENCES_EN if english else SENTENCES_JA
    paragraphs = [
        " ".join(rng.choice(sentences).format(n=next(_numbers)) for _ in range(4))
        for _ in range(rng.randint(4, 8))
    ]
    body = "\n\n".join(paragraphs[:2] + ["## " + ("Background" if english else "背景")] + paragraphs[2:])
    tags = ", ".join(f'"{t}"' for t in rng.sample(TAGS, rng.randint(2, 5)))
    authors = ", ".join(f'"{a}"' for a in rng.sample(AUTHORS, rng.randint(1, 2)))
    title = f"Report number {number}" if english else f"港町の話題 第{number}回"
    return (
        f'---\nlayout: post\ntitle: "{title}"\n'
        f"date: 20{15 + number % 10}-{1 + number % 12:02d}-{1 + number % 28:02d} 09:{number % 60:02d}:00 +0900\n"
        f'categories: ["{rng.choice(SECTIONS)}"]\ntags: [{tags}]\nauthors: [{authors}]\n---\n\n{body}\n'
    )


def generate(folder: Path, count: int) -> None:
    rng = random.Random(2026)
    folder.mkdir(parents=True)
    for number in range(count):
        (folder / f"post-{number:05d}.md").write_text(post_text(number, rng), encoding="utf-8")


def manage(*args, env):
    return subprocess.run(  # noqa: S603 - this interpreter, our own manage.py
        [sys.executable, str(PROJECT / "manage.py"), *args],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=10_000)
    count = parser.parse_args().posts
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        env = {
            **os.environ,
            "DEBUG": "",  # as in production: no query log kept in memory
            "SECRET_KEY": "bench-only-secret-key",
            "DATABASE_URL": f"sqlite:///{scratch / 'bench.sqlite3'}",
            "LOG_LEVEL": "WARNING",
            "DJANGO_SUPERUSER_PASSWORD": "bench-only-password",
        }
        generate(scratch / "posts", count)
        manage("migrate", "--no-input", env=env)
        manage(
            "createsuperuser", "--no-input", "--username", "bench", "--email", "bench@example.com", env=env
        )
        started = time.perf_counter()
        result = manage("import_posts", str(scratch / "posts"), env=env)
        elapsed = time.perf_counter() - started
        check = manage(
            "shell",
            "-c",
            "from articles.models import Article; print(Article.objects.published().count())",
            env=env,
        )
    published = int(check.stdout.strip().splitlines()[-1])
    print(result.stdout.strip().splitlines()[-1])
    print(
        f"{count:,} posts imported in {elapsed:.1f} s ({elapsed / count * 1000:.2f} ms a post); {published:,} published"
    )
    if published != count:
        sys.exit(f"expected {count} published articles, found {published}")


if __name__ == "__main__":
    main()
