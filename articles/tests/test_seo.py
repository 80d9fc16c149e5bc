"""What search engines and social sites read: JSON-LD, Open Graph, sitemaps, robots.txt, prev/next links."""

import json
import re
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.desk import workflow
from articles.models import Article
from articles.tests.factories import ArticleFactory, AuthorFactory, CategoryFactory
from articles.tests.html import Page

pytestmark = pytest.mark.django_db
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"


def json_ld(html: str) -> dict:
    [data] = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.DOTALL)
    return json.loads(data)


def meta(html: str, name: str) -> list[str]:
    return re.findall(rf'<meta (?:property|name)="{re.escape(name)}" content="([^"]*)">', html)


@pytest.fixture
def story():
    desk = AuthorFactory(name="ALLFORCES編集部", slug="allforces", is_desk=True)
    reporter = AuthorFactory(name="佐藤 花子", slug="sato")
    return ArticleFactory(
        title="港町の投資計画",
        body="港町市は新しい投資計画を発表した。\n\n## 背景\n\n市の財政は安定している。",
        authors=[desk, reporter],
        categories=[CategoryFactory(name="投資分析", slug="toushi")],
        tags=["投資", "AI"],
        published=timezone.now() - timedelta(hours=3),
    )


def test_an_article_carries_a_news_article_with_a_desk_as_organization(client, story, settings):
    html = client.get(story.get_absolute_url()).content.decode()
    data = json_ld(html)
    url = "http://testserver" + story.get_absolute_url()
    assert data["@context"] == "https://schema.org" and data["@type"] == "NewsArticle"
    assert data["headline"] == "港町の投資計画" and data["url"] == url
    assert data["mainEntityOfPage"] == {"@type": "WebPage", "@id": url}
    assert data["author"] == [
        {"@type": "Organization", "name": "ALLFORCES編集部", "url": "http://testserver/authors/allforces/"},
        {"@type": "Person", "name": "佐藤 花子", "url": "http://testserver/authors/sato/"},
    ]
    assert data["publisher"]["@type"] == "Organization" and data["publisher"]["name"] == settings.SITE_NAME
    assert data["publisher"]["logo"]["url"].endswith(".png")
    assert (
        data["articleSection"] == "投資分析"
        and data["keywords"] == ["AI", "投資"]
        or data["keywords"] == ["投資", "AI"]
    )
    assert data["inLanguage"] == "ja" and data["timeRequired"] == "PT1M"
    assert data["datePublished"] == timezone.localtime(story.published_at).replace(microsecond=0).isoformat()
    assert data["dateModified"] == data["datePublished"]
    assert data["image"][0].startswith("http://testserver/")


def test_json_ld_cannot_be_broken_out_of(client):
    article = ArticleFactory(title="</script><script>alert(1)</script> & 「引用」", published=True)
    html = client.get(article.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in html
    assert json_ld(html)["headline"] == "</script><script>alert(1)</script> & 「引用」"


def test_open_graph_and_twitter_cards(client, story):
    html = client.get(story.get_absolute_url()).content.decode()
    assert meta(html, "og:type") == ["article"] and meta(html, "og:title") == ["港町の投資計画"]
    assert meta(html, "og:url") == ["http://testserver" + story.get_absolute_url()]
    assert meta(html, "og:description") == [story.excerpt] and meta(html, "og:locale") == ["ja_JP"]
    assert meta(html, "article:author") == [
        "http://testserver/authors/allforces/",
        "http://testserver/authors/sato/",
    ]
    assert meta(html, "article:section") == ["投資分析"] and sorted(meta(html, "article:tag")) == [
        "AI",
        "投資",
    ]
    assert meta(html, "twitter:card") == ["summary"] and meta(html, "og:image")[0].endswith(".png")
    story.hero_image_url = "https://images.example.com/port.jpg"
    story.hero_alt = "港の朝"
    story.save()
    html = client.get(story.get_absolute_url()).content.decode()
    assert meta(html, "twitter:card") == ["summary_large_image"]
    assert meta(html, "og:image") == ["https://images.example.com/port.jpg"] and meta(
        html, "og:image:alt"
    ) == ["港の朝"]


def test_lists_have_website_cards_and_prev_next_links(client):
    now = timezone.now()
    for n in range(45):
        ArticleFactory(published=now - timedelta(hours=n + 1))
    first = client.get(reverse("articles:latest")).content.decode()
    assert meta(first, "og:type") == ["website"]
    assert (
        '<link rel="next" href="http://testserver/latest/?page=2">' in first
        and 'rel="prev"' not in first.split("</head>")[0]
    )
    second = client.get(reverse("articles:latest"), {"page": 2}).content.decode()
    head = second.split("</head>")[0]
    assert '<link rel="prev" href="http://testserver/latest/">' in head
    assert '<link rel="next" href="http://testserver/latest/?page=3">' in head
    assert '<link rel="canonical" href="http://testserver/latest/?page=2">' in head


def test_related_articles_share_the_most_tags_newest_first(client, story):
    now = timezone.now()
    two_old = ArticleFactory(title="二つ共通・古い", tags=["投資", "AI"], published=now - timedelta(days=5))
    two_new = ArticleFactory(title="二つ共通・新しい", tags=["投資", "AI"], published=now - timedelta(days=1))
    one = ArticleFactory(title="一つ共通", tags=["AI"], published=now - timedelta(hours=1))
    ArticleFactory(title="共通なし", tags=["港"], published=now - timedelta(hours=2))
    ArticleFactory(title="下書き", tags=["投資", "AI"])
    ArticleFactory(title="一つ共通・さらに", tags=["投資"], published=now - timedelta(hours=5))
    ArticleFactory(title="一つ共通・最古", tags=["投資"], published=now - timedelta(days=9))
    html = (
        client.get(story.get_absolute_url()).content.decode().replace("<wbr>", "")
    )  # <wbr>: between phrases
    section = html[html.index('class="related"') : html.index("</section>", html.index('class="related"'))]
    assert re.findall(r'<a href="[^"]+">([^<]+)</a>', section) == [
        two_new.title,
        two_old.title,
        one.title,
        "一つ共通・さらに",
    ]


def related_titles(client, article) -> list:
    html = (
        client.get(article.get_absolute_url()).content.decode().replace("<wbr>", "")
    )  # <wbr>: between phrases
    if 'class="related"' not in html:
        return []
    section = html[html.index('class="related"') : html.index("</section>", html.index('class="related"'))]
    return re.findall(r'<a href="[^"]+">([^<]+)</a>', section)


def test_related_articles_share_the_most_tags_then_are_the_newest_and_are_public(client, editor):
    now = timezone.now()
    article = ArticleFactory(title="本記事", tags=["港", "漁業"], published=now - timedelta(days=1))
    both = ArticleFactory(title="両方", tags=["港", "漁業"], published=now - timedelta(days=5))
    latest = ArticleFactory(title="最新", tags=["港"], published=now - timedelta(hours=1))
    ArticleFactory(title="新しい", tags=["漁業"], published=now - timedelta(days=2))
    for n in range(2):
        ArticleFactory(title=f"古い{n}", tags=["港"], published=now - timedelta(days=3, minutes=n))
    ArticleFactory(title="無関係", tags=["天気"], published=now - timedelta(hours=2))
    # Not public: never related.
    ArticleFactory(title="下書き", tags=["港", "漁業"])
    ArticleFactory(title="予約", tags=["港", "漁業"], published=now + timedelta(days=1))
    assert related_titles(client, article) == ["両方", "最新", "新しい", "古い0"]
    workflow.perform(both, "unpublish", by=editor, comment="誤報")
    workflow.perform(latest, "unpublish", by=editor, comment="誤報")
    assert related_titles(client, article) == ["新しい", "古い0", "古い1"]


def sitemap_entries(client) -> dict:
    """Every address of every page of the sitemap index, with its lastmod."""
    index = ET.fromstring(client.get(reverse("articles:sitemap")).content)  # noqa: S314 - our own output
    entries = {}
    for loc in index.iter(f"{SITEMAP}loc"):
        part = ET.fromstring(client.get(loc.text.removeprefix("http://testserver")).content)  # noqa: S314
        entries.update(
            {
                u.find(f"{SITEMAP}loc").text: u.find(f"{SITEMAP}lastmod").text
                for u in part.iter(f"{SITEMAP}url")
            }
        )
    return entries


def test_the_sitemap_lists_articles_authors_tags_and_sections_with_lastmod(client, story):
    ArticleFactory(title="下書き", tags=["未公開タグ"], authors=[AuthorFactory(slug="nobody")])
    entries = sitemap_entries(client)
    day = timezone.localtime(story.published_at).date().isoformat()
    assert "http://testserver" + story.get_absolute_url() in entries
    assert entries["http://testserver/authors/allforces/"] == day
    assert entries["http://testserver/categories/toushi/"] == day
    assert any(loc.startswith("http://testserver/tags/") for loc in entries)
    assert "http://testserver/authors/nobody/" not in entries
    assert not any("未公開" in loc or "%E6%9C%AA" in loc for loc in entries)


def test_an_owners_sitemap_lastmod_is_its_newest_public_article_not_a_scheduled_or_draft_one(client):
    now = timezone.now()
    writer = AuthorFactory(slug="writer")
    ArticleFactory(authors=[writer], tags=["港"], published=now - timedelta(days=10))
    newest = ArticleFactory(authors=[writer], tags=["港"], published=now - timedelta(days=3))
    ArticleFactory(authors=[writer], tags=["港"], published=now + timedelta(days=2))  # scheduled
    ArticleFactory(authors=[writer], tags=["港"])  # a draft
    only_later = AuthorFactory(slug="later")
    ArticleFactory(authors=[only_later], published=now + timedelta(days=1))
    entries = sitemap_entries(client)
    day = timezone.localtime(newest.published_at).date().isoformat()
    assert entries["http://testserver/authors/writer/"] == day
    assert entries["http://testserver" + newest.tag_list()[0].get_absolute_url()] == day
    assert "http://testserver/authors/later/" not in entries


def test_the_news_sitemap_lists_the_last_two_days(client, story):
    old = ArticleFactory(title="三日前の記事", published=timezone.now() - timedelta(days=3))
    xml = ET.fromstring(client.get(reverse("articles:news_sitemap")).content)  # noqa: S314 - our own output
    urls = list(xml.iter(f"{SITEMAP}url"))
    assert [u.find(f"{SITEMAP}loc").text for u in urls] == ["http://testserver" + story.get_absolute_url()]
    news = urls[0].find(f"{NEWS}news")
    assert news.find(f"{NEWS}title").text == "港町の投資計画"
    assert news.find(f"{NEWS}publication/{NEWS}language").text == "ja"
    assert old.get_absolute_url() not in client.get(reverse("articles:news_sitemap")).content.decode()


def test_robots_txt_points_at_the_sitemaps(client):
    response = client.get("/robots.txt")
    text = response.content.decode()
    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain")
    assert (
        "Sitemap: http://testserver/sitemap.xml" in text
        and "Sitemap: http://testserver/sitemap-news.xml" in text
    )
    assert "Disallow: /admin/" in text and "Disallow: /preview/" in text


def test_previews_carry_no_structured_data_and_say_noindex(editor_client):
    article = ArticleFactory(title="下書き")
    html = editor_client.get(reverse("articles:preview", args=[article.pk])).content.decode()
    assert "application/ld+json" not in html and 'content="noindex, nofollow"' in html


def test_the_sitemap_index_pages_every_part_and_lastmod_is_the_public_change(client, settings, monkeypatch):
    from articles.site import sitemaps

    monkeypatch.setattr(sitemaps.SiteSitemap, "limit", 2)
    old = ArticleFactory(title="古い記事", published=timezone.now() - timedelta(days=30))
    for n in range(4):
        ArticleFactory(published=timezone.now() - timedelta(hours=n + 1))
    index = client.get(reverse("articles:sitemap")).content.decode()
    assert "http://testserver/sitemap-articles.xml?p=3</loc>" in index
    entries = sitemap_entries(client)
    assert len([loc for loc in entries if "/20" in loc]) == 5
    # Saved again (a status change, an import) without a change readers see: lastmod stays.
    old.save()
    assert sitemap_entries(client)["http://testserver" + old.get_absolute_url()] == (
        timezone.localtime(old.published_at).date().isoformat()
    )


def test_the_sitemap_follows_site_url(client, settings, story):
    settings.SITE_URL = "https://news.example.com"
    index = client.get(reverse("articles:sitemap")).content.decode()
    assert "<loc>https://news.example.com/sitemap-articles.xml</loc>" in index
    part = client.get(reverse("articles:sitemap_section", args=["articles"])).content.decode()
    assert f"<loc>https://news.example.com{story.get_absolute_url()}</loc>" in part


def test_an_articles_sitemap_lastmod_is_its_last_public_revision(client):
    now = timezone.now()
    revised = ArticleFactory(published=now - timedelta(days=10))
    untouched = ArticleFactory(published=now - timedelta(days=9))
    # A correction two days ago; a revision stamp older than publication says nothing to readers.
    Article.objects.filter(pk=revised.pk).update(revised_at=now - timedelta(days=2))
    Article.objects.filter(pk=untouched.pk).update(revised_at=now - timedelta(days=20))
    entries = sitemap_entries(client)

    def day(moment):
        return timezone.localtime(moment).date().isoformat()

    assert entries["http://testserver" + revised.get_absolute_url()] == day(now - timedelta(days=2))
    assert entries["http://testserver" + untouched.get_absolute_url()] == day(now - timedelta(days=9))


def index_lastmods(client) -> dict:
    """Each sitemap of the index, by its address's path, with its lastmod."""
    index = ET.fromstring(client.get(reverse("articles:sitemap")).content)  # noqa: S314 - our own output
    return {
        entry.findtext(f"{SITEMAP}loc").removeprefix("http://testserver"): entry.findtext(f"{SITEMAP}lastmod")
        for entry in index.iter(f"{SITEMAP}sitemap")
    }


def test_the_sitemap_index_dates_each_sitemap_by_its_newest_change(client):
    now = timezone.now().replace(microsecond=0)
    section = CategoryFactory(slug="chiiki")
    corrected = ArticleFactory(tags=["港"], categories=[section], published=now - timedelta(days=5))
    Article.objects.filter(pk=corrected.pk).update(revised_at=now - timedelta(days=1))
    ArticleFactory(tags=["朝市"], published=now - timedelta(days=3))
    ArticleFactory(published=now - timedelta(days=2))  # a byline, no tag, no section
    ArticleFactory(tags=["港"], categories=[section], published=now + timedelta(days=1))  # scheduled
    ArticleFactory(tags=["港"], categories=[section])  # a draft

    def moment(days_ago):
        return timezone.localtime(now - timedelta(days=days_ago)).isoformat()

    assert index_lastmods(client) == {
        "/sitemap-articles.xml": moment(1),  # the correction, later than any publication
        "/sitemap-authors.xml": moment(2),
        "/sitemap-tags.xml": moment(3),
        "/sitemap-sections.xml": moment(5),
    }


def test_an_empty_sitemap_has_no_lastmod_in_the_index(client, db):
    assert set(index_lastmods(client).values()) == {None}


def test_a_missing_or_withdrawn_page_names_no_address_of_its_own(client, editor):
    withdrawn = ArticleFactory(title="取り下げた記事", published=True)
    workflow.perform(withdrawn, "unpublish", by=editor, comment="誤報")
    for path, status in [("/no/such/page/", 404), (withdrawn.get_absolute_url(), 410)]:
        response = client.get(path)
        page = Page(response.content.decode())
        assert response.status_code == status
        assert [link for link in page.find("link") if link.attrs.get("rel") == "canonical"] == []
        assert page.find("meta", property="og:url") == []
