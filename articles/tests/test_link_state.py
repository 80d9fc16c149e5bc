"""Bylines and tag links carry their article's status and publication time (ArticleLink): always equal
to the article's, whichever way either is written, and what an author's or a tag's page is read by."""

import shutil
import threading
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from articles.desk import workflow
from articles.models import Article, Byline, Tag, TaggedArticle
from articles.tests.conftest import run_import
from articles.tests.factories import ArticleFactory, AuthorFactory, StaffFactory, publisher

pytestmark = pytest.mark.django_db
POSTS = Path(__file__).parent / "posts"


def stale_links() -> list:
    """Every byline and tag link whose copy differs from its article's status and publication time."""
    stale = []
    for model, article in [(Byline, "article"), (TaggedArticle, "content_object")]:
        for link in model.objects.select_related(article):
            of = getattr(link, article)
            if (link.article_status, link.article_published_at) != (of.status, of.published_at):
                stale.append((model.__name__, of.title, link.article_status, of.status))
    return stale


def test_every_workflow_action_copies_the_state_onto_the_links(writer, editor):
    article = ArticleFactory(created_by=writer, authors=[AuthorFactory(), AuthorFactory()], tags=["港", "AI"])
    assert stale_links() == [] and Byline.objects.filter(article_status="draft").count() == 2
    steps = [
        ("submit", writer, {}),
        ("request_changes", editor, {"comment": "直して"}),
        ("submit", writer, {}),
        ("approve", editor, {}),
        ("publish", editor, {}),
        ("unpublish", editor, {"comment": "誤報"}),
        ("publish", editor, {"publish_at": timezone.now() + timedelta(days=1)}),  # scheduled
        ("unpublish", editor, {"comment": "延期"}),
        ("revert_to_draft", writer, {}),
    ]
    for action, user, options in steps:
        workflow.perform(article, action, by=user, **options)
        assert stale_links() == [], action


def test_links_written_after_publication_carry_the_state(editor):
    article = ArticleFactory(published=True, tags=["港"])
    article.tags.add("防波堤")  # taggit: one save a link
    article.tags.set(Tag.objects.named(["市議会", "港"]))
    Byline.objects.create(article=article, author=AuthorFactory(), position=3)
    TaggedArticle.objects.bulk_create(
        [TaggedArticle(content_object=article, tag=Tag.objects.named(["AI"])[0])]
    )
    assert stale_links() == []
    assert set(TaggedArticle.objects.values_list("article_status", flat=True)) == {"published"}


def test_a_new_publication_time_saved_in_the_desk_is_copied(editor):
    article = ArticleFactory(published=True, tags=["港"])
    article.published_at -= timedelta(days=30)
    article.save()
    assert stale_links() == []
    saved_elsewhere = Article.objects.get(pk=article.pk)
    saved_elsewhere.title = "見出しだけ"
    saved_elsewhere.save(update_fields=["title"])
    assert stale_links() == []


def test_imported_posts_carry_the_state_new_and_updated(chief, tmp_path):
    run_import(POSTS)
    assert Article.objects.published().count() == 2 and stale_links() == []
    path = tmp_path / "2025-11-16-datacenter-toushi.md"
    shutil.copy(POSTS / path.name, path)
    path.write_text(
        path.read_text().replace("layout: post", "layout: post\npublished: false"), encoding="utf-8"
    )
    run_import(path)
    assert Article.objects.filter(status="unpublished").count() == 1 and stale_links() == []


def test_generated_articles_carry_the_state():
    call_command("generate_articles", count=30, stdout=StringIO(), stderr=StringIO())
    assert Byline.objects.count() >= 30 and stale_links() == []


def test_an_owners_page_lists_by_the_copy_and_public_is_still_the_articles_own(client, settings, monkeypatch):
    settings.PAGE_CACHE_SECONDS = 0
    reporter, now = AuthorFactory(slug="reporter"), timezone.now()
    old = ArticleFactory(
        title="古い記事", authors=[reporter], tags=["港"], published=now - timedelta(days=900)
    )
    new = ArticleFactory(
        title="新しい記事", authors=[reporter], tags=["港"], published=now - timedelta(hours=1)
    )
    ArticleFactory(title="予約の記事", authors=[reporter], tags=["港"], published=now + timedelta(hours=1))
    port = reverse("articles:tag", args=[Tag.objects.get(name="港").slug])
    for url in [reverse("articles:author", args=["reporter"]), port]:
        html = client.get(url).content.decode().replace("<wbr>", "")  # headlines carry <wbr>s between phrases
        assert "予約の記事" not in html and html.index(new.title) < html.index(old.title)
    # A copy that says public does not make an article public: published() decides.
    Article.objects.filter(pk=new.pk).update(status="unpublished")
    assert "新しい記事" not in client.get(port).content.decode().replace("<wbr>", "")
    # The scheduled one is listed when its time comes, with no save at that moment.
    later = now + timedelta(hours=2)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert "予約の記事" in client.get(port).content.decode().replace("<wbr>", "")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plans")
def test_an_owner_of_one_old_article_is_read_from_its_links_index_on_postgresql():
    call_command("generate_articles", count=300, stdout=StringIO(), stderr=StringIO())  # and ANALYZE
    oldest = Article.objects.published().order_by("published_at")[0]
    rare = AuthorFactory(slug="rare")
    Byline.objects.create(article=oldest, author=rare, position=2)
    listed = Article.objects.summarized().listed_by_author(rare)[:20]
    with connection.cursor() as cursor:
        # Ruled out: sorting the author's articles (cheap here, for 300). What is left in order is a
        # walk of the whole archive newest first (article_public_idx), or the author's links' index.
        cursor.execute("SET LOCAL enable_sort = off")
        sql, params = listed.query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "byline_public_idx" in plan and "article_public_idx" not in plan, plan
    assert [article.pk for article in listed] == [oldest.pk]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks are tested on PostgreSQL (CI runs it)"
)
def test_a_link_written_while_its_article_is_published_waits_and_gets_the_new_state():
    editor = StaffFactory(username="e", role="Editor", is_superuser=True)
    article, author = ArticleFactory(published=True), AuthorFactory()
    workflow.perform(article, "unpublish", by=editor, comment="直す")
    locked, written = threading.Event(), []

    def add_a_byline_meanwhile():
        try:
            locked.wait()
            written.append(Byline.objects.create(article_id=article.pk, author=author, position=1))
        finally:
            connection.close()

    thread = threading.Thread(target=add_a_byline_meanwhile)
    thread.start()
    with transaction.atomic():
        workflow.perform(Article.objects.get(pk=article.pk), "publish", by=publisher())
        locked.set()
        thread.join(timeout=0.5)
        assert written == []  # waiting for the article's row
    thread.join()
    assert written[0].article_status == "published" and stale_links() == []
