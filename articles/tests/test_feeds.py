import re
from datetime import timedelta

import feedparser
import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import Tag
from articles.site import feeds
from articles.tests.factories import ArticleFactory, AuthorFactory, CategoryFactory

pytestmark = pytest.mark.django_db


def parse(client, url):
    response = client.get(url)
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    return response, feed


@pytest.fixture
def articles():
    section = CategoryFactory(slug="地域")
    reporter = AuthorFactory(name="佐藤 花子", slug="sato")
    desk = AuthorFactory(name="港町タイムズ編集部", slug="desk", is_desk=True)
    return [
        ArticleFactory(
            title=f"記事 {n}",
            body=f"第{n}段落の本文。\n\n**太字**の続き。",
            authors=[reporter, desk] if n == 0 else [desk],
            categories=[section] if n % 2 == 0 else [],
            tags=["朝市", "AI"] if n == 0 else ["港"],
            published=timezone.now() - timedelta(hours=n + 1),
        )
        for n in range(3)
    ]


@pytest.mark.parametrize("url_name", ["articles:feed", "articles:feed_atom"])
def test_site_feed_has_the_latest_published_items_with_everything(client, articles, url_name):
    ArticleFactory(title="下書き")
    ArticleFactory(title="予約", published=timezone.now() + timedelta(hours=1))
    response, feed = parse(client, reverse(url_name))

    assert [entry.title for entry in feed.entries] == ["記事 0", "記事 1", "記事 2"]
    first = feed.entries[0]
    assert first.id == f"urn:uuid:{articles[0].guid}"
    assert first.link == "http://testserver" + articles[0].get_absolute_url()
    assert first.summary == "第0段落の本文。"
    assert "<strong>太字</strong>" in first.content[0].value
    assert {tag.term for tag in first.tags} == {"朝市", "AI"}
    assert first.published_parsed and first.updated_parsed
    names = [author.name for author in first.authors]
    assert names == (
        ["佐藤 花子, 港町タイムズ編集部"] if "atom" not in url_name else ["佐藤 花子", "港町タイムズ編集部"]
    )


def test_atom_feed_names_every_author_in_byline_order(client, articles):
    _, feed = parse(client, reverse("articles:feed_atom"))
    assert [a.name for a in feed.entries[0].authors] == ["佐藤 花子", "港町タイムズ編集部"]


def test_feed_has_at_most_20_items(client):
    for _ in range(22):
        ArticleFactory(published=True)
    _, feed = parse(client, reverse("articles:feed"))
    assert len(feed.entries) == 20


def test_guid_is_unchanged_after_a_slug_change(client, articles):
    _, before = parse(client, reverse("articles:feed"))
    articles[0].slug = "renamed"
    articles[0].title = "見出しを変更"
    articles[0].save()
    _, after = parse(client, reverse("articles:feed"))

    assert after.entries[0].id == before.entries[0].id
    assert after.entries[0].link != before.entries[0].link
    assert after.entries[0].guidislink is False


@pytest.mark.parametrize(
    ("route", "slug", "expected"),
    [
        ("author", "sato", ["記事 0"]),
        ("tag", "港", ["記事 1", "記事 2"]),
        ("category", "地域", ["記事 0", "記事 2"]),
    ],
)
@pytest.mark.parametrize("suffix", ["feed", "feed_atom"])
def test_owner_feeds_hold_only_their_articles(client, articles, route, slug, expected, suffix):
    _, feed = parse(client, reverse(f"articles:{route}_{suffix}", args=[slug]))
    assert [entry.title for entry in feed.entries] == expected


@pytest.mark.parametrize("url_name", ["articles:feed", "articles:feed_atom"])
def test_feeds_answer_conditional_gets(client, articles, url_name):
    first = client.get(reverse(url_name))
    assert client.get(reverse(url_name), HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    assert client.get(reverse(url_name), HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304

    articles[1].title = "訂正された見出し"
    articles[1].save()
    changed = client.get(reverse(url_name), HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200
    assert "訂正された見出し" in changed.content.decode()


def test_rss_items_carry_their_update_date_in_the_xml(client, articles):
    from xml.etree import ElementTree

    articles[0].body += "\n\n訂正しました。"
    articles[0].save()
    root = ElementTree.fromstring(client.get(reverse("articles:feed")).content)  # noqa: S314 - our own output
    first = root.find("channel/item")
    updated = first.find("{http://www.w3.org/2005/Atom}updated").text
    assert updated.startswith(str(timezone.now().year))
    assert first.find("pubDate") is not None


def test_update_date_moves_only_when_the_text_changes(client, articles):
    articles[0].tags.add(*Tag.objects.named(["新しいタグ"]))
    articles[0].save()
    _, feed = parse(client, reverse("articles:feed_atom"))
    assert feed.entries[0].updated_parsed == feed.entries[0].published_parsed


def test_feeds_use_site_url_and_absolute_addresses_in_content(client, settings):
    settings.SITE_URL = "https://news.example.com"
    article = ArticleFactory(
        body="![港の写真](/media/editor/harbour.jpg)\n\n[前の記事](/2026/01/01/older/) と [外部](https://example.org/x)",
        published=True,
    )
    for name in ["articles:feed", "articles:feed_atom"]:
        response, feed = parse(client, reverse(name))
        entry = feed.entries[0]
        assert entry.link == "https://news.example.com" + article.get_absolute_url()
        content = entry.content[0].value
        assert 'src="https://news.example.com/media/editor/harbour.jpg"' in content
        assert 'href="https://news.example.com/2026/01/01/older/"' in content
        assert 'href="https://example.org/x"' in content
        assert "https://news.example.com/feed/" in response.content.decode()


@pytest.mark.parametrize("suffix", ["feed", "feed_atom"])
def test_characters_xml_forbids_never_break_a_feed(client, suffix):
    # The copy desk keeps them out of what it checks before publishing, not out of an author's
    # name, nor out of a tag renamed later; the feed drops what XML cannot hold, in texts and in
    # attributes (Atom's category terms).
    author = AuthorFactory(name="記者\x01A\x1b", slug="odd")
    article = ArticleFactory(
        title="見出し", authors=[author], tags=["港"], published=timezone.now() - timedelta(hours=1)
    )
    tag = article.tag_list()[0]
    tag.name = "港\x02"
    tag.save()
    for url in [
        reverse(f"articles:{suffix}"),
        reverse(f"articles:author_{suffix}", args=[author.slug]),
        reverse(f"articles:tag_{suffix}", args=[tag.slug]),
    ]:
        _, feed = parse(client, url)
        assert feed.entries[0].author == "記者A"
        assert [tag.term for tag in feed.entries[0].tags] == ["港"]
    assert feed.feed.title.startswith("港 — ")


@pytest.mark.parametrize("url_name", ["articles:feed", "articles:feed_atom"])
def test_feed_dates_are_written_with_their_zone(client, articles, url_name):
    response, feed = parse(client, reverse(url_name))
    zone = r"\+0000" if url_name == "articles:feed" else r"\+00:00"
    for entry in feed.entries:
        assert re.search(zone + "$", entry.published), entry.published
        assert re.search(r"\+00:?00$", entry.updated), entry.updated
    assert feed.entries[0].published_parsed == articles[0].published_at.utctimetuple()


def test_feeds_put_site_relative_addresses_under_the_requests_host_without_site_url(client, settings):
    settings.SITE_URL = ""
    ArticleFactory(body="![写真](/media/a.jpg) [cdn](//cdn.example.org/b.js)", published=True)
    for name in ["articles:feed", "articles:feed_atom"]:
        _, feed = parse(client, reverse(name))
        content = feed.entries[0].content[0].value
        assert 'src="http://testserver/media/a.jpg"' in content
        assert 'href="//cdn.example.org/b.js"' in content  # protocol-relative: left as it is
        assert feed.entries[0].link.startswith("http://testserver/")


def test_for_feed_reads_the_articles_then_their_bylines_and_tags(django_assert_num_queries):
    """Article.objects.for_feed() and show(): the list in the lists' order, each article's byline
    in byline order and its tags in name order, in two queries whatever the number of articles;
    only the fields a feed writes (not the Markdown, nor what search keeps)."""
    from articles.models import Article, Tag

    now = timezone.now()
    desk, hanako = AuthorFactory(name="編集部", slug="desk", is_desk=True), AuthorFactory(name="港町花子")
    section = CategoryFactory(slug="chiiki")
    for n in range(7):
        ArticleFactory(
            authors=[[desk, hanako], [hanako, desk], [hanako]][n % 3],
            categories=[section] if n % 2 else [],
            tags=[["港", "AI", "市政", "zeta"], ["港"], []][n % 3],
            published=now - timedelta(hours=n % 3),  # ties in time: the id decides
        )
    ArticleFactory(authors=[desk], tags=["港"], categories=[section])  # a draft
    ArticleFactory(authors=[desk], tags=["港"], categories=[section], published=now + timedelta(days=1))
    port = Tag.objects.get(name="港")
    public = Article.objects.published()
    seen = []
    for listed in [public, public.by_author(hanako), public.tagged(port), public.in_category(section)]:
        expected = [
            (a.pk, [b.author.name for b in a.bylines.all()], sorted(t.name for t in a.tags.all()))
            for a in listed.order_by("-published_at", "-pk")
        ]
        with django_assert_num_queries(2):
            articles = Article.objects.show(listed.for_feed())
            shown = [
                (a.pk, [author.name for author in a.links.byline], [tag.name for tag in a.links.tags])
                for a in articles
            ]
        assert shown == expected and expected
        assert {"body", "search_text"} <= articles[0].get_deferred_fields()
        seen += shown
    assert {tuple(names) for _pk, names, _tags in seen} == {
        ("編集部", "港町花子"),
        ("港町花子", "編集部"),
        ("港町花子",),
    }
    assert ["AI", "zeta", "市政", "港"] in [tags for _pk, _names, tags in seen]


@pytest.mark.parametrize(
    "html",
    [
        'src="/a.jpg"',  # at the very start
        '<img src="/a.jpg" alt=""><a href="/2026/01/01/x/">x</a>',
        '<a href="//cdn.example.org/b.js">cdn</a>',  # protocol-relative
        '<p>xsrc="/no" _href="/no" 港href="/no" (src="/yes") -href="/yes"</p>',
        '<a href="https://example.org/">',
        "",
    ],
)
def test_site_relative_addresses_are_made_absolute_only_where_a_whole_attribute_name_stands(html):
    # The reference: a word boundary before the name, as a regular expression says it.
    reference = re.sub(r'\b(src|href)="/(?!/)', r'\1="https://news.example.com/', html)
    assert feeds.with_absolute_links(html, "https://news.example.com/2026/x/") == reference


def test_the_channels_carry_the_sites_logo(client, articles):
    logo = "http://testserver/static/img/logo.png"  # a picture file: feed readers take no SVG
    _response, rss = parse(client, reverse("articles:feed"))
    assert (rss.feed.image.href, rss.feed.image.title, rss.feed.image.link) == (
        logo,
        "Newsroom",
        "http://testserver/",
    )
    _response, atom = parse(client, reverse("articles:feed_atom"))
    assert atom.feed.logo == atom.feed.icon == logo
    # A section's channel: its own title and link under the same logo.
    _response, section = parse(client, reverse("articles:category_feed", args=["地域"]))
    assert section.feed.image.href == logo and section.feed.image.link == section.feed.link
    assert section.feed.image.title == section.feed.title


def test_the_logo_of_a_feed_follows_site_url(client, articles, settings):
    settings.SITE_URL = "https://news.example.com"
    _response, rss = parse(client, reverse("articles:feed"))
    _response, atom = parse(client, reverse("articles:feed_atom"))
    assert rss.feed.image.href == atom.feed.logo == "https://news.example.com/static/img/logo.png"


def test_a_png_site_logo_is_the_feeds_logo_too(client, articles, settings):
    settings.SITE_LOGO, settings.SITE_LOGO_SIZE = "img/masthead.png", (600, 120)
    _response, rss = parse(client, reverse("articles:feed"))
    _response, atom = parse(client, reverse("articles:feed_atom"))
    assert rss.feed.image.href == atom.feed.logo == "http://testserver/static/img/masthead.png"
