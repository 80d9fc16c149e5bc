"""What the public pages keep between requests, besides whole pages: an article's neighbours and
related articles (kept under the time of the last public change), the addresses of articles (kept by script prefix),
and the counts of an owner's page (read from its links). Each must follow every change at once,
with the page cache off, as a reader reloading the page would see it."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse, set_script_prefix
from django.utils import timezone

from articles.desk import workflow
from articles.models import Article, Tag
from articles.site.views import FilteredArticleList
from articles.tests.factories import ArticleFactory, AuthorFactory, publisher, time_comes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_page_cache(settings):
    settings.PAGE_CACHE_SECONDS = 0  # the values below are kept anyway, in the default cache


def shown(client, article) -> dict:
    """The article page's previous/next links and related articles, as {part: [(href, title)]}."""
    html = (
        client.get(article.get_absolute_url()).content.decode().replace("<wbr>", "")
    )  # <wbr>: between phrases
    nav = html[html.index('<nav class="prev-next"') :]
    nav = nav[: nav.index("</nav>")]
    related = html[html.index('id="related-title"') :] if 'id="related-title"' in html else ""
    related = related[: related.index("</section>")] if related else ""
    return {
        "prev": re.findall(
            r'<a rel="prev" href="([^"]+)"><span>[^<]*</span> <span[^>]*>([^<]+)</span></a>', nav
        ),
        "next": re.findall(
            r'<a rel="next" href="([^"]+)"><span>[^<]*</span> <span[^>]*>([^<]+)</span></a>', nav
        ),
        "related": re.findall(r'<li><a href="([^"]+)">([^<]+)</a> <time', related),
    }


def link(article) -> tuple:
    article.refresh_from_db()
    return article.get_absolute_url(), article.title


def test_an_article_page_follows_every_change_of_its_neighbours_and_related_articles(client):
    now = timezone.now()
    first = ArticleFactory(title="港の一報", tags=["港"], published=now - timedelta(days=2))
    assert shown(client, first) == {"prev": [], "next": [], "related": []}

    second = ArticleFactory(title="港の続報", tags=["港"], published=now - timedelta(days=1))
    assert shown(client, first) == {"prev": [], "next": [link(second)], "related": [link(second)]}

    second.title = "港の続報（訂正）"
    second.save()
    assert shown(client, first)["next"] == [link(second)] == [(link(second)[0], "港の続報（訂正）")]

    # Retagged away: still the next article, no longer related.
    second.tags.set(Tag.objects.named(["空港"]))
    assert shown(client, first) == {"prev": [], "next": [link(second)], "related": []}

    third = ArticleFactory(title="港の三報", tags=["港"], published=now + timedelta(hours=1))
    assert shown(client, first)["related"] == []  # scheduled: not yet public
    time_comes(third)
    assert shown(client, first)["related"] == [link(third)]

    workflow.perform(second, "unpublish", by=publisher(), comment="誤報")
    workflow.perform(third, "unpublish", by=publisher(), comment="誤報")
    assert shown(client, first) == {"prev": [], "next": [], "related": []}


def test_related_articles_share_the_most_tags_then_come_newest_first(client):
    now = timezone.now()
    article = ArticleFactory(tags=["港", "漁業", "市議会"], published=now - timedelta(days=9))
    one_old = ArticleFactory(title="一つ古", tags=["港"], published=now - timedelta(days=8))
    one_new = ArticleFactory(title="一つ新", tags=["漁業"], published=now - timedelta(days=2))
    two = ArticleFactory(title="二つ", tags=["港", "漁業"], published=now - timedelta(days=7))
    three = ArticleFactory(title="三つ", tags=["港", "漁業", "市議会"], published=now - timedelta(days=6))
    ArticleFactory(title="下書き", tags=["港", "漁業", "市議会"])  # never public
    ArticleFactory(title="無関係", tags=["天気"], published=now - timedelta(days=1))
    one_more = ArticleFactory(title="一つ中", tags=["市議会"], published=now - timedelta(days=3))
    expected = [link(three), link(two), link(one_new), link(one_more)]  # four at most
    assert shown(client, article)["related"] == expected
    assert link(one_old) not in expected


def test_an_article_address_follows_the_script_prefix_it_is_served_under():
    article = ArticleFactory(slug="minato", published=True)
    day = timezone.localtime(article.published_at).strftime("%Y/%m/%d")
    try:
        set_script_prefix("/news/")
        assert article.get_absolute_url() == f"/news/{day}/minato/"
        set_script_prefix("/")
        assert article.get_absolute_url() == f"/{day}/minato/"
    finally:
        set_script_prefix("/")


def page_count(client, url) -> int:
    html = client.get(url).content.decode()
    # The last of the pagination's numbers (templates/articles/_article_list.html).
    found = re.findall(r"<li><a [^>]*>(\d+)</a></li>", html)
    return int(found[-1]) if found else 1


@pytest.mark.parametrize("kind", ["author", "tag"])
def test_an_owner_page_counts_exactly_its_public_articles(client, monkeypatch, kind):
    monkeypatch.setattr(FilteredArticleList, "paginate_by", 2)
    author = AuthorFactory(slug="kisha")
    now = timezone.now()

    def make(**kwargs):
        return ArticleFactory(authors=[author], tags=["港"], **kwargs)

    public = [make(published=now - timedelta(hours=n + 1)) for n in range(4)]
    make()  # a draft
    scheduled = make(published=now + timedelta(hours=1))
    owner = author if kind == "author" else Tag.objects.get(name="港")
    url = reverse(f"articles:{kind}", kwargs={"slug": owner.slug})
    assert page_count(client, url) == 2
    assert client.get(url, {"page": 3}).status_code == 404

    time_comes(scheduled)  # five: a third page
    assert page_count(client, url) == 3
    assert client.get(url, {"page": 3}).status_code == 200

    for article in [*public, scheduled]:
        workflow.perform(Article.objects.get(pk=article.pk), "unpublish", by=publisher(), comment="撤回")
    assert client.get(url).status_code == 404  # no public article left: not public either
