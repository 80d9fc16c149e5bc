import re
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from articles.desk import workflow
from articles.models import Article, Category, Tag
from articles.tests.factories import ArticleFactory, AuthorFactory, CategoryFactory, publisher, time_comes

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


def test_latest_lists_published_articles_with_excerpt_byline_date_time_and_tags(client, story):
    ArticleFactory(title="下書きの記事")
    html = (
        client.get(reverse("articles:latest")).content.decode().replace("<wbr>", "")
    )  # headlines carry <wbr>s

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


def test_latest_is_paginated_by_20(client):
    for _ in range(21):
        ArticleFactory(published=True)
    assert client.get(reverse("articles:latest")).content.decode().count('<article class="summary">') == 20
    second = client.get(reverse("articles:latest") + "?page=2")
    assert second.content.decode().count('<article class="summary">') == 1
    assert client.get(reverse("articles:latest") + "?page=3").status_code == 404


def test_article_page_shows_everything_a_reader_needs(client, story):
    newer = ArticleFactory(title="次の記事", published=timezone.now() - timedelta(minutes=1))
    older = ArticleFactory(title="前の記事", published=timezone.now() - timedelta(days=2))
    response = client.get(story.get_absolute_url())
    html = response.content.decode()

    assert response.status_code == 200
    assert "<h1>朝市が<wbr>20年目</h1>" in html  # a break between its phrases
    assert '<h2 id="始まり">始まり</h2>' in html
    assert reverse("articles:category", args=["地域"]) in Links(html).hrefs
    assert newer.get_absolute_url() in Links(html).hrefs
    assert older.get_absolute_url() in Links(html).hrefs
    assert f'content="{story.excerpt}"' in html  # meta description
    canonical = [t for t in Links(html).link_tags if t.get("rel") == "canonical"]
    assert canonical[0]["href"] == "http://testserver" + story.get_absolute_url()
    feeds = {t["type"] for t in Links(html).link_tags if t.get("rel") == "alternate"}
    assert feeds == {"application/rss+xml", "application/atom+xml"}
    # No script runs: the one script element is JSON-LD data.
    assert re.findall(r"<script[^>]*>", html) == ['<script type="application/ld+json">']


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
    workflow.perform(story, "unpublish", by=publisher(), comment="取り下げ")
    assert unpublished.status_code == 200
    assert client.get(story.get_absolute_url()).status_code == 410  # withdrawn: Gone (test_addresses.py)


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
    html = client.get(reverse(f"articles:{route}", args=[slug])).content.decode().replace("<wbr>", "")

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
    html = client.get(reverse("articles:tag", args=["ai"])).content.decode().replace("<wbr>", "")
    assert "朝市が20年目" in html and "全角タグの記事" in html


def test_archives_by_year_and_month(client, story):
    local = timezone.localtime(story.published_at)
    year = client.get(reverse("articles:archive_year", args=[local.year]))
    month = client.get(reverse("articles:archive_month", args=[local.year, local.month]))

    assert year.status_code == 200 and "朝市が20年目" in year.content.decode()
    assert month.status_code == 200 and "朝市が20年目" in month.content.decode()
    assert client.get(reverse("articles:archive_year", args=[1999])).status_code == 404
    assert client.get(f"/archive/{local.year}/13/").status_code == 404


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
    workflow.perform(other, "unpublish", by=publisher(), comment="取り下げ")

    again = client.get(
        reverse("articles:home"),
        HTTP_IF_NONE_MATCH=first["ETag"],
    )
    assert again.status_code == 200
    assert "消える記事" not in again.content.decode().replace("<wbr>", "")


def test_article_page_shows_the_updated_date_after_a_correction(client, story):
    assert "更新" not in client.get(story.get_absolute_url()).content.decode()
    story.body += "\n\n（訂正）日付を改めました。"
    story.save()
    html = client.get(story.get_absolute_url()).content.decode()
    assert "更新" in html


def test_article_page_writes_its_links_and_times_in_the_sites_zone(client, db, settings):
    # 20:30 UTC is the next morning in Tokyo: every date and link on the page is Tokyo's.
    settings.TIME_ZONE = "Asia/Tokyo"
    published = datetime(2026, 3, 1, 20, 30, 15, 123456, tzinfo=UTC)
    author, section = AuthorFactory(name="港町太郎", slug="taro"), CategoryFactory(name="地域", slug="chiiki")
    article = ArticleFactory(
        title="本記事",
        slug="honkiji",
        tags=["港"],
        authors=[author],
        categories=[section],
        published=published,
    )
    Article.objects.filter(pk=article.pk).update(
        revised_at=published + timedelta(days=2), correction_note="数字を改めました。"
    )
    ArticleFactory(title="前の記事", slug="mae", tags=["港"], published=published - timedelta(days=1))
    html = client.get("/2026/03/02/honkiji/").content.decode()
    assert '<a href="/categories/chiiki/">地域</a>' in html
    assert '<a href="/authors/taro/" rel="author">港町太郎</a>' in html
    assert '<time datetime="2026-03-02T05:30:15+09:00">2026年3月2日 5:30</time>' in html
    assert '更新 <time datetime="2026-03-04T05:30:15+09:00">2026年3月4日 5:30</time>' in html
    assert (
        '<strong>訂正</strong> (<time datetime="2026-03-04T05:30:15+09:00">2026年3月4日 5:30</time>)' in html
    )
    assert '<a href="/tags/%E6%B8%AF/" rel="tag">港</a>' in html
    related = '<li><a href="/2026/03/01/mae/">前の<wbr>記事</a> <time datetime="2026-03-01T05:30:15+09:00">'
    assert related in html
    assert prev_next(client, article) == {"prev": ("/2026/03/01/mae/", "前の記事")}


def test_an_article_published_a_moment_ago_is_listed_everywhere(client, db):
    article = ArticleFactory(title="たった今の記事", published=timezone.now() - timedelta(seconds=1))
    local = timezone.localtime(article.published_at)
    for url in [
        reverse("articles:home"),
        reverse("articles:archive_year", args=[local.year]),
        reverse("articles:archive_month", args=[local.year, local.month]),
        reverse("articles:feed"),
    ]:
        assert "たった今の記事" in client.get(url).content.decode().replace("<wbr>", ""), url


def test_a_scheduled_article_appears_when_its_time_comes(client, db):
    article = ArticleFactory(title="予約記事", published=timezone.now() + timedelta(hours=1))
    assert "予約記事" not in client.get(reverse("articles:home")).content.decode().replace("<wbr>", "")
    time_comes(article)
    assert "予約記事" in client.get(reverse("articles:home")).content.decode()


@pytest.mark.parametrize(
    "path",
    [
        "/10000/01/01/x/",
        "/0/01/01/x/",
        "/0999/01/01/x/",
        "/2026/1/01/x/",
        "/2026/11/029/x/",
        "/2026/13/01/x/",
    ],
)
def test_malformed_dates_in_addresses_are_404_not_500(client, db, path):
    assert client.get(path).status_code == 404


def test_canonical_link_of_an_article_is_its_own_address(client, story, settings):
    settings.SITE_URL = "https://news.example.com"
    html = client.get(story.get_absolute_url() + "?utm_source=x").content.decode()
    canonical = [t for t in Links(html).link_tags if t.get("rel") == "canonical"]
    assert canonical[0]["href"] == "https://news.example.com" + story.get_absolute_url()


def test_an_article_with_a_punctuation_tag_renders(client, story):
    story.tags.add(*Tag.objects.named(["？！"]))
    assert client.get(story.get_absolute_url()).status_code == 200
    tag = story.tags.get(name="?!")  # folded from full width
    assert client.get(tag.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("route", ["author", "tag", "category", "author_feed", "tag_feed", "category_feed"])
def test_conditional_get_is_never_a_304_for_a_missing_page(client, story, route):
    last_modified = client.get(reverse("articles:home"))["Last-Modified"]
    url = reverse(f"articles:{route}", args=["no-such-slug"])
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 404


def _stale_after(client, url, change):
    """Does a client holding only Last-Modified get the new page after `change`?"""
    first = client.get(url)
    Article.objects.update(updated_at=timezone.now() - timedelta(days=1))
    from articles.models import PublicChange

    PublicChange.objects.update(changed_at=timezone.now() - timedelta(days=1))
    cache.clear()  # the page kept is made again, dated as if nothing had changed for a day
    since = client.get(url)["Last-Modified"]
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=since).status_code == 304
    change()
    return first, client.get(url, HTTP_IF_MODIFIED_SINCE=since)


def test_if_modified_since_sees_an_author_renamed(client, story):
    author = story.byline()[0]

    def rename():
        author.name = "改名した記者"
        author.save()

    _, again = _stale_after(client, story.get_absolute_url(), rename)
    assert again.status_code == 200 and "改名した記者" in again.content.decode()


def test_if_modified_since_sees_a_deleted_article(client, story):
    other = ArticleFactory(title="削除される記事", published=True)
    _, again = _stale_after(client, reverse("articles:home"), other.delete)
    assert again.status_code == 200 and "削除される記事" not in again.content.decode().replace("<wbr>", "")


def test_if_modified_since_sees_a_new_tag_on_an_article(client, story):
    _, again = _stale_after(
        client, story.get_absolute_url(), lambda: story.tags.add(*Tag.objects.named(["新タグ"]))
    )
    assert again.status_code == 200 and "新タグ" in again.content.decode()


ALL_PUBLIC_ROUTES = [
    "home", "detail", "author", "tag", "category", "archive_year", "archive_month",
    "feed", "feed_atom", "author_feed", "author_feed_atom", "tag_feed", "tag_feed_atom",
    "category_feed", "category_feed_atom",
]  # fmt: skip


def _route_url(name, story):
    local = timezone.localtime(story.published_at)
    owners = {"author": "sato", "tag": "朝市", "category": "地域"}
    owner = name.split("_")[0]
    if name == "detail":
        return story.get_absolute_url()
    if owner in owners:
        return reverse(f"articles:{name}", args=[owners[owner]])
    if name == "archive_year":
        return reverse("articles:archive_year", args=[local.year])
    if name == "archive_month":
        return reverse("articles:archive_month", args=[local.year, local.month])
    return reverse(f"articles:{name}")


@pytest.mark.parametrize("name", ALL_PUBLIC_ROUTES)
def test_every_named_public_route_answers_200(client, story, name):
    response = client.get(_route_url(name, story))
    assert response.status_code == 200
    assert response.has_header("Last-Modified") and response.has_header("ETag")


def test_the_500_page_is_served_by_the_error_handler(client, db, monkeypatch):
    from articles.site import views

    def explode(self, *args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(views.ArticleListView, "get_queryset", explode)
    client.raise_request_exception = False
    response = client.get(reverse("articles:latest"))
    assert response.status_code == 500
    assert "エラーが発生しました" in response.content.decode()


def test_an_article_page_weighs_under_60_kb_compressed_with_its_css_and_runs_no_script(client):
    import gzip

    from django.contrib.staticfiles import finders

    from articles.transfer import jekyll

    # A very long article of varied prose (gzip makes little of it): the copy-desk corpus, end to end.
    corpus = sorted((Path(__file__).parent / "corpus" / "clean").glob("*.md"))
    body = "\n\n".join(jekyll.parse_post(path).body for path in corpus)
    article = ArticleFactory(body=body, tags=["予算", "市議会"], published=True)
    html = client.get(article.get_absolute_url()).content
    css = Path(finders.find("css/site.css")).read_bytes()
    assert len(body.encode()) > 60_000 and len(gzip.compress(body.encode())) > 20_000
    assert len(gzip.compress(html)) + len(gzip.compress(css)) < 60_000
    assert b"<script src" not in html and b'<script type="application/ld+json">' in html


def test_lists_stop_at_the_last_allowed_page(client, settings):
    settings.MAX_LIST_PAGES = 2
    now = timezone.now()
    for n in range(45):
        ArticleFactory(published=now - timedelta(hours=n + 1))
    second = client.get(reverse("articles:latest"), {"page": 2})
    assert second.status_code == 200 and 'rel="next"' not in second.content.decode()
    assert client.get(reverse("articles:latest"), {"page": 3}).status_code == 404
    assert client.get(reverse("articles:latest"), {"page": "abc"}).status_code == 404


def prev_next(client, article) -> dict:
    """The rel=prev and rel=next links of an article page's navigation: {rel: (href, title)}."""
    html = (
        client.get(article.get_absolute_url()).content.decode().replace("<wbr>", "")
    )  # <wbr>: between phrases
    nav = html[
        html.index('<nav class="prev-next"') : html.index("</nav>", html.index('<nav class="prev-next"'))
    ]
    return {
        rel: (href, title)
        for rel, href, title in re.findall(
            r'<a rel="(prev|next)" href="([^"]+)"><span>[^<]*</span> <span[^>]*>([^<]+)</span></a>', nav
        )
    }


def test_previous_and_next_are_the_public_neighbours_in_publication_order(client, db):
    now = timezone.now().replace(microsecond=0)
    at = now - timedelta(hours=3)
    oldest = ArticleFactory(title="最古", published=now - timedelta(days=3))
    # Three published at the same second: ordered by id among themselves.
    first, middle, last = (ArticleFactory(title=f"同時{n}", published=at) for n in range(3))
    ArticleFactory(title="下書き", published=None)
    newest = ArticleFactory(title="最新", published=now - timedelta(minutes=1))
    ArticleFactory(title="予約", published=now + timedelta(days=1))  # scheduled: not yet public

    def link(article):
        return article.get_absolute_url(), article.title

    assert prev_next(client, oldest) == {"next": link(first)}
    assert prev_next(client, first) == {"prev": link(oldest), "next": link(middle)}
    assert prev_next(client, middle) == {"prev": link(first), "next": link(last)}
    assert prev_next(client, last) == {"prev": link(middle), "next": link(newest)}
    assert prev_next(client, newest) == {"prev": link(last)}


def test_the_article_page_shows_byline_sections_and_tags_in_their_order(client, db):
    b, a = AuthorFactory(name="B 記者", slug="b"), AuthorFactory(name="A 記者", slug="a")
    sections = [CategoryFactory(name="文化", slug="bunka"), CategoryFactory(name="地域", slug="chiiki")]
    article = ArticleFactory(authors=[b, a], categories=sections, tags=["港", "朝市", "AI"], published=True)
    html = client.get(article.get_absolute_url()).content.decode()
    byline = re.search(r'<span class="byline">(.*?)</span>', html).group(1)
    assert re.findall(r'rel="author">([^<]+)<', byline) == ["B 記者", "A 記者"]
    kicker = re.search(r'<p class="kicker">(.*?)</p>', html).group(1)
    assert re.findall(r'">([^<]+)</a>', kicker) == sorted(["文化", "地域"])
    assert re.findall(r'rel="tag">([^<]+)<', html) == sorted(["港", "朝市", "AI"])


@pytest.mark.parametrize(
    "path", ["/authors/nobody/", "/tags/nobody/", "/categories/nobody/", "/tags/nobody/feed/"]
)
def test_an_unknown_author_tag_or_section_is_404(client, path):
    assert client.get(path).status_code == 404


def menu(html: str) -> list[tuple[str, str]]:
    """The sections menu of a page: (name, address) of each entry, in order."""
    block = html[
        html.index('<ul class="sections">') : html.index("</ul>", html.index('<ul class="sections">'))
    ]
    return re.findall(r'<li><a href="([^"]+)"(?: aria-current="\w+")?>([^<]+)</a></li>', block)


def test_every_page_shows_every_section_with_a_public_article_in_the_menu_in_name_order(
    client, editor, story
):
    for name, slug in [("経済", "economy"), ("Sports", "sports"), ("文化", "culture")]:
        ArticleFactory(categories=[CategoryFactory(name=name, slug=slug)], published=True)
    ArticleFactory(categories=[CategoryFactory(name="下書きだけ", slug="drafts-only")])
    expected = [
        (section.get_absolute_url(), section.name)
        for section in Category.objects.exclude(slug="drafts-only").order_by("name")
    ]
    assert len(expected) == 4
    public = [
        reverse("articles:home"),
        story.get_absolute_url(),
        reverse("articles:category", args=["economy"]),
        reverse("articles:search") + "?q=港",
        reverse("articles:archive_year", args=[timezone.localtime(story.published_at).year]),
    ]
    for path in public:
        assert menu(client.get(path).content.decode()) == expected, path
    # A section's first public article puts it in the menu of the next page served.
    made = CategoryFactory(name="Art", slug="art")
    assert (made.get_absolute_url(), "Art") not in menu(client.get(reverse("articles:home")).content.decode())
    ArticleFactory(categories=[made], published=True)
    home = menu(client.get(reverse("articles:home")).content.decode())
    assert (made.get_absolute_url(), "Art") in home and len(home) == 5
    # A staff preview is no public page: it reads the sections on its own, and shows the same.
    draft = ArticleFactory(title="下書き")
    client.force_login(editor)
    preview = client.get(reverse("articles:preview", args=[draft.pk])).content.decode()
    assert menu(preview) == home
