"""Nothing lost: only the Chief deletes an article, after a confirmation, and its revisions stay."""

import pytest
from django.urls import reverse

from articles.models import Article
from articles.tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def story(writer):
    article = ArticleFactory(title="朝市が20年目", body="第一稿。", created_by=writer, published=True)
    article.body = "第二稿。"
    article.save()
    return article


def _delete_url(article):
    return reverse("admin:articles_article_delete", args=[article.pk])


@pytest.mark.parametrize("role", ["writer", "editor"])
def test_writers_and_editors_cannot_delete_even_by_a_hand_made_post(client, story, role, request):
    client.force_login(request.getfixturevalue(role))
    assert client.get(_delete_url(story)).status_code == 403
    assert client.post(_delete_url(story), {"post": "yes"}).status_code == 403
    bulk = client.post(
        reverse("admin:articles_article_changelist"),
        {"action": "delete_selected", "_selected_action": [story.pk], "post": "yes"},
    )
    assert bulk.status_code in (200, 302, 403)
    assert Article.objects.filter(pk=story.pk).exists()


def test_the_chief_is_asked_to_confirm_then_deletes_and_the_revisions_remain(client, story, chief):
    client.force_login(chief)
    confirm = client.get(_delete_url(story))
    assert confirm.status_code == 200 and 'name="post"' in confirm.content.decode()
    assert Article.objects.filter(pk=story.pk).exists()  # asking deletes nothing
    assert client.post(_delete_url(story), {"post": "yes"}).status_code == 302
    assert not Article.objects.filter(pk=story.pk).exists()
    revisions = Article.history.filter(id=story.pk).order_by("history_date")
    assert [revision.body for revision in revisions][-2:] == [
        "第二稿。",
        "第二稿。",
    ]  # the last, and its deletion
    assert revisions.last().history_type == "-"


def test_a_deleted_article_is_recovered_from_its_last_revision(client, story, chief):
    client.force_login(chief)
    client.post(_delete_url(story), {"post": "yes"})
    last = Article.history.filter(id=story.pk).exclude(history_type="-").latest("history_date")
    last.instance.save()
    recovered = Article.objects.get(pk=story.pk)
    assert recovered.title == "朝市が20年目" and recovered.body == "第二稿。"
