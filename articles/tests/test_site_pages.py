"""The site's own pages (about, contact, editorial policy, privacy) and the footer that lists them
with the copyright line, the feeds and the archives by year."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from articles.desk import workflow
from articles.models import SitePage
from articles.tests.drawn import Drawn
from articles.tests.factories import ArticleFactory, StaffFactory, publisher
from articles.tests.test_surrogate_keys import carried, committing  # noqa: F401 - a fixture

pytestmark = pytest.mark.django_db


@pytest.fixture
def pages():
    return [
        SitePage.objects.create(
            title="プライバシーポリシー", slug="privacy", body="記録は30日で消去。", position=40
        ),
        SitePage.objects.create(
            title="港町タイムズについて",
            slug="about",
            description="港町の暮らしを伝える地域ニュースサイトです。",
            body="## わたしたちが伝えること\n\n港町の**小さな変化**を。",
            position=10,
        ),
        SitePage.objects.create(title="編集方針", slug="editorial-policy", body="正確に。", position=30),
        SitePage.objects.create(title="お問い合わせ", slug="contact", body="メールで。", position=20),
    ]


def test_a_site_page_is_public_with_its_title_text_description_and_canonical_address(client, pages):
    response = client.get("/about/")
    html = response.content.decode()
    page = Drawn(html)
    assert response.status_code == 200
    assert '<h1 class="page-title">港町タイムズについて</h1>' in html
    assert '<h2 id="わたしたちが伝えること">わたしたちが伝えること</h2>' in html
    assert "<strong>小さな変化</strong>" in html
    assert (
        page.find("meta", name="description")[0]["attrs"]["content"]
        == "港町の暮らしを伝える地域ニュースサイトです。"
    )
    assert page.find("link", rel="canonical")[0]["attrs"]["href"] == "http://testserver/about/"
    assert "<title>港町タイムズについて | Newsroom</title>" in html


def test_a_site_page_is_cached_as_public_pages_are_and_names_what_it_shows(client, pages):
    response = client.get("/about/")
    assert "public" in response["Cache-Control"] and "s-maxage=600" in response["Cache-Control"]
    assert {f"page-{pages[1].pk}", "footer", "menu", "years", "all"} <= carried(response)
    assert client.get("/about/")["X-Page-Cache"] == "hit"


def test_a_page_without_a_description_is_described_by_its_title(client, pages):
    page = Drawn(client.get("/contact/").content.decode())
    assert page.find("meta", name="description")[0]["attrs"]["content"] == "お問い合わせ"


def test_an_unknown_page_is_a_404(client, pages):
    assert client.get("/no-such-page/").status_code == 404


def test_a_site_page_s_html_of_its_own_is_sanitised_on_save(client):
    SitePage.objects.create(
        title="お知らせ",
        slug="notice",
        body='本文<script>alert(1)</script> <a href="javascript:alert(2)">リンク</a> <img src=x onerror=alert(3)>',
    )
    html = client.get("/notice/").content.decode()
    assert "<script>alert" not in html and "javascript:" not in html and "onerror" not in html


@pytest.mark.parametrize("slug", ["search", "latest", "feed", "admin"])
def test_a_page_may_not_take_the_address_of_another_page_of_the_site(slug):
    page = SitePage(title="ページ", slug=slug, body="本文")
    with pytest.raises(ValidationError) as refused:
        page.full_clean()
    assert "slug" in refused.value.message_dict


def test_a_page_may_have_a_japanese_address(client):
    page = SitePage(title="編集方針", slug="編集方針", body="正確に。")
    page.full_clean()
    page.save()
    assert client.get(page.get_absolute_url()).status_code == 200


def test_the_footer_lists_the_pages_in_the_chiefs_order_and_marks_the_one_shown(client, pages):
    page = Drawn(client.get("/contact/").content.decode())
    about = [
        link
        for link in page.links_in(".site-footer")
        if link["href"] in {p.get_absolute_url() for p in pages}
    ]
    assert [link["text"] for link in about] == [
        "港町タイムズについて",
        "お問い合わせ",
        "編集方針",
        "プライバシーポリシー",
    ]
    assert [link["attrs"].get("aria-current") for link in about] == [None, "page", None, None]


def test_the_footer_shows_the_copyright_the_feeds_and_the_years_with_public_articles(client, settings, pages):
    settings.SITE_NAME = "港町タイムズ"
    now = timezone.now()
    public = [now - timedelta(hours=1), now - timedelta(days=800), now - timedelta(days=2000)]
    for moment in public:
        ArticleFactory(published=moment)
    ArticleFactory(title="下書き")  # a draft: no year of its own
    ArticleFactory(published=now + timedelta(days=400), title="予定")  # scheduled: not yet
    html = client.get(reverse("articles:home")).content.decode()
    footer = Drawn(html).links_in(".site-footer")
    years = sorted({timezone.localtime(moment).year for moment in public}, reverse=True)
    archives = [link for link in footer if "/archive/" in link["href"]]
    assert [link["text"] for link in archives] == [f"{year}年" for year in years]
    assert [link["href"] for link in archives] == [reverse("articles:archive_year", args=[y]) for y in years]
    assert all(client.get(link["href"]).status_code == 200 for link in archives)
    addresses = [link["href"] for link in footer]
    assert reverse("articles:feed") in addresses and reverse("articles:feed_atom") in addresses
    assert f"© {timezone.localtime().year} 港町タイムズ" in html


def test_the_footer_years_are_written_in_english_on_an_english_site(client, settings, pages):
    settings.LANGUAGE_CODE = "en"
    ArticleFactory(published=True)
    html = client.get(reverse("articles:home")).content.decode()
    year = timezone.localtime().year
    assert f">{year}</a>" in html and "Archives" in html and "Feeds" in html


def test_a_page_written_after_a_page_was_kept_shows_in_its_footer(client, pages):
    assert "ニュースレター" not in client.get("/about/").content.decode()
    SitePage.objects.create(title="ニュースレター", slug="newsletter", body="毎週金曜に。", position=50)
    assert "ニュースレター" in client.get("/about/").content.decode()


# Purges (articles/purges.py): the page itself, and every page's footer when its link changed.


def test_editing_a_page_s_text_purges_that_page_alone(committing, pages):  # noqa: F811
    about = pages[1]
    about.body = "書き直した本文。"
    assert committing(about.save) == {f"page-{about.pk}"}


@pytest.mark.parametrize(
    "field, value", [("title", "わたしたちについて"), ("slug", "about-us"), ("position", 99)]
)
def test_changing_what_the_footer_shows_of_a_page_purges_every_footer(committing, pages, field, value):  # noqa: F811
    about = pages[1]
    setattr(about, field, value)
    assert committing(about.save) == {f"page-{about.pk}", "footer"}


def test_writing_or_deleting_a_page_purges_every_footer(committing, pages):  # noqa: F811
    new = SitePage(title="採用情報", slug="jobs", body="記者を募集しています。")
    assert committing(new.save) == {f"page-{new.pk}", "footer"}
    pk = new.pk
    assert committing(new.delete) == {f"page-{pk}", "footer"}


def test_a_year_s_first_public_article_purges_the_years_of_every_footer(committing):  # noqa: F811
    now = timezone.now()
    ArticleFactory(published=now - timedelta(hours=1))
    old = ArticleFactory(title="昔の記事")
    touched = committing(
        lambda: workflow.publish_through_review(
            old, by=publisher(), publish_at=now - timedelta(days=1200), via="command"
        )
    )
    assert {"years", "archive"} <= touched
    again = ArticleFactory(title="同じ年の記事")
    touched = committing(
        lambda: workflow.publish_through_review(
            again, by=publisher(), publish_at=now - timedelta(minutes=5), via="command"
        )
    )
    assert "years" not in touched and "archive" not in touched


# The desk: chiefs write the pages; nobody else sees them there.


@pytest.mark.parametrize("role, allowed", [("Writer", False), ("Editor", False), ("Chief", True)])
def test_only_chiefs_see_the_pages_in_the_desk(client, role, allowed, pages):
    client.force_login(StaffFactory(username=f"desk-{role}", role=role))
    listing = client.get(reverse("admin:articles_sitepage_changelist"))
    editing = client.get(reverse("admin:articles_sitepage_change", args=[pages[0].pk]))
    assert (listing.status_code, editing.status_code) == ((200, 200) if allowed else (403, 403))


@pytest.mark.parametrize("role", ["Writer", "Editor"])
def test_a_writer_or_editor_cannot_write_or_change_a_page(client, role, pages):
    client.force_login(StaffFactory(username=f"desk-{role}", role=role))
    form = {"title": "乗っ取り", "slug": "about", "description": "", "body": "書き換え", "position": "10"}
    assert client.post(reverse("admin:articles_sitepage_change", args=[pages[1].pk]), form).status_code == 403
    assert client.post(reverse("admin:articles_sitepage_add"), {**form, "slug": "new"}).status_code == 403
    assert SitePage.objects.get(pk=pages[1].pk).title == "港町タイムズについて"
    assert not SitePage.objects.filter(slug="new").exists()


def test_anonymous_visitors_are_sent_to_the_login(client, pages):
    response = client.get(reverse("admin:articles_sitepage_changelist"))
    assert response.status_code == 302 and reverse("admin:login") in response["Location"]


def test_a_chief_writes_a_page_in_the_desk_and_readers_see_it_at_once(client, pages):
    assert client.get("/about/")["X-Page-Cache"] == "miss"  # kept, with its footer
    chief = StaffFactory(username="desk-chief", role="Chief")
    client.force_login(chief)
    form = {
        "title": "採用情報",
        "slug": "jobs",
        "description": "記者を募集しています。",
        "body": "## 募集\n\n地域面の記者を**1人**募集します。",
        "position": "50",
    }
    response = client.post(reverse("admin:articles_sitepage_add"), form)
    assert response.status_code == 302
    edited = {**form, "title": "港町タイムズとは", "slug": "about", "body": "書き直した。", "position": "5"}
    response = client.post(reverse("admin:articles_sitepage_change", args=[pages[1].pk]), edited)
    assert response.status_code == 302
    client.logout()
    html = client.get("/about/").content.decode()
    assert "書き直した。" in html and "港町タイムズとは" in html and 'href="/jobs/">採用情報</a>' in html
    footer = [
        link["text"] for link in Drawn(html).links_in(".site-footer") if "/archive/" not in link["href"]
    ]
    assert footer[:2] == ["港町タイムズとは", "お問い合わせ"]
    assert "<strong>1人</strong>" in client.get("/jobs/").content.decode()


def test_a_chief_cannot_give_a_page_the_address_of_another(client, pages):
    client.force_login(StaffFactory(username="desk-chief", role="Chief"))
    form = {"title": "検索", "slug": "search", "description": "", "body": "本文", "position": "1"}
    response = client.post(reverse("admin:articles_sitepage_add"), form)
    assert (
        response.status_code == 200
        and "このアドレスはサイトの別のページが使っている。" in response.content.decode()
    )
    assert not SitePage.objects.filter(slug="search").exists()


def test_the_demo_has_the_four_pages_and_its_sections_in_editorial_order(client):
    call_command("seed_demo", stdout=StringIO(), stderr=StringIO())
    html = client.get(reverse("articles:home")).content.decode()
    page = Drawn(html)
    footer = [link["text"] for link in page.links_in(".site-footer")]
    assert footer[:4] == ["港町タイムズについて", "お問い合わせ", "編集方針", "プライバシーポリシー"]
    assert [link["text"] for link in page.links_in(".sections")] == [
        "地域",
        "文化",
        "テクノロジー",
        "English Edition",
    ]
    for address in ["/about/", "/contact/", "/editorial-policy/", "/privacy/"]:
        shown = client.get(address).content.decode()
        assert "<h2" in shown and "。" in shown  # written out, in Japanese
    call_command("seed_demo", stdout=StringIO(), stderr=StringIO())
    assert SitePage.objects.count() == 4
