"""Where the copy desk shows: stored findings, the change list, the change form, the workflow, the importer."""

from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from articles.desk import workflow
from articles.models import Article, Tag
from articles.tests.conftest import run_import
from articles.tests.factories import ArticleFactory, AuthorFactory
from articles.tests.test_admin import article_form, change_form
from articles.text import copydesk
from articles.transfer import jekyll

pytestmark = pytest.mark.django_db

# Articles written for these tests, as a careful desk would let them through.
CLEAN_CORPUS = sorted((Path(__file__).parent / "corpus" / "clean").glob("*.md"))

# A post with the sample's four defects, written for these tests: a character
# lost at the end of the title, a paragraph that comes back (once inside a
# longer one), its closing question repeated, and a generator's end marker.
QUESTION = "あなたはこの港町の決断を、どのように評価しますか？"
CLOSING = "個人的には、この防波堤の計画は港町が次の百年をどう生きるかを問う出来事だと感じている。答えはまだ誰にも分からない。"
DEFECTIVE_POST = f"""---
title: "港町の防波堤計画の可能\ufffd"
date: 2026-02-10 09:00:00 +0900
categories: ["市政"]
tags: ["防波堤", "市議会"]
author: "港町タイムズ編集部"
excerpt: "港町市議会が承認した防波堤計画について詳しく分析します。"
published: true
---

港町市議会は十日、新しい防波堤の建設計画を賛成多数で承認した。工事は来年春に始まる。

{CLOSING}{QUESTION}

{QUESTION}

計画の総事業費は約三十億円で、国の補助金が半分を賄う。漁業者の団体も計画に賛成している。

{CLOSING}

---END---
"""


def fixed(post: str) -> str:
    """The post with its four defects corrected, as a copy editor would."""
    post = post.replace("可能\ufffd", "可能性").replace(f"\n\n{QUESTION}\n\n", "\n\n", 1)
    post = post.replace(f"\n\n{CLOSING}\n\n---END---\n", "\n")
    return post


@pytest.fixture
def posts(tmp_path):
    folder = tmp_path / "posts"
    folder.mkdir()
    return folder


# --- the figures of the issue -------------------------------------------------------


def test_the_sample_like_post_reports_its_four_defects_as_blocking(posts, chief):
    (posts / "2026-02-10-bouhatei.md").write_text(DEFECTIVE_POST, encoding="utf-8")
    status, out, err = run_import(posts)
    article = Article.objects.get()
    blocking = [(f.code, f.field, f.line, f.kind) for f in copydesk.stored(article) if f.is_blocking]
    assert blocking == [
        ("encoding", "title", None, "replacement"),
        ("duplicate", "body", 5, "inner_paragraph"),
        ("duplicate", "body", 9, "inner_paragraph"),
        ("marker", "body", 11, "end_marker"),
    ]
    assert status == 0 and not article.is_public and article.status == Article.Status.DRAFT
    assert "block encoding (title)" in out and "block marker (body, line 11)" in out
    assert "1 with findings the copy desk blocks" in out


def test_once_the_defects_are_fixed_nothing_blocks_and_it_is_published(posts, chief):
    (posts / "2026-02-10-bouhatei.md").write_text(fixed(DEFECTIVE_POST), encoding="utf-8")
    status, out, err = run_import(posts)
    article = Article.objects.get()
    assert status == 0 and article.blocking_findings == 0 and article.is_public


@pytest.mark.parametrize("path", CLEAN_CORPUS, ids=lambda path: path.stem)
def test_clean_articles_have_no_blocking_findings(path):
    post = jekyll.parse_post(path)
    article = Article(title=post.title, body=post.body, excerpt=post.excerpt)
    assert copydesk.blocking(copydesk.check(article, tags=post.tags)) == []


def test_the_clean_corpus_is_big_and_bilingual_enough():
    texts = [path.read_text(encoding="utf-8") for path in CLEAN_CORPUS]
    japanese = [t for t in texts if sum("\u3040" <= c <= "\u30ff" for c in t) > 200]
    assert len(texts) >= 20 and len(japanese) >= 10 and len(texts) - len(japanese) >= 8
    for feature in ("「", "“", "```", "|---", "\n- ", "\n> ", "\n1. "):
        assert sum(feature in t for t in texts) >= 2, feature


# --- stored with the article, shown in the change list ------------------------------


def test_an_admin_save_stores_the_findings_with_the_article(editor_client):
    author = AuthorFactory()
    body = "港町の新しい話題です。\n\n[要確認]の数字。"
    editor_client.post(reverse("admin:articles_article_add"), article_form(author, body=body))
    article = Article.objects.get()
    assert (article.blocking_findings, article.warning_findings) == (1, 0)
    assert article.findings[0]["code"] == "marker" and article.findings[0]["line"] == 3


def test_the_change_list_has_a_copy_desk_column_and_a_blocking_filter(editor_client):
    broken = ArticleFactory(title="壊れた記事", body="本文。\n\n---END---")
    warned = ArticleFactory(title="注意の記事", body="市長は「工事を急ぐと述べた。")
    clean = ArticleFactory(title="きれいな記事")
    for article in (broken, warned, clean):
        copydesk.review(article)
        article.save()
    url = reverse("admin:articles_article_changelist")
    with translation.override("en"):
        html = editor_client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<span class="badge badge-block">' in html and '<span class="badge badge-warn">' in html
    blocked = editor_client.get(url, {"copy": "block"}).content.decode()
    assert "壊れた記事" in blocked and "注意の記事" not in blocked and "きれいな記事" not in blocked
    warnings = editor_client.get(url, {"copy": "warn"}).content.decode()
    assert "注意の記事" in warnings and "壊れた記事" not in warnings
    assert "きれいな記事" in editor_client.get(url, {"copy": "clean"}).content.decode()


def test_the_change_form_reports_findings_grouped_by_severity_with_field_line_and_quote(editor_client):
    article = ArticleFactory(
        title="ＡＩの記事\ufffd", body="市はAIを使う。\n\n市長は「急ぐと述べた。\n\n---END---"
    )
    copydesk.review(article)
    article.save()
    html = editor_client.get(reverse("admin:articles_article_change", args=[article.pk])).content.decode()
    report = html[html.index('class="copy-desk"') : html.index("</section>", html.index('class="copy-desk"'))]
    blocking = report[report.index("findings-block") : report.index("findings-warn")]
    warnings = report[report.index("findings-warn") :]
    assert 'data-code="encoding"' in blocking and 'data-code="marker"' in blocking
    assert '<span class="finding-where">本文、5 行目</span>' in blocking
    assert "---END---" in blocking and 'data-code="brackets"' in warnings and 'data-code="width"' in warnings
    assert "「急ぐと述べた。" in warnings


# --- the workflow -------------------------------------------------------------------


def test_publish_is_refused_while_a_blocking_finding_remains_and_the_refusal_names_it(editor):
    article = ArticleFactory(title="見出し", body="本文です。\n\n---END---")
    workflow.perform(article, "submit", by=editor)  # submit and approve go through, with the findings kept
    workflow.perform(article, "approve", by=editor)
    assert article.blocking_findings == 1
    with translation.override("en"), pytest.raises(workflow.NotAllowed) as refusal:
        workflow.perform(article, "publish", by=editor)
    assert "marker (body, line 3)" in str(refusal.value)
    article.refresh_from_db()
    assert article.status == Article.Status.APPROVED and not article.events.filter(action="publish").exists()


def test_submit_goes_through_with_findings_and_the_desk_is_told(client, writer):
    author = AuthorFactory()
    client.force_login(writer)
    body = "市長は「工事を急ぐと述べた。\n\n---END---"
    response = client.post(
        reverse("admin:articles_article_add"),
        article_form(author, body=body, _workflow="submit"),
        follow=True,
    )
    article = Article.objects.get()
    assert article.status == Article.Status.IN_REVIEW
    assert (article.blocking_findings, article.warning_findings) == (1, 1)
    shown = [str(m) for m in response.context["messages"]]
    assert "校閲で、公開前に直す必要がある点が 1 件見つかりました。報告を確認してください。" in shown


def test_an_editor_publishes_once_the_writer_has_fixed_the_text(client, writer, editor):
    author = AuthorFactory()
    client.force_login(writer)
    client.post(reverse("admin:articles_article_add"), article_form(author, body="本文。\n\nTODO: 写真"))
    article = Article.objects.get()
    workflow.perform(article, "submit", by=writer)
    workflow.perform(article, "request_changes", by=editor, comment="TODO を消してください")
    article.refresh_from_db()
    client.post(
        reverse("admin:articles_article_change", args=[article.pk]),
        change_form(article, body="本文。\n\n写真は市の提供。"),
    )
    article.refresh_from_db()
    assert article.blocking_findings == 0
    workflow.perform(article, "submit", by=writer)
    workflow.perform(article, "approve", by=editor)
    workflow.perform(article, "publish", by=editor)
    assert Client().get(article.get_absolute_url()).status_code == 200


def test_a_correction_that_would_put_broken_text_online_is_refused_and_changes_nothing(editor_client):
    article = ArticleFactory(body="公開中の本文。", published=True)
    version = article.version
    response = editor_client.post(
        reverse("admin:articles_article_change", args=[article.pk]),
        change_form(article, body="公開中の本文。\n\n<|endoftext|>"),
    )
    html = response.content.decode()
    assert (
        response.status_code == 200
        and "marker" in html
        and "<|endoftext|>" not in Client().get(article.get_absolute_url()).content.decode()
    )
    article.refresh_from_db()
    assert article.body == "公開中の本文。" and article.version == version


def test_a_draft_with_blocking_text_can_still_be_saved(editor_client):
    article = ArticleFactory(body="下書き。")
    response = editor_client.post(
        reverse("admin:articles_article_change", args=[article.pk]),
        change_form(article, body="下書き。\n\n[END]"),
    )
    article.refresh_from_db()
    assert response.status_code == 302 and article.body.endswith("[END]") and article.blocking_findings == 1


def test_restoring_a_broken_revision_of_a_published_article_is_refused(editor_client, editor):
    article = ArticleFactory(body="最初の本文。\n\n---END---")
    article.body = "直した本文。"
    article.save()
    workflow.publish_through_review(article, by=editor)
    broken = article.history.order_by("history_id").first()
    url = reverse("admin:articles_article_change", args=[article.pk])
    opened = editor_client.get(url, {"restore": broken.history_id}).content.decode()
    assert "---END---" in opened  # loaded into the form, not saved
    response = editor_client.post(
        url, {**change_form(article, body=broken.body), "_restore": broken.history_id}
    )
    article.refresh_from_db()
    assert response.status_code == 200 and "marker" in response.content.decode()
    assert article.body == "直した本文。" and article.is_public


# --- the importer -------------------------------------------------------------------


def test_the_importer_reports_warnings_per_file_too(posts, chief):
    post = fixed(DEFECTIVE_POST).replace("工事は来年春に始まる。", "工事は来年春に始まる「予定だ。")
    (posts / "2026-02-10-bouhatei.md").write_text(post, encoding="utf-8")
    (posts / "2026-02-11-clean.md").write_text(fixed(DEFECTIVE_POST).replace("防波堤計画", "防波堤"), "utf-8")
    status, out, err = run_import(posts)
    assert status == 0
    assert "2026-02-10-bouhatei.md" in out and "warn brackets (本文, line 1)" in out.replace("body", "本文")
    assert "2026-02-11-clean.md" not in out  # nothing to say about a clean file


def test_a_file_that_would_break_a_published_article_is_refused_and_changes_nothing(posts, chief):
    path = posts / "2026-02-10-bouhatei.md"
    path.write_text(fixed(DEFECTIVE_POST), encoding="utf-8")
    run_import(posts)
    article = Article.objects.get()
    assert article.is_public
    path.write_text(fixed(DEFECTIVE_POST) + "\n---END---\n", encoding="utf-8")
    status, out, err = run_import(posts)
    assert status == 1 and "copy desk blocks" in err and "marker (body, line" in err
    article.refresh_from_db()
    assert "---END---" not in article.body and article.is_public


# --- articles the copy desk has not read yet ----------------------------------------


def test_an_article_not_yet_checked_says_so_until_check_copy_reads_it(editor_client):
    from io import StringIO

    from django.core.management import call_command

    unchecked = ArticleFactory(title="古い記事", body="本文。\n\n[END]")
    ArticleFactory(title="新しい記事").tags.add(*Tag.objects.named(["港"]))
    url = reverse("admin:articles_article_changelist")
    assert "古い記事" in editor_client.get(url, {"copy": "unchecked"}).content.decode()
    assert "古い記事" not in editor_client.get(url, {"copy": "clean"}).content.decode()
    change = reverse("admin:articles_article_change", args=[unchecked.pk])
    with translation.override("en"):
        assert "Not checked yet" in editor_client.get(change, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    out = StringIO()
    version = unchecked.version
    call_command("check_copy", stdout=out)
    assert "2 article(s) checked; 1 with findings that block publication." in out.getvalue()
    unchecked.refresh_from_db()
    assert unchecked.blocking_findings == 1 and unchecked.version == version
    assert "古い記事" in editor_client.get(url, {"copy": "block"}).content.decode()
    assert "新しい記事" in editor_client.get(url, {"copy": "clean"}).content.decode()


# --- published articles: corrections, restores, tags ------------------------------------


def test_a_crlf_correction_with_an_end_marker_is_refused(editor_client):
    article = ArticleFactory(body="公開中の本文。", published=True)
    response = editor_client.post(
        reverse("admin:articles_article_change", args=[article.pk]),
        change_form(article, body="公開中の本文。\r\n\r\n---END---\r\n\r\n関連記事はこちら。"),
    )
    article.refresh_from_db()
    assert response.status_code == 200 and article.body == "公開中の本文。"
    assert "---END---" not in Client().get(article.get_absolute_url()).content.decode()


def test_a_correction_elsewhere_is_saved_though_an_old_finding_remains(editor_client):
    # Published before the copy desk existed, with a lost character in it.
    article = ArticleFactory(body="古い本文。", published=True)
    Article.objects.filter(pk=article.pk).update(body="古い本文\ufffd。")
    article.refresh_from_db()
    response = editor_client.post(
        reverse("admin:articles_article_change", args=[article.pk]),
        change_form(article, body="古い本文\ufffd。\n\n訂正：日付を直しました。"),
    )
    article.refresh_from_db()
    assert response.status_code == 302 and article.body.endswith("日付を直しました。")
    assert article.blocking_findings == 1  # still shown, to be fixed
    response = editor_client.post(
        reverse("admin:articles_article_change", args=[article.pk]),
        change_form(article, body="古い本文\ufffd。\n\n訂正：日付を直しました。\n\n[END]"),
    )
    article.refresh_from_db()
    assert response.status_code == 200 and "[END]" not in article.body


def test_a_correction_note_with_a_leftover_is_refused_on_a_published_article(editor_client):
    article = ArticleFactory(body="公開中の本文。", published=True)
    response = editor_client.post(
        reverse("admin:articles_article_change", args=[article.pk]),
        change_form(article, body="公開中の本文。", correction_note="金額を訂正しました。<|endoftext|>"),
    )
    article.refresh_from_db()
    assert response.status_code == 200 and article.correction_note == ""


def test_a_tag_cannot_be_renamed_to_what_the_copy_desk_blocks(client, chief):
    from articles.models import Tag

    article = ArticleFactory(published=True)
    article.tags.add(*Tag.objects.named(["港"]))
    tag = Tag.objects.get()
    client.force_login(chief)
    url = reverse("admin:articles_tag_change", args=[tag.pk])
    response = client.post(url, {"name": "港\ufffd", "slug": tag.slug})
    assert response.status_code == 200 and "U+FFFD" in response.content.decode().replace("Ｕ", "U")
    tag.refresh_from_db()
    assert tag.name == "港"
    assert client.post(url, {"name": "港町", "slug": tag.slug}).status_code == 302
