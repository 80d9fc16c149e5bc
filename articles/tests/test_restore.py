"""Restoring a revision never changes the live article by itself.

On a published article the old text opens in the change form, not saved; on a
draft a page shows what differs, and only its confirmation saves a new version.
"""

import pytest
from django.test import Client
from django.urls import reverse

from articles.desk import workflow
from articles.models import Article
from articles.tests.factories import ArticleFactory, AuthorFactory, StaffFactory, UserFactory
from articles.tests.test_admin import change_form

pytestmark = pytest.mark.django_db
S = Article.Status
BARE = "港の朝。\n\n![](https://example.com/port.jpg)"
FIXED = "港の朝。\n\n![朝の港に並ぶ漁船](https://example.com/port.jpg)"


def rows(article):
    """The article's row, its revisions and its log, as the database has them."""
    return (
        Article.objects.filter(pk=article.pk).values().get(),
        list(article.history.values_list("history_id", flat=True)),
        list(article.events.values_list("pk", flat=True)),
    )


def published_after_a_fix(fixer, owner=None):
    """A published article whose image got its alt text in a correction; and its version without it."""
    article = ArticleFactory(title="港の朝", body=BARE, created_by=owner, published=True)
    article.body, article.hero_alt = FIXED, "防波堤と灯台"
    article._history_user = fixer
    article.save()
    return Article.objects.get(pk=article.pk), article.history.get(version=1)


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def revisions_url(article):
    return reverse("admin:articles_article_revisions", args=[article.pk])


# --- a published article: the old text in the form, unsaved -------------------------


def test_restore_on_a_published_article_loads_the_old_text_into_the_form_and_saves_nothing(client, editor):
    article, bare = published_after_a_fix(editor)
    client.force_login(editor)
    before = rows(article)
    listing = client.get(revisions_url(article)).content.decode()
    assert f'href="{change_url(article)}?restore={bare.history_id}"' in listing  # a link: a GET

    response = client.get(change_url(article), {"restore": bare.history_id})
    html = response.content.decode()
    assert response.status_code == 200
    assert f"バージョン {bare.version} から読み込みました（まだ保存されていません）" in html
    assert "保存すると訂正になります" in html
    assert "\n港の朝。\n\n![](https://example.com/port.jpg)</textarea>" in html  # the old body, in the form
    assert '<span class="diff-added">+![](https://example.com/port.jpg)</span>' in html
    assert '<span class="diff-removed">-![朝の港に並ぶ漁船](https://example.com/port.jpg)</span>' in html
    assert 'value="防波堤と灯台"' in html  # the hero image's alt text stays as it is now
    assert f'<input type="hidden" name="version" value="{article.version}"' in html  # the article's own
    assert f'action="{change_url(article)}"' in html  # its save leads back to the form as it then is
    assert f'<input type="hidden" name="_restore" value="{bare.history_id}">' in html  # for the log
    assert rows(article) == before
    assert 'alt="朝の港に並ぶ漁船"' in Client().get(article.get_absolute_url()).content.decode()


def test_saving_the_loaded_text_is_a_correction_like_any_other(client, editor):
    article, bare = published_after_a_fix(editor)
    restorer = StaffFactory(username="tanaka", role="Editor")
    client.force_login(restorer)
    form = change_form(article, title=bare.title, body=bare.body, tags="", hero_alt=article.hero_alt)
    form["correction_note"] = "写真の説明を初出時のものに戻しました。"
    form.update(_restore=bare.history_id, _continue="1")
    response = client.post(change_url(article), form)
    assert response.status_code == 302 and response["Location"] == change_url(article)  # not loaded again
    article.refresh_from_db()
    assert article.body == BARE and article.is_public and article.was_updated
    latest = article.history.first()
    assert latest.history_user == restorer and latest.history_change_reason == f"restored v{bare.version}"
    page = Client().get(article.get_absolute_url()).content.decode()
    assert "写真の説明を初出時のものに戻しました。" in page


def test_the_loaded_text_is_refused_when_someone_saved_in_between(client, editor):
    article, bare = published_after_a_fix(editor)
    client.force_login(editor)
    client.get(change_url(article), {"restore": bare.history_id})
    opened = change_form(article, title=bare.title, body=bare.body, tags="")
    colleague = Article.objects.get(pk=article.pk)
    colleague.title = "港の朝（訂正）"
    colleague.save()
    before = rows(article)
    response = client.post(change_url(article), {**opened, "_restore": bare.history_id})
    assert response.status_code == 200 and "errornote" in response.content.decode()
    assert rows(article) == before


def test_a_hand_made_restore_post_on_a_published_article_saves_nothing(client, editor):
    article, bare = published_after_a_fix(editor)
    client.force_login(editor)
    before = rows(article)
    response = client.post(revisions_url(article), {"restore": bare.history_id, "version": article.version})
    assert response.status_code == 302
    assert response["Location"] == f"{change_url(article)}?restore={bare.history_id}"
    assert rows(article) == before


@pytest.mark.parametrize("role", ["anonymous", "reader", "Writer", "Editor", "Chief"])
def test_no_one_changes_a_published_article_by_restoring(client, role):
    writer = StaffFactory(username="kisha", role="Writer")
    article, bare = published_after_a_fix(StaffFactory(username="fixer", role="Editor"), owner=writer)
    visitor = {
        "anonymous": None,
        "reader": UserFactory(username="reader"),
        "Writer": writer,  # its own writer: may read it, not correct it
        "Editor": StaffFactory(username="desk-editor", role="Editor"),
        "Chief": StaffFactory(username="desk-chief", role="Chief"),
    }[role]
    if visitor:
        client.force_login(visitor)
    before = rows(article)
    opened = client.get(change_url(article), {"restore": bare.history_id})
    posted = client.post(revisions_url(article), {"restore": bare.history_id, "version": article.version})
    may_correct = role in ("Editor", "Chief")
    notice = "から読み込みました" in opened.content.decode()
    assert notice == may_correct
    assert posted.status_code == {"anonymous": 302, "reader": 302, "Writer": 403}.get(role, 302)
    assert rows(article) == before


# --- a draft: what differs, then a new version once confirmed -------------------------


def draft_written_twice(writer):
    article = ArticleFactory(
        created_by=writer, authors=[AuthorFactory(user=writer)], title="初稿", body="最初の本文。"
    )
    article.title, article.body, article.hero_alt = "二稿", "書き直した本文。", "港の写真"
    article._history_user = writer
    article.save()
    return Article.objects.get(pk=article.pk), article.history.get(version=1)


def test_restoring_a_draft_shows_what_differs_and_saves_only_once_confirmed(client, writer):
    article, first = draft_written_twice(writer)
    client.force_login(writer)
    before = rows(article)
    listing = client.get(revisions_url(article)).content.decode()
    assert f'href="{revisions_url(article)}?restore={first.history_id}"' in listing

    confirm = client.get(revisions_url(article), {"restore": first.history_id}).content.decode()
    assert "バージョン 1 を復元しますか？" in confirm
    assert '<span class="diff-removed">-書き直した本文。</span>' in confirm
    assert '<span class="diff-added">+最初の本文。</span>' in confirm
    assert f'<input type="hidden" name="version" value="{article.version}">' in confirm
    assert rows(article) == before  # a GET never saves

    response = client.post(revisions_url(article), {"restore": first.history_id, "version": article.version})
    assert response.status_code == 302 and response["Location"] == change_url(article)
    article.refresh_from_db()
    assert (article.title, article.body, article.status) == ("初稿", "最初の本文。", S.DRAFT)
    assert article.hero_alt == "港の写真"  # the image's alt text is not part of a restore
    latest = article.history.first()
    assert (latest.version, latest.history_user, latest.history_change_reason) == (3, writer, "restored v1")


@pytest.mark.parametrize("role", ["anonymous", "reader", "another Writer", "Writer", "Editor", "Chief"])
def test_who_may_restore_a_draft_and_that_a_get_never_does(client, role):
    writer = StaffFactory(username="kisha", role="Writer")
    article, first = draft_written_twice(writer)
    visitor = {
        "anonymous": None,
        "reader": UserFactory(username="reader"),
        "another Writer": StaffFactory(username="other", role="Writer"),
        "Writer": writer,  # its own writer
        "Editor": StaffFactory(username="desk-editor", role="Editor"),
        "Chief": StaffFactory(username="desk-chief", role="Chief"),
    }[role]
    if visitor:
        client.force_login(visitor)
    before = rows(article)
    client.get(revisions_url(article), {"restore": first.history_id})
    assert rows(article) == before
    client.post(revisions_url(article), {"restore": first.history_id, "version": article.version})
    article.refresh_from_db()
    assert (article.body == "最初の本文。") == (role in ("Writer", "Editor", "Chief"))
    if article.body != "最初の本文。":
        assert rows(article) == before


def test_a_draft_restore_confirmed_after_someone_saved_is_refused(client, writer, editor):
    article, first = draft_written_twice(writer)
    client.force_login(writer)
    seen = article.version
    colleague = Article.objects.get(pk=article.pk)
    colleague.body = "編集者が直した本文。"
    colleague._history_user = editor
    colleague.save()
    before = rows(article)
    response = client.post(
        revisions_url(article), {"restore": first.history_id, "version": seen}, follow=True
    )
    assert "もう一度比較してください" in response.content.decode()
    assert rows(article) == before


def test_restoring_is_not_possible_while_the_text_is_frozen_for_review(client, writer, editor):
    article, first = draft_written_twice(writer)
    workflow.perform(article, "submit", by=writer)
    client.force_login(editor)
    before = rows(article)
    assert client.get(revisions_url(article), {"restore": first.history_id}).status_code == 403
    assert (
        "から読み込みました"
        not in client.get(change_url(article), {"restore": first.history_id}).content.decode()
    )
    assert rows(article) == before
