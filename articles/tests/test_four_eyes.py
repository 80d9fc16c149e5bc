"""Four eyes on the text, not on its creator: no editor approves text they changed since its last approval."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from articles.desk import workflow
from articles.models import Article, ArticleEvent
from articles.tests.conftest import run_import
from articles.tests.factories import ArticleFactory, AuthorFactory, StaffFactory
from articles.tests.test_admin import change_form
from articles.tests.test_editor import image_bytes
from articles.tests.test_import import JAPANESE

pytestmark = pytest.mark.django_db
S = Article.Status


@pytest.fixture
def desk(db):
    """A writer, two editors and a chief."""
    return {
        "writer": StaffFactory(username="kisha", role="Writer"),
        "sato": StaffFactory(username="sato", role="Editor"),
        "suzuki": StaffFactory(username="suzuki", role="Editor"),
        "yamada": StaffFactory(username="yamada", role="Chief"),
    }


def writers_article(desk, **fields):
    writer = desk["writer"]
    return ArticleFactory(created_by=writer, authors=[AuthorFactory(user=writer)], **fields)


def rows(article):
    return (
        Article.objects.filter(pk=article.pk).values().get(),
        list(article.history.values_list("history_id", flat=True)),
        list(article.events.values_list("pk", flat=True)),
    )


def act(client, article, action, **fields):
    """Press a workflow button; return the messages the desk shows."""
    response = client.post(
        reverse("admin:articles_article_workflow", args=[article.pk]), {"_workflow": action, **fields}
    )
    return " ".join(str(message) for message in get_messages(response.wsgi_request))


def edit(article, user, body):
    """A save of the text by `user` (a revision of theirs)."""
    article = Article.objects.get(pk=article.pk)
    article.body = body
    article.saved_by = user
    article.save()
    return article


def test_an_editor_who_changed_the_text_cannot_approve_it_alone(client, desk):
    """The half-minute walk of the issue: back to draft, edit, submit, approve, publish."""
    sato = desk["sato"]
    article = writers_article(desk)
    workflow.perform(article, "submit", by=desk["writer"])
    workflow.perform(article, "approve", by=desk["suzuki"])
    client.force_login(sato)
    act(client, article, "revert_to_draft")
    article.refresh_from_db()
    url = reverse("admin:articles_article_change", args=[article.pk])
    assert client.post(url, change_form(article, body="編集者が書き換えた本文。", tags="")).status_code == 302
    act(client, article, "submit")
    article.refresh_from_db()
    assert article.status == S.IN_REVIEW
    before = rows(article)

    said = act(client, article, "approve") + act(client, article, "publish")
    assert "ダブルチェックの原則" in said
    assert "承認できる人：suzuki, yamada。" in said  # not the writer (no right to), not sato
    assert rows(article) == before
    page = client.get(url).content.decode()
    assert 'value="approve"' not in page  # no button for what would be refused, and why
    assert "承認できる人：suzuki, yamada。" in page.split("workflow-refusal", 1)[1]


def test_the_rule_is_in_perform_and_names_only_those_who_may_approve(desk):
    article = writers_article(desk)
    edit(article, desk["sato"], "佐藤が直した本文。")
    edit(article, desk["suzuki"], "鈴木も直した本文。")
    workflow.perform(article, "submit", by=desk["writer"])
    with pytest.raises(workflow.NotAllowed) as refusal:
        workflow.perform(article, "approve", by=desk["sato"])
    assert str(refusal.value).endswith("承認できる人：yamada。")  # suzuki changed it too
    assert Article.objects.get(pk=article.pk).status == S.IN_REVIEW


def test_another_editor_may_approve_the_changed_text(desk):
    article = writers_article(desk)
    edit(article, desk["sato"], "佐藤が直した本文。")
    workflow.perform(article, "submit", by=desk["writer"])
    workflow.perform(article, "approve", by=desk["suzuki"])
    approval = article.events.get(action="approve")
    assert article.status == S.APPROVED and not approval.own_changes


def test_changes_before_the_last_approval_do_not_count(desk):
    article = writers_article(desk)
    edit(article, desk["sato"], "佐藤が直した本文。")
    workflow.perform(article, "submit", by=desk["writer"])
    workflow.perform(article, "approve", by=desk["suzuki"])
    workflow.perform(article, "revert_to_draft", by=desk["writer"])
    edit(article, desk["writer"], "記者が書き足した本文。")
    workflow.perform(article, "submit", by=desk["writer"])
    workflow.perform(article, "approve", by=desk["sato"])  # what sato reviews now is the writer's
    assert Article.objects.get(pk=article.pk).status == S.APPROVED


def test_writing_it_counts_however_little_of_the_text_one_typed(desk):
    created = ArticleFactory(created_by=desk["sato"])  # creating is the first change of the text
    byline = ArticleFactory(authors=[AuthorFactory(user=desk["sato"])])  # the name on it
    for article in (created, byline):
        workflow.perform(article, "submit", by=desk["sato"])
        with pytest.raises(workflow.NotAllowed, match="ダブルチェックの原則"):
            workflow.perform(article, "approve", by=desk["sato"])


def test_a_chief_may_approve_own_changes_and_the_history_says_so(client, desk):
    yamada = desk["yamada"]
    article = writers_article(desk)
    client.force_login(yamada)
    url = reverse("admin:articles_article_change", args=[article.pk])
    client.post(url, change_form(article, body="編集長が書き換えた本文。", tags="", _workflow="submit"))
    act(client, article, "approve")
    article.refresh_from_db()
    approval = article.events.get(action="approve")
    assert article.status == S.APPROVED and approval.actor == yamada and approval.own_changes
    client.force_login(desk["suzuki"])
    history = client.get(url).content.decode().split("article-history", 1)[1]
    assert 'yamada · <strong>承認</strong> · <strong class="own-changes">自分の変更を承認</strong>' in history


def test_a_chief_approving_someone_elses_text_is_not_marked(desk):
    article = writers_article(desk)
    workflow.perform(article, "submit", by=desk["writer"])
    workflow.perform(article, "approve", by=desk["yamada"])
    assert not ArticleEvent.objects.get(action="approve").own_changes


@pytest.mark.parametrize(
    "change",
    [{"hero_image_url": "https://images.example.com/no-alt.jpg"}, {"slug": "another-address"}],
    ids=["image", "address"],
)
def test_an_editor_who_changed_the_image_or_the_address_cannot_approve_it_alone(desk, change):
    article = Article.objects.get(pk=writers_article(desk).pk)
    for name, value in change.items():
        setattr(article, name, value)
    article.saved_by = desk["sato"]
    article.save()
    workflow.perform(article, "submit", by=desk["writer"])
    with pytest.raises(workflow.NotAllowed, match="ダブルチェックの原則"):
        workflow.perform(article, "approve", by=desk["sato"])
    workflow.perform(article, "approve", by=desk["suzuki"])
    assert Article.objects.get(pk=article.pk).status == S.APPROVED


def test_an_image_uploaded_in_the_desk_is_the_uploaders_change(client, desk):
    article = writers_article(desk)
    client.force_login(desk["sato"])
    url = reverse("admin:articles_article_change", args=[article.pk])
    form = change_form(article, title=article.title, body=article.body, tags="")  # the text as it is
    form["hero_image"] = SimpleUploadedFile("port.png", image_bytes(), "image/png")
    assert client.post(url, form).status_code == 302
    changed = Article.objects.get(pk=article.pk)
    assert changed.hero_image.name.endswith(".png") and changed.body == article.body
    workflow.perform(article, "submit", by=desk["writer"])
    assert "ダブルチェックの原則" in act(client, article, "approve")
    assert Article.objects.get(pk=article.pk).status == S.IN_REVIEW
    first, uploaded = article.history.order_by("history_id")
    assert uploaded.history_user == desk["sato"]  # a version of its own, to compare:
    compare = {"a": first.history_id, "b": uploaded.history_id}
    revisions = client.get(reverse("admin:articles_article_revisions", args=[article.pk]), compare)
    assert f'<span class="diff-added">+{changed.hero_image.name}</span>' in revisions.content.decode()


def test_a_scheduled_articles_text_is_frozen_until_it_is_taken_back(client, desk):
    """What was reviewed is what readers get at the scheduled time."""
    sato, suzuki = desk["sato"], desk["suzuki"]
    article = writers_article(desk, title="予約記事", body="審査された本文。")
    workflow.perform(article, "submit", by=desk["writer"])
    workflow.perform(article, "approve", by=suzuki)
    client.force_login(sato)
    later = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    act(client, article, "publish", _publish_at=later)
    article.refresh_from_db()
    assert article.is_scheduled
    url = reverse("admin:articles_article_change", args=[article.pk])
    page = client.get(url).content.decode()
    assert 'name="title"' not in page and 'name="body"' not in page  # read-only
    assert 'value="unpublish"' in page and "予約中は本文を変更できません" in page  # and how to change it
    before = rows(article)
    edited = change_form(article, title="誰も審査していない見出し", body="誰も審査していない本文。", tags="")
    assert client.post(url, edited).status_code == 409
    assert rows(article) == before

    # Taken back, changed, and reviewed again by someone else.
    act(client, article, "unpublish", _comment="見出しを直すため予約を取り消します。")
    act(client, article, "revert_to_draft")
    article.refresh_from_db()
    assert article.status == S.DRAFT
    assert client.post(url, change_form(article, title="直した見出し", tags="")).status_code == 302
    act(client, article, "submit")
    assert "ダブルチェックの原則" in act(client, article, "approve")
    workflow.perform(article, "approve", by=suzuki)
    assert Article.objects.get(pk=article.pk).status == S.APPROVED


# --- the importer and the command line -------------------------------------------------


def test_an_editors_import_is_kept_as_a_draft_and_the_report_says_why(desk):
    code, out, err = run_import(JAPANESE, "--user", "sato")
    assert code == 0
    article = Article.objects.get()
    assert article.status == S.DRAFT and not article.is_public
    assert list(article.events.values_list("action", flat=True)) == ["import"]  # nothing of the walk
    assert "not published: Four-eyes rule" in out and "Who may approve it: suzuki, yamada." in out
    assert "1 kept as draft(s): publishing was refused" in out


def test_an_editor_re_importing_a_file_now_published_does_not_publish_their_own_import(desk, tmp_path):
    draft = JAPANESE.read_text(encoding="utf-8").replace("---\n", "---\npublished: false\n", 1)
    path = tmp_path / JAPANESE.name
    path.write_text(draft, encoding="utf-8")
    run_import(path, "--user", "yamada")
    path.write_text(JAPANESE.read_text(encoding="utf-8") + "\n追記。\n", encoding="utf-8")
    code, out, err = run_import(path, "--user", "sato")
    article = Article.objects.get()
    assert code == 0 and "not published: Four-eyes rule" in out
    assert article.status == S.DRAFT and "追記。" in article.body  # the file's text, not its status
    assert list(article.events.values_list("action", flat=True)) == ["import", "import"]


def test_a_chiefs_import_is_published_and_logged_as_their_own(desk):
    code, out, err = run_import(JAPANESE, "--user", "yamada")
    article = Article.objects.get()
    assert code == 0 and article.is_public
    assert article.events.get(action="approve").own_changes


def test_a_re_import_does_not_change_the_text_of_a_scheduled_article(desk, tmp_path):
    when = (timezone.localtime() + timedelta(days=2)).replace(microsecond=0)
    path = tmp_path / f"{when:%Y-%m-%d}-yotei.md"
    path.write_text(f"---\ntitle: 予約記事\ndate: {when.isoformat()}\n---\n審査された本文。\n", "utf-8")
    run_import(path, "--user", "yamada")
    article = Article.objects.get()
    assert article.is_scheduled
    path.write_text(path.read_text("utf-8").replace("審査された", "誰も審査していない"), "utf-8")
    before = rows(article)
    code, out, err = run_import(path, "--user", "sato")
    assert "scheduled" in out + err and "1 refused" in out + err
    assert rows(article) == before
