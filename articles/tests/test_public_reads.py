"""The public site reads through the ORM from one definition of public: Article.objects.published()."""

import re
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import close_old_connections, connection
from django.utils import timezone

from articles.desk import workflow
from articles.models import Article, Category, PublicChange
from articles.tests.factories import ArticleFactory, CategoryFactory, publisher

pytestmark = pytest.mark.django_db

ARTICLES = Path(__file__).resolve().parents[1]
# What readers' requests run: none of it may write SQL, reach into another library's private
# names or keep request state in context variables.
PUBLIC_READ_PATH = [
    *(f"models/{module.name}" for module in sorted((ARTICLES / "models").glob("*.py"))),
    "caching.py",
    "keys.py",
    "purges.py",
    *(f"site/{module.name}" for module in sorted((ARTICLES / "site").glob("*.py"))),
]
FORBIDDEN = {
    "raw SQL": r"cursor\(|\.execute\(|\.raw\(|RawSQL|\.extra\(",
    "request state in context variables": r"ContextVar",
    "hand-built model instances": r"__new__\(|ModelState\(",
    "Django's private translation machinery": r"trans_real",
}


def test_the_public_read_path_writes_no_sql_and_keeps_no_request_state_of_its_own():
    for name in PUBLIC_READ_PATH:
        text = (ARTICLES / name).read_text(encoding="utf-8")
        for what, pattern in FORBIDDEN.items():
            assert not re.search(pattern, text), f"{name}: {what}"
    for module in ARTICLES.glob("**/*.py"):
        text = module.read_text(encoding="utf-8")
        copies = re.findall(
            r"\.(?:filter|exclude)\([^)]*status\s*=\s*(?:[\w.]*Status\.PUBLISHED|\"published\")", text
        )
        assert module.name == "querysets.py" or "tests" in module.parts or not copies, (
            f"{module.name} states what is public itself"
        )


# Private names of the libraries under Newsroom that it once reached for, and their public doors:
# simple_history's get_user option and update_change_reason(), taggit's Tag.objects.named().
PRIVATE_NAMES = r"\._history_user|\._change_reason|_to_tag_model_instances|trans_real"


def test_no_module_reaches_into_a_private_name_of_django_or_a_library():
    for module in ARTICLES.glob("**/*.py"):
        if "tests" not in module.parts:
            found = re.findall(PRIVATE_NAMES, module.read_text(encoding="utf-8"))
            assert not found, f"{module.relative_to(ARTICLES)}: {found}"


def _rows_in_every_state():
    now = timezone.now()
    ArticleFactory(title="下書き")
    ArticleFactory(title="公開", published=True)
    ArticleFactory(title="予約", published=now + timedelta(hours=1))
    withdrawn = ArticleFactory(title="取り下げ", published=True)
    workflow.perform(withdrawn, "unpublish", by=publisher(), comment="誤報")
    in_review = ArticleFactory(title="審査中")
    workflow.perform(in_review, "submit", by=publisher())


def test_is_public_agrees_with_published_on_the_same_rows():
    _rows_in_every_state()
    public = set(Article.objects.published().values_list("pk", flat=True))
    assert public == {article.pk for article in Article.objects.all() if article.is_public}
    assert [Article.objects.get(pk=pk).title for pk in public] == ["公開"]


def test_the_public_state_is_the_last_change_and_the_next_scheduled_publication():
    _rows_in_every_state()
    changed_at, upcoming = PublicChange.state()
    assert changed_at == PublicChange.objects.get().changed_at
    assert changed_at >= Article.objects.published().latest("published_at").published_at
    assert upcoming == Article.objects.scheduled().earliest("published_at").published_at


def test_a_scheduled_publication_that_came_is_recorded_once_as_the_change(django_assert_num_queries):
    """The time of a scheduled article passes (both it and the row's `upcoming` are moved back, as
    time passing would leave them): the first read records it, the next reads find it recorded."""
    soon, later = ArticleFactory(published=True), ArticleFactory(published=True)
    for article, hours in [(soon, 1), (later, 2)]:
        article.published_at = timezone.now() + timedelta(hours=hours)
        article.save()
    _recorded, upcoming = PublicChange.state()
    assert upcoming == soon.published_at
    now = timezone.now()
    came = now - timedelta(seconds=5)
    Article.objects.filter(pk=soon.pk).update(published_at=came)
    PublicChange.objects.update(changed_at=now - timedelta(hours=1), upcoming=came)
    # the row, the publication that came, the next publication, the next pick to end, the record
    with django_assert_num_queries(5):
        assert PublicChange.state() == (came, later.published_at)
    with django_assert_num_queries(1):
        assert PublicChange.state() == (came, later.published_at)
    assert Article.objects.published().filter(pk=soon.pk).exists()


def test_the_menu_is_the_sections_with_a_public_article_by_name():
    shown = [CategoryFactory(name=name, slug=slug) for name, slug in [("文化", "bunka"), ("Zoo", "zoo")]]
    ArticleFactory(categories=shown, published=True)
    ArticleFactory(
        categories=[CategoryFactory(name="予定", slug="yotei")], published=timezone.now() + timedelta(hours=1)
    )
    CategoryFactory(name="空", slug="kara")
    assert [c.name for c in Category.objects.in_menu()] == sorted(["文化", "Zoo"])


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL server process to end")
@pytest.mark.django_db(transaction=True)
def test_on_postgresql_a_public_page_reconnects_when_its_kept_connection_is_gone(client, settings):
    """Django's CONN_HEALTH_CHECKS find the kept connection gone and open another."""
    import psycopg

    settings.PAGE_CACHE_SECONDS = 0
    article = ArticleFactory(published=True, title="再接続の記事")
    assert client.get(article.get_absolute_url()).status_code == 200
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (gone,) = cursor.fetchone()
    with psycopg.connect(**connection.get_connection_params(), autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [gone])
        while other.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [gone]).fetchone():
            time.sleep(0.01)
    close_old_connections()  # what Django runs as every request starts (the test client leaves it out)
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200 and "再接続の記事" in response.content.decode()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] != gone
