"""The front page: the lead and secondary stories editors pick (else the newest), the latest
articles, and a block per section in the chiefs' order."""

import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, PublicChange
from articles.tests.factories import ArticleFactory, CategoryFactory

pytestmark = pytest.mark.django_db


class Front(HTMLParser):
    """The headlines of each part of the front page, in order: {part: [headline, ...]}, where a part
    is the lead, the secondary stories, the latest list, or a section block (by its heading)."""

    PARTS = {"lead-story": "lead", "secondary-story": "secondary", "latest": "latest"}

    def __init__(self, html: str):
        super().__init__()
        self.parts, self.part, self.block, self.text, self.heading = {}, None, None, None, False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        classes = (dict(attrs).get("class") or "").split()
        for name, part in self.PARTS.items():
            if name in classes:
                self.part = part
        if "section-block" in classes:
            self.part, self.block = None, True
        if tag == "h2" and self.block:
            self.heading = True
        if tag == "a" and (self.part or self.block) and not self.heading:
            self.text = ""

    def handle_data(self, data):
        if self.heading:
            self.part, self.heading = data.strip(), False
            self.block = False
        elif self.text is not None:
            self.text += data

    def handle_endtag(self, tag):
        if tag == "a" and self.text is not None:
            if self.part and self.text.strip():
                self.parts.setdefault(self.part, []).append(self.text.strip())
            self.text = None


def front(client) -> dict:
    response = client.get(reverse("articles:home"))
    assert response.status_code == 200
    # Headlines may carry <wbr> between phrases: read them as text.
    return Front(response.content.decode()).parts


def headlines(parts: dict, part: str) -> list[str]:
    """A part's headlines, without bylines (author links have no headline of an article)."""
    return [text for text in parts.get(part, []) if text.startswith("記事")]


@pytest.fixture
def newsroom():
    """Eight public articles an hour apart (記事1 the newest), in two sections ordered by position,
    and a draft."""
    now = timezone.now()
    economy = CategoryFactory(name="経済", slug="economy", position=2)
    local = CategoryFactory(name="地域", slug="local", position=1)
    articles = [
        ArticleFactory(
            title=f"記事{n}",
            excerpt=f"記事{n}の要約。",
            categories=[economy if n % 2 else local],
            published=now - timedelta(hours=n),
        )
        for n in range(1, 9)
    ]
    ArticleFactory(title="記事・下書き", categories=[economy])
    return {"articles": articles, "economy": economy, "local": local}


def pick(article, feature, until=None):
    """As an editor's save in the desk does."""
    article.feature, article.featured_until = feature, until
    article.save()


def test_without_picks_the_newest_articles_lead(client, newsroom):
    parts = front(client)
    assert headlines(parts, "lead") == ["記事1"]
    assert headlines(parts, "secondary") == ["記事2", "記事3", "記事4"]
    assert headlines(parts, "latest") == ["記事5", "記事6", "記事7", "記事8"]
    html = (
        client.get(reverse("articles:home")).content.decode().replace("<wbr>", "")
    )  # headlines carry <wbr>s
    assert "記事1の要約。" in html and "記事・下書き" not in html


def test_an_editors_picks_lead_and_the_rest_follow_newest_first(client, newsroom):
    articles = newsroom["articles"]
    pick(articles[6], Article.Feature.LEAD)  # 記事7
    pick(articles[4], Article.Feature.SECONDARY)  # 記事5
    parts = front(client)
    assert headlines(parts, "lead") == ["記事7"]
    assert headlines(parts, "secondary") == ["記事5", "記事1", "記事2"]
    # Nothing twice above the sections: the latest list leaves out the stories at the top.
    assert headlines(parts, "latest") == ["記事3", "記事4", "記事6", "記事8"]


def test_sections_come_in_the_chiefs_order_with_their_newest_articles(client, newsroom, settings):
    parts = front(client)
    blocks = [name for name in parts if name not in ("lead", "secondary", "latest")]
    assert blocks == ["地域", "経済"]  # by position, not by name
    # The stories at the top are not repeated there; each block has its newest, at most four.
    assert headlines(parts, "地域") == ["記事6", "記事8"]
    assert headlines(parts, "経済") == ["記事5", "記事7"]
    newsroom["economy"].position = 0
    newsroom["economy"].save()
    parts = front(client)
    assert [name for name in parts if name not in ("lead", "secondary", "latest")] == ["経済", "地域"]


def test_a_pick_past_its_end_time_or_not_public_leaves_the_top(client, newsroom):
    articles = newsroom["articles"]
    pick(articles[7], Article.Feature.LEAD, until=timezone.now() - timedelta(minutes=1))
    draft = Article.objects.get(title="記事・下書き")
    pick(draft, Article.Feature.LEAD)
    parts = front(client)
    assert headlines(parts, "lead") == ["記事1"]
    assert "記事・下書き" not in str(parts)


def test_the_front_page_lives_no_longer_than_its_lead_stays_picked(client, newsroom, settings):
    settings.PAGE_CACHE_SECONDS = 600
    ends = timezone.now() + timedelta(seconds=90)
    pick(newsroom["articles"][5], Article.Feature.LEAD, until=ends)
    assert PublicChange.state()[1] == ends
    response = client.get(reverse("articles:home"))
    assert headlines(Front(response.content.decode()).parts, "lead") == ["記事6"]
    kept = int(re.search(r"s-maxage=(\d+)", response["Cache-Control"])[1])
    assert 80 <= kept <= 90
    # Once its time is over, the next request records the change and the newest leads again.
    Article.objects.filter(pk=newsroom["articles"][5].pk).update(
        featured_until=timezone.now() - timedelta(seconds=1)
    )
    PublicChange.objects.update(upcoming=timezone.now() - timedelta(seconds=1))
    client.get(reverse("articles:latest"), {"page": 1})
    assert PublicChange.state()[1] is None
    cache.clear()  # the kept front page ends with its lead's time (the update above only pretends it came)
    assert headlines(front(client), "lead") == ["記事1"]


def test_the_front_page_carries_the_keys_of_every_article_on_it(client, newsroom):
    response = client.get(reverse("articles:home"))
    shown = set(response["Surrogate-Key"].split())
    assert {"home", "menu"} <= shown
    assert {f"article-{article.pk}" for article in newsroom["articles"]} <= shown
    draft = Article.objects.get(title="記事・下書き")
    assert f"article-{draft.pk}" not in shown


def test_the_old_pages_of_the_home_list_lead_to_the_latest_articles(client, newsroom):
    response = client.get(reverse("articles:home"), {"page": 2})
    assert response.status_code == 301 and response["Location"] == reverse("articles:latest") + "?page=2"
    assert "max-age=3600" in response["Cache-Control"]
    html = client.get(reverse("articles:home")).content.decode()
    assert f'href="{reverse("articles:latest")}"' in html


def test_an_empty_site_says_so(client, db):
    response = client.get(reverse("articles:home"))
    assert response.status_code == 200 and "記事はまだありません" in response.content.decode()


def test_only_editors_may_arrange_the_front_page(client, writer, editor):
    article = ArticleFactory(title="記者の下書き", created_by=writer)
    article.bylines.all().delete()
    client.force_login(writer)
    form = client.get(reverse("admin:articles_article_change", args=[article.pk]))
    assert form.status_code == 200 and 'name="feature"' not in form.content.decode()
    client.force_login(editor)
    form = client.get(reverse("admin:articles_article_change", args=[article.pk])).content.decode()
    assert 'name="feature"' in form and 'name="featured_until_0"' in form


def test_a_story_and_its_translation_are_shown_once(client, newsroom):
    articles = newsroom["articles"]
    english = ArticleFactory(
        title="記事2 in English",
        language="en",
        translation=articles[1],
        categories=[newsroom["local"]],
        published=articles[1].published_at,
    )
    parts = front(client)
    everywhere = [title for titles in parts.values() for title in titles]
    assert len([title for title in everywhere if title.startswith("記事2")]) == 1
    assert english.title not in everywhere or "記事2" not in everywhere
