"""The desk beyond the workflow: previews, share links, corrections, tag merges."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles.desk import workflow
from articles.models import Article, PreviewLink, PreviewVisit, Tag
from articles.tests.factories import ArticleFactory, StaffFactory, time_comes

pytestmark = pytest.mark.django_db


def test_staff_preview_shows_a_draft_as_it_will_look_and_is_never_indexed_or_cached(editor_client):
    article = ArticleFactory(title="下書きの記事", body="## 見出し\n\n本文。")
    response = editor_client.get(reverse("articles:preview", args=[article.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>下書きの<wbr>記事</h1>" in html and '<h2 id="見出し">' in html  # <wbr>: between phrases
    assert '<meta name="robots" content="noindex, nofollow">' in html
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]


def test_preview_is_for_staff_who_may_read_the_article(client, writer):
    article = ArticleFactory(title="他人の下書き")
    assert client.get(reverse("articles:preview", args=[article.pk])).status_code == 302  # to the login
    client.force_login(writer)
    assert client.get(reverse("articles:preview", args=[article.pk])).status_code == 404


def test_a_share_link_works_logged_out_is_logged_and_can_be_revoked(editor_client):
    article = ArticleFactory(title="共有する下書き")
    editor_client.post(reverse("admin:articles_article_share", args=[article.pk]))
    link = PreviewLink.objects.get()
    assert link.expires_at - timezone.now() > timedelta(days=6, hours=23)

    reader = Client()
    response = reader.get(link.get_absolute_url(), HTTP_USER_AGENT="reviewer-browser")
    assert response.status_code == 200 and "共有する下書き" in response.content.decode()
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert PreviewVisit.objects.get().user_agent == "reviewer-browser"

    editor_client.post(reverse("admin:articles_article_share", args=[article.pk]), {"revoke": link.pk})
    assert reader.get(link.get_absolute_url()).status_code == 404


def test_an_expired_or_forged_share_link_is_refused(client, editor):
    link = PreviewLink.objects.create(article=ArticleFactory(), created_by=editor)
    PreviewLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get(link.get_absolute_url()).status_code == 404
    signed = link.get_absolute_url().rstrip("/").rsplit("/", 1)[1]
    forged = reverse(
        "articles:shared_preview", args=[signed[:-4] + ("AAAA" if not signed.endswith("AAAA") else "BBBB")]
    )
    assert client.get(forged).status_code == 404
    PreviewLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() + timedelta(days=1))
    assert client.get(link.get_absolute_url()).status_code == 200 and client.get(forged).status_code == 404
    assert client.get(reverse("articles:shared_preview", args=[str(link.token)])).status_code == 404


def test_writers_cannot_make_share_links(client, writer):
    article = ArticleFactory(created_by=writer)
    client.force_login(writer)
    assert client.post(reverse("admin:articles_article_share", args=[article.pk])).status_code == 403
    assert not PreviewLink.objects.exists()


def test_a_correction_gives_a_new_updated_date_and_an_optional_public_note(client, editor):
    article = ArticleFactory(title="訂正される記事", published=timezone.now() - timedelta(days=2))
    assert 'class="correction"' not in client.get(article.get_absolute_url()).content.decode()
    article.body += "\n\n金額を訂正しました。"
    article.correction_note = "初出時、総事業費を誤って記載していました。"
    article.save()
    html = client.get(article.get_absolute_url()).content.decode()
    assert "初出時、総事業費を誤って記載していました。" in html
    assert article.was_updated and "更新" in html


def test_only_editors_may_correct_a_published_article(client, writer, editor):
    article = ArticleFactory(created_by=writer, published=True)
    url = reverse("admin:articles_article_change", args=[article.pk])
    client.force_login(writer)
    assert 'name="title"' not in client.get(url).content.decode()
    client.force_login(editor)
    assert 'name="title"' in client.get(url).content.decode()


def test_the_chief_merges_tags(client):
    chief = StaffFactory(username="chief", role="Chief")
    first = ArticleFactory(tags=["AI", "人工知能"])
    second = ArticleFactory(tags=["人工知能"])
    third = ArticleFactory(tags=["AI"])
    client.force_login(chief)
    ids = list(Tag.objects.values_list("pk", flat=True))
    client.post(reverse("admin:articles_tag_changelist"), {"action": "merge_tags", "_selected_action": ids})
    [kept] = Tag.objects.all()
    assert kept.name in ("AI", "人工知能")
    for article in (first, second, third):
        assert list(Article.objects.get(pk=article.pk).tags.names()) == [kept.name]


def test_an_editor_cannot_merge_tags(client, editor):
    ArticleFactory(tags=["AI", "人工知能"])
    client.force_login(editor)
    ids = list(Tag.objects.values_list("pk", flat=True))
    client.post(reverse("admin:articles_tag_changelist"), {"action": "merge_tags", "_selected_action": ids})
    assert Tag.objects.count() == 2


def test_unpublish_needs_a_comment_from_the_admin_too(editor_client, editor):
    article = ArticleFactory(published=True)
    editor_client.post(
        reverse("admin:articles_article_workflow", args=[article.pk]), {"_workflow": "unpublish"}
    )
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED
    editor_client.post(
        reverse("admin:articles_article_workflow", args=[article.pk]),
        {"_workflow": "unpublish", "_comment": "誤報"},
    )
    article.refresh_from_db()
    assert article.status == Article.Status.UNPUBLISHED
    assert article.events.last().comment == "誤報"
    assert workflow.available_actions(article, editor)[0].name == "publish"


def test_every_save_keeps_a_revision_that_can_be_compared_and_restored(client, writer, editor):
    article = ArticleFactory(created_by=writer, title="初稿の見出し", body="最初の本文。")
    article.body = "書き直した本文。\n\n新しい段落。"
    article.save()
    workflow.perform(article, "submit", by=writer)  # a change of status: logged as an event, not a revision
    assert [r.version for r in article.history.all()] == [2, 1]

    client.force_login(editor)
    url = reverse("admin:articles_article_revisions", args=[article.pk])
    first, second = article.history.get(version=1), article.history.get(version=2)
    page = client.get(url, {"a": first.history_id, "b": second.history_id}).content.decode()
    assert '<span class="diff-removed">-最初の本文。</span>' in page
    assert '<span class="diff-added">+書き直した本文。</span>' in page

    assert client.post(url, {"restore": first.history_id}).status_code == 403  # in review, the text is frozen
    workflow.perform(article, "request_changes", by=editor, comment="初稿に戻しましょう")
    assert "最初の本文。" in client.get(url, {"restore": first.history_id}).content.decode()  # to confirm
    client.post(url, {"restore": first.history_id, "version": article.version})
    article.refresh_from_db()
    assert article.body == "最初の本文。" and article.status == Article.Status.CHANGES_REQUESTED
    assert article.history.first().version == 5 and article.history.first().history_user == editor


def test_a_writer_may_read_but_not_restore_revisions_of_an_article_in_review(client, writer):
    article = ArticleFactory(created_by=writer, body="一")
    article.body = "二"
    article.save()
    workflow.perform(article, "submit", by=writer)
    client.force_login(writer)
    url = reverse("admin:articles_article_revisions", args=[article.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"restore": article.history.get(version=1).history_id}).status_code == 403
    article.refresh_from_db()
    assert article.body == "二"


def test_correcting_a_published_article_keeps_a_revision(editor):
    article = ArticleFactory(published=True, body="誤った数字。")
    versions = article.history.count()
    article.body = "正しい数字。"
    article.save()
    assert article.history.count() == versions + 1
    assert article.history.first().body == "正しい数字。"


def test_a_failing_mail_server_does_not_fail_a_step_that_is_done(
    writer, editor, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens there
    article = ArticleFactory(created_by=writer, title="改行を\n含む見出し")
    with django_capture_on_commit_callbacks(execute=True):
        workflow.perform(article, "submit", by=writer)
    assert Article.objects.get(pk=article.pk).status == Article.Status.IN_REVIEW


def test_hand_made_ids_are_404_not_500(editor_client):
    article = ArticleFactory()
    revisions = reverse("admin:articles_article_revisions", args=[article.pk])
    assert editor_client.get(revisions, {"a": "x", "b": "1"}).status_code == 404
    assert editor_client.post(revisions, {"restore": "x"}).status_code == 404
    share = reverse("admin:articles_article_share", args=[article.pk])
    assert editor_client.post(share, {"revoke": "x"}).status_code == 302
    assert editor_client.get(reverse("admin:articles_article_changelist") + "?desk=queue").status_code == 200


def test_the_sitemap_lists_public_articles_and_a_scheduled_one_at_its_time(client, editor):
    public = ArticleFactory(title="公開中", published=True)
    scheduled = ArticleFactory(title="予約", published=timezone.now() + timedelta(hours=1))
    ArticleFactory(title="下書き")
    articles = reverse("articles:sitemap_section", args=["articles"])
    xml = client.get(articles).content.decode()
    assert public.get_absolute_url() in xml and scheduled.get_absolute_url() not in xml
    time_comes(scheduled)
    assert scheduled.get_absolute_url() in client.get(articles).content.decode()


def test_a_chief_cannot_make_anyone_a_superuser(client):
    chief = StaffFactory(username="chief", role="Chief")
    client.force_login(chief)
    page = client.get(reverse("admin:auth_user_change", args=[chief.pk])).content.decode()
    assert 'name="is_superuser"' not in page and 'name="groups"' in page


def test_writers_cannot_write_a_public_correction_note(client, writer):
    article = ArticleFactory(created_by=writer)
    client.force_login(writer)
    page = client.get(reverse("admin:articles_article_change", args=[article.pk])).content.decode()
    assert 'name="correction_note"' not in page and 'name="title"' in page


def test_text_typed_by_a_writer_is_given_back_when_the_article_was_submitted_meanwhile(client, writer):
    from articles.tests.factories import AuthorFactory

    coauthor = StaffFactory(username="coauthor", role="Writer")
    article = ArticleFactory(created_by=writer, authors=[AuthorFactory(user=coauthor)])
    byline = article.bylines.get()
    workflow.perform(article, "submit", by=coauthor)
    client.force_login(writer)
    response = client.post(
        reverse("admin:articles_article_change", args=[article.pk]),
        {"title": "私の見出し", "body": "私が書いたばかりの本文。", "excerpt": "", "version": str(article.version),
         "bylines-TOTAL_FORMS": "1", "bylines-INITIAL_FORMS": "1", "bylines-0-id": str(byline.pk)},
    )  # fmt: skip
    assert response.status_code == 409
    assert "私が書いたばかりの本文。" in response.content.decode()
    article.refresh_from_db()
    assert article.body != "私が書いたばかりの本文。"
