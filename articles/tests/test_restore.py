"""Restoring a revision never changes the live article by itself.

On a published article the old text opens in the change form, not saved; on a
draft a page shows what differs, and only its confirmation saves a new version.
"""

import re
from html import unescape

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
    article.saved_by = fixer
    article.save()
    return Article.objects.get(pk=article.pk), article.history.get(version=1)


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def shown(html, name):
    """A field of the form as the browser shows it: (its text, its greyed placeholder)."""
    found = re.search(rf'<textarea name="{name}"([^>]*)>\n?(.*?)</textarea>', html, re.S)
    if found:
        attributes, text = found.groups()
    else:
        attributes = re.search(rf'<input type="text" name="{name}"([^>]*)>', html)[1]
        text = re.search(r'value="([^"]*)"', attributes)[1]
    placeholder = re.search(r'placeholder="([^"]*)"', attributes)
    return unescape(text), unescape(placeholder[1]) if placeholder else ""


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
    html = client.get(change_url(article), {"restore": bare.history_id}).content.decode()
    assert "から読み込みました" in html and shown(html, "body")[0] == BARE  # the old text, in the form
    assert f'<input type="hidden" name="version" value="{article.version}"' in html
    opened = change_form(article, title=shown(html, "title")[0], body=shown(html, "body")[0], tags="")
    colleague = Article.objects.get(pk=article.pk)
    colleague.title = "港の朝（訂正）"
    colleague.save()
    before = rows(article)
    response = client.post(change_url(article), {**opened, "_restore": bare.history_id})
    html = response.content.decode()
    assert response.status_code == 200 and "errornote" in html
    assert "あなたがこの記事を開いた後" in html  # refused by the version check, not by anything else
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
    html = opened.content.decode()
    if role in ("anonymous", "reader"):  # the desk's login page
        login = reverse("admin:login")
        assert opened.status_code == posted.status_code == 302
        assert opened["Location"].startswith(login) and posted["Location"].startswith(login)
    elif role == "Writer":  # the article as it is, read-only; the restore refused
        assert opened.status_code == 200 and "港の朝" in html
        assert "から読み込みました" not in html and 'name="body"' not in html
        assert posted.status_code == 403
    else:  # the old text in the form, not saved; a hand-made POST only leads there
        assert "から読み込みました" in html and shown(html, "body")[0] == BARE
        assert posted.status_code == 302
        assert posted["Location"] == f"{change_url(article)}?restore={bare.history_id}"
    assert rows(article) == before


# --- a draft: what differs, then a new version once confirmed -------------------------


def draft_written_twice(writer):
    article = ArticleFactory(
        created_by=writer, authors=[AuthorFactory(user=writer)], title="初稿", body="最初の本文。"
    )
    article.title, article.body, article.hero_alt = "二稿", "書き直した本文。", "港の写真"
    article.saved_by = writer
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
    may = role in ("Writer", "Editor", "Chief")
    before = rows(article)
    confirm = client.get(revisions_url(article), {"restore": first.history_id})
    assert rows(article) == before  # a GET never saves, whoever sends it
    if may:  # the confirmation page, with what differs
        html = confirm.content.decode()
        assert confirm.status_code == 200 and "バージョン 1 を復元しますか？" in html
        assert '<span class="diff-added">+最初の本文。</span>' in html
        assert f'<input type="hidden" name="restore" value="{first.history_id}">' in html
    else:
        assert confirm.status_code == {"anonymous": 302, "reader": 302, "another Writer": 403}[role]
    client.post(revisions_url(article), {"restore": first.history_id, "version": article.version})
    article.refresh_from_db()
    assert (article.body == "最初の本文。") == may
    if may:
        assert article.history.first().history_change_reason == "restored v1"
    else:
        assert rows(article) == before


def test_a_draft_restore_confirmed_after_someone_saved_is_refused(client, writer, editor):
    article, first = draft_written_twice(writer)
    client.force_login(writer)
    seen = article.version
    colleague = Article.objects.get(pk=article.pk)
    colleague.body = "編集者が直した本文。"
    colleague.saved_by = editor
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


# --- the excerpt: typed or derived, as it was in the version restored --------------------

TYPED, LATER = "手で書いた要約。", "後から書いた要約。"
FIRST_BODY, LATER_BODY = "一段落目の本文。\n\n二段落目の本文。", "書き直した一段落目。\n\n二段落目の本文。"


def excerpt_changed(by, *, first, later, **factory):
    """An article whose version 1 had the excerpt `first` ("" derives it) and a later save `later`,
    with a rewritten body; and its version 1."""
    article = ArticleFactory(title="要約の記事", body=FIRST_BODY, excerpt=first, **factory)
    article = Article.objects.get(pk=article.pk)
    article.body, article.excerpt, article.saved_by = LATER_BODY, later, by
    article.save()
    return Article.objects.get(pk=article.pk), article.history.get(version=1)


def save_as_shown(client, article, html, revision):
    """Save the change form as the browser shows it."""
    text = {name: shown(html, name)[0] for name in ("title", "excerpt", "body")}
    form = change_form(article, **text, tags="", hero_alt=article.hero_alt, _restore=revision.history_id)
    return client.post(change_url(article), form)


def test_a_restored_typed_excerpt_is_in_the_box_and_saved_as_typed(client, editor):
    article, first = excerpt_changed(editor, first=TYPED, later="", published=True)
    assert article.excerpt_is_derived and article.excerpt == "書き直した一段落目。"
    client.force_login(editor)
    html = client.get(change_url(article), {"restore": first.history_id}).content.decode()
    assert '<span class="diff-added">+手で書いた要約。</span>' in html  # what the diff says…
    assert shown(html, "excerpt")[0] == TYPED  # …is in the box…
    assert save_as_shown(client, article, html, first).status_code == 302
    article.refresh_from_db()
    assert (article.excerpt, article.excerpt_is_derived) == (TYPED, False)  # …and is saved


def test_a_restored_derived_excerpt_follows_the_body_again(client, editor):
    article, first = excerpt_changed(editor, first="", later=LATER, published=True)
    assert (article.excerpt, article.excerpt_is_derived) == (LATER, False)
    client.force_login(editor)
    html = client.get(change_url(article), {"restore": first.history_id}).content.decode()
    assert '<span class="diff-added">+一段落目の本文。</span>' in html
    assert shown(html, "excerpt") == ("", "一段落目の本文。")  # an empty box: the first paragraph
    assert save_as_shown(client, article, html, first).status_code == 302
    article = Article.objects.get(pk=article.pk)
    assert (article.excerpt, article.excerpt_is_derived) == ("一段落目の本文。", True)
    article.body = "また書き直した。\n\n二段落目の本文。"
    article.save()
    assert article.excerpt == "また書き直した。"


@pytest.mark.parametrize(
    ("first", "later", "restored", "derived"),
    [(TYPED, "", TYPED, False), ("", LATER, "一段落目の本文。", True)],
    ids=["typed, then cleared", "derived, then typed"],
)
def test_restoring_a_draft_saves_the_excerpt_its_diff_shows(client, writer, first, later, restored, derived):
    article, version_1 = excerpt_changed(
        writer, first=first, later=later, created_by=writer, authors=[AuthorFactory(user=writer)]
    )
    client.force_login(writer)
    confirm = client.get(revisions_url(article), {"restore": version_1.history_id}).content.decode()
    assert f'<span class="diff-added">+{restored}</span>' in confirm
    client.post(revisions_url(article), {"restore": version_1.history_id, "version": article.version})
    article.refresh_from_db()
    assert (article.body, article.excerpt, article.excerpt_is_derived) == (FIRST_BODY, restored, derived)


# --- where a restore shows --------------------------------------------------------------


def test_a_restore_is_in_the_desks_history_saying_which_version_and_who(client, writer, editor):
    draft, first = draft_written_twice(writer)
    client.force_login(writer)
    client.post(revisions_url(draft), {"restore": first.history_id, "version": draft.version})
    article, bare = published_after_a_fix(editor)
    client.force_login(editor)
    html = client.get(change_url(article), {"restore": bare.history_id}).content.decode()
    save_as_shown(client, article, html, bare)
    for restored, who in ((draft, "writer"), (article, "editor")):
        history = client.get(change_url(restored)).content.decode().split("article-history", 1)[1]
        restored.refresh_from_db()
        assert f"{who} · <strong>以前のバージョンを復元</strong>" in history
        assert f"バージョン 1 を復元し、バージョン {restored.version} として保存しました。" in history
    # The admin's own history of the draft says so too (the published one's shows the correction).
    client.force_login(writer)
    admin_history = client.get(reverse("admin:articles_article_history", args=[draft.pk])).content.decode()
    assert "バージョン 1 を新しいバージョンとして復元しました" in admin_history


def test_the_notice_says_who_saved_the_version_only_when_someone_did(client, editor):
    article, bare = published_after_a_fix(editor)  # its version 1 was made without a person
    client.force_login(editor)
    html = client.get(change_url(article), {"restore": bare.history_id}).content.decode()
    notice = html.split('class="restore-notice"', 1)[1].split("</p>", 1)[0]
    assert "バージョン 1 から読み込みました" in notice and "に保存）のものです" in notice
    assert "—" not in notice and "が保存" not in notice
    newer = article.history.first()
    html = client.get(change_url(article), {"restore": newer.history_id}).content.decode()
    assert "に editor が保存）のものです" in html

    draft = ArticleFactory(title="初稿", body="最初の本文。", created_by=editor)
    draft.body = "書き直した本文。"
    draft.save()
    confirm = client.get(revisions_url(draft), {"restore": draft.history.get(version=1).history_id})
    said = confirm.content.decode().split("<h1>", 1)[1].split("</p>", 1)[0]
    assert "バージョン 1 は" in said and "に保存されました。" in said and "—" not in said
