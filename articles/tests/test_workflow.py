"""The review workflow: who may do what, from which state, through perform() and over HTTP."""

import itertools
import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles.desk import workflow
from articles.models import Article, ArticleEvent
from articles.tests.factories import ArticleFactory, AuthorFactory, StaffFactory, time_comes

pytestmark = pytest.mark.django_db
S = Article.Status

# Written out by hand from the issue, not read from workflow.ACTIONS.
SOURCES = {
    "submit": {S.DRAFT, S.CHANGES_REQUESTED},
    "withdraw": {S.IN_REVIEW},
    "request_changes": {S.IN_REVIEW},
    "approve": {S.IN_REVIEW},
    "publish": {S.APPROVED, S.UNPUBLISHED},
    "unpublish": {S.PUBLISHED},
    "revert_to_draft": {S.CHANGES_REQUESTED, S.APPROVED, S.UNPUBLISHED},
}
TARGETS = {
    "submit": S.IN_REVIEW, "withdraw": S.DRAFT, "request_changes": S.CHANGES_REQUESTED, "approve": S.APPROVED,
    "publish": S.PUBLISHED, "unpublish": S.UNPUBLISHED, "revert_to_draft": S.DRAFT,
}  # fmt: skip
# role, owns the article -> the actions it may take (where the state allows)
MAY = {
    ("Writer", True): {"submit", "withdraw", "revert_to_draft"},
    ("Writer", False): set(),
    ("Editor", True): {"submit", "withdraw", "request_changes", "publish", "unpublish", "revert_to_draft"},
    ("Editor", False): {
        "submit",
        "withdraw",
        "request_changes",
        "approve",
        "publish",
        "unpublish",
        "revert_to_draft",
    },
    ("Chief", True): set(SOURCES),
}
# How to bring an article to each state, as someone who may do everything.
PATHS = {
    S.DRAFT: [],
    S.IN_REVIEW: ["submit"],
    S.CHANGES_REQUESTED: ["submit", "request_changes"],
    S.APPROVED: ["submit", "approve"],
    S.PUBLISHED: ["submit", "approve", "publish"],
    S.UNPUBLISHED: ["submit", "approve", "publish", "unpublish"],
}
CASES = [
    (role, owns, state, action)
    for (role, owns), state, action in itertools.product(MAY, PATHS, SOURCES)
]  # fmt: skip


def article_in(state, owner):
    boss = StaffFactory(username="boss", is_superuser=True)
    article = ArticleFactory(created_by=owner)
    for step in PATHS[state]:
        workflow.perform(article, step, by=boss, comment="準備")
    return article


def user_for(role):
    return StaffFactory(username=f"{role.lower()}-user", role=role)


def expected(role, owns, state, action):
    return action in MAY[(role, owns)] and state in SOURCES[action]


@pytest.mark.parametrize(("role", "owns", "state", "action"), CASES)
def test_role_action_matrix_through_perform(role, owns, state, action):
    user = user_for(role)
    article = article_in(state, owner=user if owns else StaffFactory(username="someone-else", role="Writer"))
    events = article.events.count()
    try:
        workflow.perform(article, action, by=user, comment="コメント")
        allowed = True
    except workflow.NotAllowed:
        allowed = False
    article.refresh_from_db()
    assert allowed == expected(role, owns, state, action)
    assert article.status == (TARGETS[action] if allowed else state)
    assert article.events.count() == events + allowed


@pytest.mark.parametrize(("role", "owns", "state", "action"), CASES)
def test_role_action_matrix_over_http(role, owns, state, action):
    user = user_for(role)
    article = article_in(state, owner=user if owns else StaffFactory(username="someone-else", role="Writer"))
    before = (article.status, article.version, article.events.count())
    client = Client()
    client.force_login(user)
    client.post(
        reverse("admin:articles_article_workflow", args=[article.pk]),
        {"_workflow": action, "_comment": "コメント"},
    )
    article.refresh_from_db()
    after = (article.status, article.version, article.events.count())
    assert (after != before) == expected(role, owns, state, action)
    assert article.status == (TARGETS[action] if expected(role, owns, state, action) else state)


def test_a_writer_posting_status_published_changes_nothing(writer):
    article = ArticleFactory(created_by=writer, title="元の見出し")
    byline = article.bylines.get()
    client = Client()
    client.force_login(writer)
    client.post(
        reverse("admin:articles_article_change", args=[article.pk]),
        {
            "title": "元の見出し", "slug": article.slug, "body": article.body, "excerpt": "", "tags": "",
            "hero_alt": "", "version": str(article.version), "status": "published",
            "published_at": "2020-01-01 00:00", "_workflow": "publish",
            "bylines-TOTAL_FORMS": "1", "bylines-INITIAL_FORMS": "1", "bylines-MIN_NUM_FORMS": "1",
            "bylines-MAX_NUM_FORMS": "1000", "bylines-0-id": str(byline.pk),
            "bylines-0-article": str(article.pk), "bylines-0-author": str(byline.author_id), "bylines-0-position": "0",
        },
    )  # fmt: skip
    article.refresh_from_db()
    assert article.status == S.DRAFT and article.published_at is None
    assert not article.events.filter(action="publish").exists()


def test_writers_see_only_their_own_articles(writer):
    mine = ArticleFactory(created_by=writer, title="自分の記事")
    theirs = ArticleFactory(title="他人の記事")
    client = Client()
    client.force_login(writer)
    listing = client.get(reverse("admin:articles_article_changelist")).content.decode()
    assert "自分の記事" in listing and "他人の記事" not in listing
    assert client.get(reverse("admin:articles_article_change", args=[mine.pk])).status_code == 200
    assert client.get(reverse("admin:articles_article_change", args=[theirs.pk])).status_code == 302


def test_a_writer_cannot_edit_an_article_in_review_but_can_withdraw_it(writer):
    article = ArticleFactory(created_by=writer, title="審査中")
    workflow.perform(article, "submit", by=writer)
    client = Client()
    client.force_login(writer)
    page = client.get(reverse("admin:articles_article_change", args=[article.pk])).content.decode()
    assert 'name="title"' not in page  # read only
    assert 'value="withdraw"' in page
    client.post(reverse("admin:articles_article_workflow", args=[article.pk]), {"_workflow": "withdraw"})
    article.refresh_from_db()
    assert article.status == S.DRAFT


def test_review_comments_are_shown_to_the_writer(writer, editor):
    article = ArticleFactory(created_by=writer)
    workflow.perform(article, "submit", by=writer)
    workflow.perform(article, "request_changes", by=editor, comment="第2段落の数字を確認してください。")
    client = Client()
    client.force_login(writer)
    page = client.get(reverse("admin:articles_article_change", args=[article.pk])).content.decode()
    assert "第2段落の数字を確認してください。" in page and "editor" in page


def test_review_queue_is_oldest_first_and_my_articles_is_one_click_away(writer, editor):
    older = ArticleFactory(created_by=writer, title="古い提出")
    newer = ArticleFactory(created_by=writer, title="新しい提出")
    for article in (older, newer):
        workflow.perform(article, "submit", by=writer)
    Article.objects.filter(pk=older.pk).update(updated_at=timezone.now() - timedelta(days=1))
    client = Client()
    client.force_login(editor)
    queue = client.get(reverse("admin:articles_article_changelist") + "?desk=queue").content.decode()
    assert queue.index("古い提出") < queue.index("新しい提出")
    assert 'class="badge badge-in_review"' in queue
    index = client.get(reverse("admin:index")).content.decode()
    assert "?desk=queue" in index and "?desk=mine" in index


def test_editor_cannot_approve_their_own_article_but_chief_can(editor):
    own = ArticleFactory(created_by=editor)
    workflow.perform(own, "submit", by=editor)
    with pytest.raises(workflow.NotAllowed):
        workflow.perform(own, "approve", by=editor)
    chief = StaffFactory(username="chief", role="Chief")
    chiefs = ArticleFactory(created_by=chief)
    workflow.perform(chiefs, "submit", by=chief)
    workflow.perform(chiefs, "approve", by=chief)
    assert chiefs.status == S.APPROVED


def test_a_byline_makes_its_author_an_owner(writer):
    article = ArticleFactory(authors=[AuthorFactory(user=writer)])
    workflow.perform(article, "submit", by=writer)
    assert article.status == S.IN_REVIEW


def test_scheduled_article_appears_on_home_feeds_and_author_page_at_its_time(client, editor):
    author = AuthorFactory(slug="kisha")
    article = ArticleFactory(
        title="予約された記事", authors=[author], created_by=StaffFactory(username="w", role="Writer")
    )
    workflow.perform(article, "submit", by=article.created_by)
    workflow.perform(article, "approve", by=editor)
    workflow.perform(article, "publish", by=editor, publish_at=timezone.now() + timedelta(hours=2))
    pages = [
        reverse("articles:home"),
        reverse("articles:feed"),
        reverse("articles:feed_atom"),
        author.get_absolute_url(),
    ]
    assert all("予約された記事" not in client.get(url).content.decode().replace("<wbr>", "") for url in pages)
    assert client.get(article.get_absolute_url()).status_code == 404
    time_comes(article)
    assert all("予約された記事" in client.get(url).content.decode().replace("<wbr>", "") for url in pages)
    assert client.get(article.get_absolute_url()).status_code == 200


def test_notifications_reach_the_right_people(writer, editor, django_capture_on_commit_callbacks):
    other_editor = StaffFactory(username="editor2", role="Editor")
    article = ArticleFactory(created_by=writer)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.perform(article, "submit", by=writer)
    assert sorted(m.to[0] for m in mail.outbox) == sorted([editor.email, other_editor.email])
    mail.outbox.clear()
    for action, comment in [
        ("request_changes", "直してください"),
        ("submit", ""),
        ("approve", ""),
        ("publish", ""),
    ]:
        actor = writer if action == "submit" else editor
        with django_capture_on_commit_callbacks(execute=True):
            workflow.perform(article, action, by=actor, comment=comment)
    to_writer = [m for m in mail.outbox if m.to == [writer.email]]
    assert len(to_writer) == 3  # changes requested, approved, published
    assert "直してください" in to_writer[0].body


def test_no_notification_when_the_transaction_rolls_back(writer, editor, django_capture_on_commit_callbacks):
    article = ArticleFactory(created_by=writer)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            workflow.perform(article, "submit", by=writer)
            transaction.set_rollback(True)
    assert callbacks == [] and mail.outbox == []
    assert Article.objects.get(pk=article.pk).status == S.DRAFT


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks are tested on PostgreSQL (CI runs it)"
)
def test_twenty_editors_approving_at_once_one_succeeds_and_one_event_is_written():
    writer = StaffFactory(username="w", role="Writer")
    editors = [StaffFactory(username=f"e{n}", role="Editor") for n in range(20)]
    article = ArticleFactory(created_by=writer)
    workflow.perform(article, "submit", by=writer)
    barrier, outcomes = threading.Barrier(len(editors)), []

    def approve(editor):
        try:
            barrier.wait()
            workflow.perform(Article.objects.get(pk=article.pk), "approve", by=editor)
            outcomes.append("ok")
        except workflow.NotAllowed:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(editor,)) for editor in editors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["ok"] + ["refused"] * 19
    assert ArticleEvent.objects.filter(article=article, action="approve").count() == 1
    assert Article.objects.get(pk=article.pk).status == S.APPROVED


def test_a_fault_in_the_middle_of_a_transition_undoes_all_of_it(
    writer, editor, monkeypatch, django_capture_on_commit_callbacks
):
    """The status is saved, then writing the log entry fails: nothing of the step remains, no mail."""
    article = ArticleFactory(created_by=writer)
    workflow.perform(article, "submit", by=writer)
    revisions = article.history.count()
    events = ArticleEvent.objects.filter(article=article).count()
    mail.outbox.clear()

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(ArticleEvent.objects, "bulk_create", broken)
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(OSError):
        workflow.perform(Article.objects.get(pk=article.pk), "approve", by=editor)
    stored = Article.objects.get(pk=article.pk)
    assert stored.status == S.IN_REVIEW and stored.version == article.version
    assert article.history.count() == revisions
    assert ArticleEvent.objects.filter(article=article).count() == events
    assert callbacks == [] and mail.outbox == []
