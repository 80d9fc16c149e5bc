"""On SQLite, admin saves at the same moment wait their turn: none fails with "database is locked".

Run in a separate process on a database file of its own (the suite's SQLite
database lives in memory, where locking is not the same): eight editors in
eight threads, each with their own connection, save articles through the
admin at once, five times each.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
SCRIPT = r"""
import json, threading
import django
django.setup()
from django.core.management import call_command
from django.db import connection
call_command("migrate", verbosity=0)
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from articles.models import Article, Author, Byline
from articles.tests.test_admin import change_form

editors = [User.objects.create_superuser(f"editor{n}", f"e{n}@example.jp", "x") for n in range(8)]
author = Author.objects.create(name="記者", slug="kisha")
articles = []
for n in range(8):
    article = Article.objects.create(title=f"記事{n}", slug=f"kiji-{n}", body="港町の話題です。\n\n二段落目。")
    Byline.objects.create(article=article, author=author, position=0)
    articles.append(article)
connection.close()
barrier, outcomes = threading.Barrier(8, timeout=60), []

def edit(editor, article):
    client = Client()
    client.force_login(editor)
    barrier.wait()
    for round in range(5):
        current = Article.objects.get(pk=article.pk)
        try:
            response = client.post(
                reverse("admin:articles_article_change", args=[article.pk]),
                change_form(current, title=f"記事{article.pk} 第{round}版", tags=""),
            )
            outcomes.append(response.status_code)
        except Exception as error:  # what the test looks for: any failure at all
            outcomes.append(f"{type(error).__name__}: {error}")
    connection.close()

threads = [threading.Thread(target=edit, args=pair) for pair in zip(editors, articles)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
titles = sorted(Article.objects.values_list("title", flat=True))
print(json.dumps({"outcomes": outcomes, "titles": titles}))
"""


def test_concurrent_admin_saves_on_sqlite_never_meet_a_locked_database(tmp_path):
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}},
        "DJANGO_SETTINGS_MODULE": "newsroom.settings",
        "SECRET_KEY": "tests-only",
        "DEBUG": "",
        "ALLOWED_HOSTS": "testserver",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'newsroom.sqlite3'}",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "LOG_LEVEL": "ERROR",
    }
    done = subprocess.run(  # noqa: S603 - this interpreter, a fixed script
        [sys.executable, "-c", SCRIPT], cwd=PROJECT, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["outcomes"] == [302] * 40, result["outcomes"]
    assert all(title.endswith("第4版") for title in result["titles"])
