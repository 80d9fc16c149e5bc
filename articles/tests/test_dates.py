"""Dates as a news site shows them: the day and the time of publication, in the site's zone, and the
time of a correction ("更新" / "Updated"), each in a <time> whose datetime attribute is the whole moment."""

from datetime import UTC, datetime, timedelta

import pytest

from articles.models import Article
from articles.tests.factories import ArticleFactory, CategoryFactory
from articles.tests.html import Page

pytestmark = pytest.mark.django_db

# 00:05 UTC is 9:05 in Tokyo; the correction comes two days later, at 14:30 Tokyo time.
PUBLISHED = datetime(2026, 12, 8, 0, 5, 42, tzinfo=UTC)
REVISED = datetime(2026, 12, 10, 5, 30, 7, tzinfo=UTC)


@pytest.fixture
def corrected(settings):
    settings.TIME_ZONE = "Asia/Tokyo"
    section = CategoryFactory(name="地域", slug="chiiki")
    ArticleFactory(
        title="前日の記事", tags=["港"], categories=[section], published=PUBLISHED - timedelta(days=1)
    )
    article = ArticleFactory(title="港の記事", tags=["港"], categories=[section], published=PUBLISHED)
    Article.objects.filter(pk=article.pk).update(revised_at=REVISED, correction_note="数字を改めました。")
    return article


def times(client, url, **inside) -> list[tuple[str, str]]:
    """Each <time> of the page (inside the first element matching `inside`): (datetime, text)."""
    page = Page(client.get(url).content.decode())
    container = page.find(**inside)[0] if inside else None
    return [(time.attrs["datetime"], time.text) for time in page.find("time", inside=container)]


def test_an_article_shows_when_it_was_published_and_updated_to_the_minute(client, corrected):
    url = corrected.get_absolute_url()
    assert times(client, url, tag="p", class_="meta") == [
        ("2026-12-08T09:05:42+09:00", "2026年12月8日 9:05"),
        ("2026-12-10T14:30:07+09:00", "2026年12月10日 14:30"),
    ]
    meta = Page(client.get(url).content.decode()).find("p", class_="meta")[0].text
    assert "更新 2026年12月10日 14:30" in meta
    assert times(client, url, tag="aside", class_="correction") == [
        ("2026-12-10T14:30:07+09:00", "2026年12月10日 14:30")
    ]
    assert times(client, url, tag="section", class_="related") == [
        ("2026-12-07T09:05:42+09:00", "2026年12月7日 9:05")
    ]


def test_a_list_shows_each_articles_day_and_time(client, corrected):
    assert times(client, "/categories/chiiki/") == [
        ("2026-12-08T09:05:42+09:00", "2026年12月8日 9:05"),
        ("2026-12-07T09:05:42+09:00", "2026年12月7日 9:05"),
    ]


def test_an_uncorrected_article_shows_no_update(client, corrected):
    Article.objects.filter(pk=corrected.pk).update(revised_at=None, correction_note="")
    assert times(client, corrected.get_absolute_url(), tag="p", class_="meta") == [
        ("2026-12-08T09:05:42+09:00", "2026年12月8日 9:05")
    ]


def test_in_english_the_time_is_written_as_an_english_paper_writes_it(client, corrected):
    Article.objects.filter(pk=corrected.pk).update(language="en")  # its page is in English
    url = corrected.get_absolute_url()
    assert times(client, url, tag="p", class_="meta") == [
        ("2026-12-08T09:05:42+09:00", "December 8, 2026, 9:05 a.m."),
        ("2026-12-10T14:30:07+09:00", "December 10, 2026, 2:30 p.m."),
    ]
    meta = Page(client.get(url).content.decode()).find("p", class_="meta")[0].text
    assert "Updated December 10, 2026, 2:30 p.m." in meta


def test_times_follow_the_sites_zone(client, corrected, settings):
    settings.TIME_ZONE = "UTC"
    assert times(client, "/categories/chiiki/")[0] == ("2026-12-08T00:05:42+00:00", "2026年12月8日 0:05")


def test_an_english_site_lists_times_in_english(client, corrected, settings):
    settings.LANGUAGE_CODE = "en"
    assert times(client, "/categories/chiiki/")[0] == (
        "2026-12-08T09:05:42+09:00",
        "December 8, 2026, 9:05 a.m.",
    )
