from datetime import timedelta
from urllib.parse import unquote

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from articles.desk import workflow
from articles.models import Article, Byline, Tag
from articles.tests.factories import ArticleFactory, AuthorFactory, publisher

pytestmark = pytest.mark.django_db


def test_published_excludes_drafts_and_future_and_includes_past():
    draft = ArticleFactory()
    past = ArticleFactory(published=timezone.now() - timedelta(minutes=1))
    future = ArticleFactory(published=timezone.now() + timedelta(minutes=5))

    public = set(Article.objects.published())

    assert past in public
    assert draft not in public
    assert future not in public
    assert future.is_scheduled and not future.is_public


def test_scheduled_article_becomes_public_when_its_time_comes():
    soon = timezone.now() + timedelta(seconds=2)
    article = ArticleFactory(published=soon)
    assert not Article.objects.published().filter(pk=article.pk).exists()

    Article.objects.filter(pk=article.pk).update(published_at=timezone.now() - timedelta(seconds=1))

    assert Article.objects.published().filter(pk=article.pk).exists()


def test_published_article_without_date_is_refused_by_the_database():
    article = ArticleFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Article.objects.filter(pk=article.pk).update(status=Article.Status.PUBLISHED, published_at=None)


def test_slugs_are_unique():
    ArticleFactory(slug="harbour")
    with pytest.raises(IntegrityError), transaction.atomic():
        ArticleFactory(slug="harbour")


def test_slug_is_made_from_a_japanese_title_and_kept_unique():
    first = ArticleFactory(title="港町の朝市 20年目", slug="")
    second = ArticleFactory(title="港町の朝市 20年目", slug="")

    assert first.slug == "港町の朝市-20年目"
    assert second.slug == "港町の朝市-20年目-2"


def test_body_is_rendered_and_reading_time_derived_on_save():
    article = ArticleFactory(body="## 見出し\n\n本文" + "字" * 1300)

    assert '<h2 id="見出し">見出し</h2>' in article.body_html
    assert article.reading_time == 3  # 1,303 CJK letters at 600 a minute


def test_derived_excerpt_follows_the_body_but_a_typed_one_is_kept():
    article = ArticleFactory(body="最初の段落です。\n\n次の段落。")
    assert article.excerpt == "最初の段落です。" and article.excerpt_is_derived

    article.body = "書き直した段落です。"
    article.save()
    assert article.excerpt == "書き直した段落です。"

    article.excerpt = "編集者が書いた抜粋。"
    article.save()
    article.body = "さらに書き直した。"
    article.save()
    article.refresh_from_db()
    assert article.excerpt == "編集者が書いた抜粋。"
    assert not article.excerpt_is_derived


def test_version_is_bumped_on_every_save_and_guid_never_changes():
    article = ArticleFactory()
    guid = article.guid
    assert article.version == 1

    article.title = "新しい見出し"
    article.slug = "new-slug"
    article.save()
    article.save()
    article.refresh_from_db()

    assert article.version == 3
    assert article.guid == guid


def test_byline_keeps_the_given_order():
    desk = AuthorFactory(name="港町タイムズ編集部", is_desk=True)
    reporter = AuthorFactory(name="佐藤 花子")
    article = ArticleFactory(authors=[reporter, desk])

    assert article.byline() == [reporter, desk]

    Byline.objects.filter(article=article, author=desk).update(position=0)
    Byline.objects.filter(article=article, author=reporter).update(position=1)
    assert Article.objects.get(pk=article.pk).byline() == [desk, reporter]


def test_full_width_half_width_and_case_give_one_tag():
    first = ArticleFactory(tags=["ＡＩ"])
    second = ArticleFactory(tags=["ai"])
    third = ArticleFactory()
    third.tags.add(*Tag.objects.named(["AI", "  ＡＩ "]))

    assert Tag.objects.count() == 1
    tag = Tag.objects.get()
    assert tag.name == "AI"
    assert set(tag.tagged_articles.values_list("content_object", flat=True)) == {
        first.pk,
        second.pk,
        third.pk,
    }


def test_tag_names_keep_japanese_and_get_unicode_slugs():
    article = ArticleFactory(tags=["防災 アプリ"])
    tag = article.tags.get()
    assert tag.name == "防災 アプリ"
    assert tag.slug == "防災-アプリ"


def test_a_second_tag_differing_only_in_case_is_refused_by_the_database():
    Tag.objects.create(name="Harbour")
    with pytest.raises(IntegrityError), transaction.atomic():
        Tag.objects.bulk_create([Tag(name="harbour", slug="harbour-2", key="harbour")])


def test_the_review_path_from_draft_to_published_and_back(writer, editor):
    article = ArticleFactory(created_by=writer)
    workflow.perform(article, "submit", by=writer)
    workflow.perform(article, "request_changes", by=editor, comment="数字を確認してください")
    assert article.status == Article.Status.CHANGES_REQUESTED
    workflow.perform(article, "submit", by=writer)
    workflow.perform(article, "approve", by=editor)
    workflow.perform(article, "publish", by=editor)
    assert article.is_public
    published_at = article.published_at

    workflow.perform(article, "unpublish", by=editor, comment="取り下げ")
    assert article.status == Article.Status.UNPUBLISHED
    assert not Article.objects.published().filter(pk=article.pk).exists()

    workflow.perform(article, "publish", by=editor)
    assert article.published_at == published_at  # its address stays the same
    steps = list(article.events.values_list("action", "from_status", "to_status", "actor__username"))
    assert steps[0] == ("submit", "draft", "in_review", "writer")
    assert [step[0] for step in steps] == [
        "submit", "request_changes", "submit", "approve", "publish", "unpublish", "publish",
    ]  # fmt: skip


def test_workflow_refuses_without_permission_and_from_the_wrong_state(writer):
    article = ArticleFactory(created_by=writer)
    with translation.override("en"), pytest.raises(workflow.NotAllowed, match="permission"):
        workflow.perform(article, "publish", by=writer)
    with translation.override("en"), pytest.raises(workflow.NotAllowed, match="not possible"):
        workflow.perform(article, "unpublish", by=publisher(), comment="x")
    with translation.override("en"), pytest.raises(workflow.NotAllowed, match="needs a comment"):
        workflow.perform(workflow.perform(article, "submit", by=writer), "request_changes", by=publisher())
    article.refresh_from_db()
    assert article.status == Article.Status.IN_REVIEW
    assert article.events.count() == 1


def test_available_actions_depend_on_role_ownership_and_state(writer, editor):
    article = ArticleFactory(created_by=writer)
    assert [a.name for a in workflow.available_actions(article, writer)] == ["submit"]
    assert [a.name for a in workflow.available_actions(article, editor)] == ["submit"]
    workflow.perform(article, "submit", by=writer)
    assert [a.name for a in workflow.available_actions(article, writer)] == ["withdraw"]
    assert [a.name for a in workflow.available_actions(article, editor)] == [
        "withdraw",
        "request_changes",
        "approve",
    ]
    workflow.perform(article, "approve", by=editor)
    assert [a.name for a in workflow.available_actions(article, editor)] == ["publish", "revert_to_draft"]
    assert [a.name for a in workflow.available_actions(article, writer)] == ["revert_to_draft"]


def test_urls_of_models():
    article = ArticleFactory(slug="港町", published=timezone.now() - timedelta(days=1))
    local = timezone.localtime(article.published_at)
    assert unquote(article.get_absolute_url()) == f"/{local:%Y/%m/%d}/港町/"
    assert article.byline()[0].get_absolute_url().startswith("/authors/")


def test_readers_are_told_of_an_update_only_when_the_public_text_changes():
    article = ArticleFactory(published=timezone.now() - timedelta(days=3))
    assert not article.was_updated

    article.tags.add(*Tag.objects.named(["港"]))
    article.save()
    assert not article.was_updated  # a save that leaves the text as it was

    article.body += "\n\n訂正: 金額を修正しました。"
    article.save()
    assert article.was_updated
    assert article.revised_at > article.published_at


def test_tags_fold_case_beyond_ascii_on_every_database():
    first = ArticleFactory(tags=["Über"])
    second = ArticleFactory(tags=["über"])
    assert Tag.objects.count() == 1
    assert first.tags.get() == second.tags.get()


def test_a_tag_of_punctuation_alone_still_has_an_address():
    article = ArticleFactory(tags=["？！", "!!!"])
    slugs = sorted(article.tags.slugs())
    assert all(slugs) and len(set(slugs)) == 2
    assert all(tag.get_absolute_url().startswith("/tags/") for tag in article.tags.all())


def test_windows_line_endings_in_a_body_are_stored_as_newlines():
    article = ArticleFactory(body="一行目\r\n\r\n二行目")
    assert article.body == "一行目\n\n二行目"
