"""An author, tag or section is public only while it has a public article.

Its page, its feeds, its menu entry and its sitemap entry would otherwise tell
readers who is writing about what before anything is published.
"""

import re
import time
import xml.etree.ElementTree as ET
from datetime import timedelta
from urllib.parse import quote

import pytest
from django.core.cache import caches
from django.urls import reverse
from django.utils import timezone

from articles.desk import workflow
from articles.models import Article, Tag
from articles.tests.factories import ArticleFactory, AuthorFactory, CategoryFactory, publisher

pytestmark = pytest.mark.django_db

OWNER_ROUTES = {
    "author": ("articles:author", "articles:author_feed", "articles:author_feed_atom"),
    "tag": ("articles:tag", "articles:tag_feed", "articles:tag_feed_atom"),
    "section": ("articles:category", "articles:category_feed", "articles:category_feed_atom"),
}


@pytest.fixture(autouse=True)
def empty_page_cache():
    caches["default"].clear()
    yield
    caches["default"].clear()


def _owners():
    """A fresh author, tag and section, by the kind of their routes."""
    author = AuthorFactory(name="山田 匿名", slug="yamada")
    section = CategoryFactory(name="投資分析", slug="投資分析")
    return {"author": author, "tag": "投資", "section": section}


def _article(owners, **kwargs):
    return ArticleFactory(
        title="まだ出ていない記事",
        authors=[owners["author"]],
        tags=[owners["tag"]],
        categories=[owners["section"]],
        **kwargs,
    )


def _addresses(kind, owner):
    slug = owner if isinstance(owner, str) else owner.slug
    return [reverse(name, kwargs={"slug": slug}) for name in OWNER_ROUTES[kind]]


def _all_addresses(owners):
    return [address for kind, owner in owners.items() for address in _addresses(kind, owner)]


def _sitemap_locations(client, part):
    response = client.get(reverse("articles:sitemap_section", kwargs={"section": part}))
    assert response.status_code == 200
    root = ET.fromstring(response.content)  # noqa: S314 - our own output
    return [loc.text for loc in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]


def _make_in_review(article):
    workflow.perform(article, "submit", by=publisher())


def _make_scheduled(article):
    workflow.publish_through_review(
        article, by=publisher(), publish_at=timezone.now() + timedelta(days=2), via="command"
    )


def _make_unpublished(article):
    workflow.publish_through_review(article, by=publisher(), publish_at=timezone.now(), via="command")
    workflow.perform(Article.objects.get(pk=article.pk), "unpublish", by=publisher(), comment="誤報")


def _leave_draft(article):
    pass


@pytest.mark.parametrize(
    "make_state",
    [_leave_draft, _make_in_review, _make_scheduled, _make_unpublished],
    ids=["draft", "in-review", "scheduled", "unpublished"],
)
def test_owners_of_no_public_article_are_not_found(client, make_state):
    owners = _owners()
    make_state(_article(owners))
    ArticleFactory(title="公開済みの別記事", published=True)  # the site itself is not empty

    for address in _all_addresses(owners):
        assert client.get(address).status_code == 404, address


def test_owners_with_no_article_at_all_are_not_found(client):
    owners = _owners()
    Tag.objects.create(name="投資")
    for address in _all_addresses(owners):
        assert client.get(address).status_code == 404, address


def test_owners_of_no_public_article_are_in_no_menu_sitemap_or_search(client):
    owners = _owners()
    _article(owners)
    public_section = CategoryFactory(name="地域", slug="chiiki")
    ArticleFactory(title="朝市が20年目", categories=[public_section], tags=["朝市"], published=True)

    for address in ["/", reverse("articles:search") + "?q=朝市", "/no/such/page/"]:
        html = client.get(address).content.decode()
        assert "地域" in html, address  # the menu is there, with the public section
        assert "投資分析" not in html and quote("投資分析") not in html, address
    sitemaps = [
        *_sitemap_locations(client, "authors"),
        *_sitemap_locations(client, "tags"),
        *_sitemap_locations(client, "sections"),
    ]
    assert any("chiiki" in loc for loc in sitemaps)
    assert not any("yamada" in loc or "%E6%8A%95%E8%B3%87" in loc for loc in sitemaps), sitemaps
    # Searching for the owner's names finds no public article and names none of them.
    for word in ["山田", "投資", "投資分析"]:
        html = client.get(reverse("articles:search"), {"q": word}).content.decode().replace("<wbr>", "")
        assert "まだ出ていない記事" not in html and "/authors/yamada/" not in html


def test_a_public_article_shows_its_own_tags_but_no_owner_without_public_articles(client):
    owners = _owners()
    _article(owners)
    shown = ArticleFactory(title="公開された記事", tags=["朝市", "漁港"], published=True)
    html = (
        client.get(shown.get_absolute_url()).content.decode().replace("<wbr>", "")
    )  # headlines carry <wbr>s
    block = html[html.index('<ul class="tags"') : html.index("</ul>", html.index('<ul class="tags"'))]
    assert re.findall(r'rel="tag">([^<]+)</a>', block) == ["朝市", "漁港"]
    assert re.findall(r'<meta property="article:tag" content="([^"]+)">', html) == ["朝市", "漁港"]
    assert "yamada" not in html and "まだ出ていない記事" not in html
    assert quote("投資分析") not in html and quote("投資") not in html


def test_an_owner_appears_when_its_first_article_comes_out_and_goes_when_the_last_is_withdrawn(client):
    owners = _owners()
    article = _article(owners)
    workflow.publish_through_review(
        article, by=publisher(), publish_at=timezone.now() + timedelta(seconds=1), via="command"
    )
    addresses = _all_addresses(owners)
    assert [client.get(a).status_code for a in addresses] == [404] * len(addresses)
    assert "投資分析" not in client.get("/").content.decode()
    assert client.get("/")["X-Page-Cache"] == "hit"  # the home page is kept: its time must bound it

    time.sleep(1.2)  # the scheduled time passes; no job runs
    assert [client.get(a).status_code for a in addresses] == [200] * len(addresses)
    home = client.get("/").content.decode()
    assert '<a href="/categories/%E6%8A%95%E8%B3%87%E5%88%86%E6%9E%90/">投資分析</a>' in home
    feed = client.get(addresses[1]).content.decode()
    assert "まだ出ていない記事" in feed

    workflow.perform(Article.objects.get(pk=article.pk), "unpublish", by=publisher(), comment="誤報")
    assert [client.get(a).status_code for a in addresses] == [404] * len(addresses)
    assert "投資分析" not in client.get("/").content.decode()


def test_an_owner_page_past_its_last_page_is_still_a_plain_404(client):
    author = AuthorFactory(slug="one-article")
    ArticleFactory(authors=[author], published=True)
    address = reverse("articles:author", kwargs={"slug": author.slug})
    assert client.get(address).status_code == 200
    assert client.get(address, {"page": 2}).status_code == 404
