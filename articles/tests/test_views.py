from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone

from articles import workflow
from articles.models import Article

from .factories import ArticleFactory, AuthorFactory, CategoryFactory, publisher

pytestmark = pytest.mark.django_db


class Links(HTMLParser):
    def __init__(self, html):
        super().__init__()
        self.hrefs = []
        self.link_tags = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a":
            self.hrefs.append(attrs.get("href"))
        if tag == "link":
            self.link_tags.append(attrs)


@pytest.fixture
def story():
    section = CategoryFactory(name="地域", slug="地域")
    desk = AuthorFactory(name="港町タイムズ編集部", slug="desk", is_desk=True)
    reporter = AuthorFactory(name="佐藤 花子", slug="sato")
    return ArticleFactory(
        title="朝市が20年目",
        slug="朝市-20年目",
        body="浜通りの朝市が20年目を迎えた。\n\n## 始まり\n\n数軒の店主が始めた。",
        authors=[reporter, desk],
        categories=[section],
        tags=["朝市", "AI"],
        published=True,
    )


def test_home_lists_published_articles_with_excerpt_byline_date_time_and_tags(client, story):
    ArticleFactory(title="下書きの記事")
    html = client.get(reverse("articles:home")).content.decode()

    assert "朝市が20年目" in html
    assert "浜通りの朝市が20年目を迎えた。" in html
    assert "下書きの記事" not in html
    hrefs = Links(html).hrefs
    assert reverse("articles:author", args=["sato"]) in hrefs
    assert reverse("articles:author", args=["desk"]) in hrefs
    assert reverse("articles:tag", args=["朝市"]) in hrefs
    assert html.index("佐藤 花子") < html.index("港町タイムズ編集部")  # byline order
    assert '<html lang="ja">' in html
    assert timezone.localtime(story.published_at).strftime("%Y年%-m月%-d日") in html


def test_home_is_paginated_by_20(client):
    for _ in range(21):
        ArticleFactory(published=True)
    assert client.get(reverse("articles:home")).context["object_list"].count() == 20
    second = client.get(reverse("articles:home") + "?page=2")
    assert len(second.context["object_list"]) == 1
    assert client.get(reverse("articles:home") + "?page=3").status_code == 404


def test_article_page_shows_everything_a_reader_needs(client, story):
    newer = ArticleFactory(title="次の記事", published=timezone.now() - timedelta(minutes=1))
    older = ArticleFactory(title="前の記事", published=timezone.now() - timedelta(days=2))
    response = client.get(story.get_absolute_url())
    html = response.content.decode()

    assert response.status_code == 200
    assert "<h1>朝市が20年目</h1>" in html
    assert '<h2 id="始まり">始まり</h2>' in html
    assert reverse("articles:category", args=["地域"]) in Links(html).hrefs
    assert newer.get_absolute_url() in Links(html).hrefs
    assert older.get_absolute_url() in Links(html).hrefs
    assert f'content="{story.excerpt}"' in html  # meta description
    canonical = [t for t in Links(html).link_tags if t.get("rel") == "canonical"]
    assert canonical[0]["href"] == "http://testserver" + story.get_absolute_url()
    feeds = {t["type"] for t in Links(html).link_tags if t.get("rel") == "alternate"}
    assert feeds == {"application/rss+xml", "application/atom+xml"}
    assert "<script" not in html


def test_article_page_shows_hero_image_with_alt_text(client, story):
    story.hero_image = "heroes/market.jpg"
    story.hero_alt = "朝市でにぎわう通り"
    story.save()
    html = client.get(story.get_absolute_url()).content.decode()
    assert 'alt="朝市でにぎわう通り"' in html
    assert "/media/heroes/market.jpg" in html


def test_drafts_future_articles_and_wrong_dates_are_404(client, story):
    draft = ArticleFactory()
    future = ArticleFactory(published=timezone.now() + timedelta(days=1))
    wrong_day = story.get_absolute_url().replace(f"/{timezone.localtime(story.published_at):%d}/", "/01/")
    if wrong_day == story.get_absolute_url():
        wrong_day = story.get_absolute_url().replace("/01/", "/02/", 1)

    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get(future.get_absolute_url()).status_code == 404
    assert client.get(wrong_day).status_code == 404
    unpublished = client.get(story.get_absolute_url())
    workflow.perform(story, "unpublish", by=publisher())
    assert unpublished.status_code == 200
    assert client.get(story.get_absolute_url()).status_code == 404


def test_custom_404_page(client, db):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "ページが見つかりません" in response.content.decode()


def test_custom_500_page_renders_without_a_database(client, db):
    from django.template.loader import render_to_string

    html = render_to_string("500.html")
    assert "エラーが発生しました" in html and 'lang="ja"' in html


@pytest.mark.parametrize("route", ["author", "tag", "category"])
def test_owner_pages_list_only_their_published_articles(client, story, route):
    other = ArticleFactory(title="関係ない記事", published=True)
    slug = {"author": "sato", "tag": "朝市", "category": "地域"}[route]
    html = client.get(reverse(f"articles:{route}", args=[slug])).content.decode()

    assert "朝市が20年目" in html
    assert other.title not in html
    hrefs = {t["href"] for t in Links(html).link_tags if t.get("rel") == "alternate"}
    assert reverse(f"articles:{route}_feed", args=[slug]) in hrefs
    assert reverse(f"articles:{route}_feed_atom", args=[slug]) in hrefs


def test_author_page_shows_bio(client, story):
    html = client.get(reverse("articles:author", args=["sato"])).content.decode()
    assert "<p>港町の市政を担当。</p>" in html


def test_tag_written_in_another_width_finds_the_same_page(client, story):
    ArticleFactory(title="全角タグの記事", tags=["ＡＩ"], published=True)
    html = client.get(reverse("articles:tag", args=["ai"])).content.decode()
    assert "朝市が20年目" in html and "全角タグの記事" in html


def test_archives_by_year_and_month(client, story):
    local = timezone.localtime(story.published_at)
    year = client.get(reverse("articles:archive_year", args=[local.year]))
    month = client.get(reverse("articles:archive_month", args=[local.year, local.month]))

    assert year.status_code == 200 and "朝市が20年目" in year.content.decode()
    assert month.status_code == 200 and "朝市が20年目" in month.content.decode()
    assert client.get(reverse("articles:archive_year", args=[1999])).status_code == 404
    assert client.get(reverse("articles:archive_month", args=[local.year, 13])).status_code == 404


@pytest.mark.parametrize(
    "name", ["articles:author", "articles:tag", "articles:category", "articles:author_feed"]
)
def test_unknown_slugs_are_404(client, db, name):
    assert client.get(reverse(name, args=["no-such-slug"])).status_code == 404


@pytest.mark.parametrize(
    "path",
    ["/", "/feed/", "/feed/atom/", "/authors/sato/", "/tags/朝市/", "/categories/地域/"],
)
def test_every_public_url_answers_200(client, story, path):
    assert client.get(path).status_code == 200


def test_conditional_get_returns_304_for_pages(client, story):
    for url in [
        reverse("articles:home"),
        story.get_absolute_url(),
        reverse("articles:author", args=["sato"]),
    ]:
        first = client.get(url)
        assert first.has_header("ETag") and first.has_header("Last-Modified")
        assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
        assert client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304


def test_conditional_get_sees_an_unpublished_article(client, story):
    other = ArticleFactory(title="消える記事", published=True)
    first = client.get(reverse("articles:home"))
    Article.objects.filter(pk=other.pk).update(updated_at=timezone.now() - timedelta(hours=3))
    workflow.perform(other, "unpublish", by=publisher())

    again = client.get(
        reverse("articles:home"),
        HTTP_IF_NONE_MATCH=first["ETag"],
    )
    assert again.status_code == 200
    assert "消える記事" not in again.content.decode()


def test_article_page_shows_the_updated_date_after_a_correction(client, story):
    assert "更新" not in client.get(story.get_absolute_url()).content.decode()
    story.body += "\n\n（訂正）日付を改めました。"
    story.save()
    html = client.get(story.get_absolute_url()).content.decode()
    assert "更新" in html
