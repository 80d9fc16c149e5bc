"""The links' copy of their article's status and publication time follows the article, whatever
changes it (linkstate.py): an owner's list is always what the ORM gives."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from articles import linkstate, workflow
from articles.loading import PublicList
from articles.models import Article, Byline, Tag, TaggedArticle

from .factories import ArticleFactory, AuthorFactory, CategoryFactory, publisher

pytestmark = pytest.mark.django_db


def listed(owner) -> list[int]:
    return [article.pk for article in PublicList(owner)[0:100]]


def expected(owner) -> list[int]:
    public = Article.objects.published()
    mine = {Tag: public.tagged, Article.categories.field.related_model: public.in_category}.get(
        type(owner), public.by_author
    )(owner)
    return list(mine.order_by("-published_at", "-id").values_list("pk", flat=True))


def test_an_owners_list_follows_each_change_of_an_articles_state():
    author, section = AuthorFactory(name="港町太郎", slug="taro"), CategoryFactory(name="地域", slug="chiiki")
    older = ArticleFactory(authors=[author], categories=[section], tags=["港"], published=True)
    article = ArticleFactory(authors=[author], categories=[section], tags=["港"])  # a draft
    tag = Tag.objects.get(name="港")
    owners = [author, tag, section]

    def each_lists(pks):
        for owner in owners:
            assert listed(owner) == expected(owner) == pks, owner

    each_lists([older.pk])
    workflow.publish_through_review(article, by=publisher())
    each_lists([article.pk, older.pk])
    workflow.perform(article, "unpublish", by=publisher(), comment="取り下げ")
    each_lists([older.pk])
    workflow.perform(article, "publish", by=publisher())
    each_lists([article.pk, older.pk])
    # Past the ORM's save and the workflow: an update of many rows at once.
    Article.objects.filter(pk=article.pk).update(published_at=timezone.now() + timedelta(days=1))
    each_lists([older.pk])  # scheduled: not yet
    Article.objects.filter(pk=older.pk).update(published_at=timezone.now() + timedelta(days=2))
    Article.objects.filter(pk=article.pk).update(published_at=timezone.now() - timedelta(days=400))
    each_lists([article.pk])
    article.delete()
    each_lists([])


def test_a_link_made_after_publication_takes_its_articles_state_however_it_is_made():
    first, second = AuthorFactory(slug="first"), AuthorFactory(slug="second")
    section = CategoryFactory(slug="bunka")
    article = ArticleFactory(authors=[first], published=True)
    draft = ArticleFactory(authors=[first])
    article.categories.add(section)  # through the ORM's related manager
    article.tags.add("新しい話題")
    Byline.objects.bulk_create([Byline(article=article, author=second, position=1)])  # in bulk
    TaggedArticle.objects.bulk_create(
        [TaggedArticle(content_object=draft, tag=Tag.objects.get(name="新しい話題"))]
    )
    draft.categories.add(section)
    for owner in (second, section, Tag.objects.get(name="新しい話題")):
        assert listed(owner) == expected(owner) == [article.pk], owner


def test_a_merged_tags_links_keep_their_articles_state():
    kept = ArticleFactory(tags=["機械学習"], published=timezone.now() - timedelta(days=2))
    moved = ArticleFactory(tags=["人工知能"], published=True)
    hidden = ArticleFactory(tags=["人工知能"])
    ai = Tag.objects.get(name="機械学習")
    ai.merge([Tag.objects.get(name="人工知能")])
    assert listed(ai) == expected(ai) == [moved.pk, kept.pk]
    assert hidden.pk not in listed(ai)


def test_after_the_migrations_every_link_table_has_the_copy_and_its_triggers():
    """A migration that rebuilds one of these tables (SQLite copies a table to alter it) drops what
    linkstate.install() added; then it must call it again."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname, tgrelid::regclass::text FROM pg_trigger WHERE NOT tgisinternal")
        else:
            cursor.execute("SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger'")
        triggers = {table for _name, table in cursor.fetchall()}
        for table, *_rest in linkstate.LINKS:
            columns = {c.name for c in connection.introspection.get_table_description(cursor, table)}
            assert {linkstate.STATUS, linkstate.PUBLISHED_AT} <= columns, table
            assert table in triggers, table
    assert linkstate.ARTICLES in triggers
