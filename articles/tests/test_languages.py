"""Each article in its own language (Japanese or English) on a site in one of them: its page, list
items, feeds, and the link between an article and its translation."""

import re
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation

from articles import purges
from articles.models import Article
from articles.tests.conftest import run_import
from articles.tests.factories import ArticleFactory, CategoryFactory
from articles.tests.test_surrogate_keys import purged

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"
DC = "{http://purl.org/dc/elements/1.1/}"


@pytest.fixture
def pair():
    """A Japanese story and its English translation, both public."""
    moment = timezone.make_aware(datetime(2026, 3, 4, 9, 30))
    section = CategoryFactory(name="地域", slug="chiiki")
    japanese = ArticleFactory(
        title="港の朝市が20年目", body="朝市の話。", categories=[section], published=moment
    )
    english = ArticleFactory(
        title="The harbour market turns 20",
        body="The story of the market.",
        language="en",
        translation=japanese,
        published=moment + timedelta(hours=1),
    )
    return japanese, english


def test_an_english_article_page_is_english_on_a_japanese_site(client, pair):
    _japanese, english = pair
    html = client.get(english.get_absolute_url()).content.decode()
    assert '<html lang="en">' in html
    assert '<meta property="og:locale" content="en_US">' in html and '"inLanguage": "en"' in html
    assert "March 4, 2026" in html and "min read" in html  # its dates and words in English
    assert '<ul class="sections" lang="ja">' in html  # the site's menu, in the site's language


def test_a_japanese_article_stays_japanese(client, pair):
    japanese, _english = pair
    html = client.get(japanese.get_absolute_url()).content.decode()
    assert '<html lang="ja">' in html and '"inLanguage": "ja"' in html
    assert '<meta property="og:locale" content="ja_JP">' in html


def test_an_article_and_its_translation_link_to_each_other(client, pair):
    japanese, english = pair
    root = "http://testserver"
    for this, other in ((japanese, english), (english, japanese)):
        html = client.get(this.get_absolute_url()).content.decode()
        head = html.split("</head>")[0]
        url = other.get_absolute_url()
        assert f'<link rel="alternate" hreflang="{other.language}" href="{root}{url}">' in head
        assert (
            f'<link rel="alternate" hreflang="{this.language}" href="{root}{this.get_absolute_url()}">'
            in head
        )
        assert f'<a href="{url}" hreflang="{other.language}" lang="{other.language}">' in html
    assert "English: The harbour market turns 20" in client.get(japanese.get_absolute_url()).content.decode()
    assert "日本語: 港の朝市が20年目" in client.get(english.get_absolute_url()).content.decode()


def test_a_translation_that_is_not_public_is_not_linked(client, pair):
    japanese, english = pair
    Article.objects.filter(pk=english.pk).update(status=Article.Status.UNPUBLISHED)
    html = client.get(japanese.get_absolute_url()).content.decode()
    assert "hreflang" not in html and "The harbour market" not in html


def test_publishing_a_translation_purges_the_page_of_the_article_it_translates(
    pair, django_capture_on_commit_callbacks
):
    japanese, english = pair

    def retitle():
        with django_capture_on_commit_callbacks(execute=True):
            english.title = "The harbour market turns twenty"
            english.save()

    assert f"article-{japanese.pk}" in purged(retitle)
    assert purges._counterparts(japanese.pk) == [english.pk]


def test_the_desk_refuses_a_translation_in_the_same_language_or_already_paired(pair):
    japanese, _english = pair
    other = ArticleFactory(title="別の記事")
    other.translation = japanese
    with translation.override("en"):  # the messages as the code writes them
        with pytest.raises(ValidationError, match="both are in Japanese"):
            other.clean()
        other.language = "en"
        with pytest.raises(ValidationError, match="paired with another translation"):
            other.clean()
        japanese.translation = japanese
        with pytest.raises(ValidationError, match="its own translation"):
            japanese.clean()


def test_list_items_in_the_other_language_say_so(client, pair):
    japanese, english = pair
    html = client.get(reverse("articles:latest")).content.decode()
    # The headline and the excerpt, not the item: its date and reading time are in the site's words.
    assert html.count('lang="en"') == 2
    assert re.search(r'<h2 lang="en"><a href="[^"]+">The harbour market turns 20</a></h2>', html)
    assert '<p class="excerpt" lang="en">' in html and '<article class="summary' in html
    assert not re.search(r"<article[^>]*lang=", html)


def test_related_and_neighbouring_articles_in_the_other_language_say_so(client, pair):
    japanese, english = pair
    page = client.get(japanese.get_absolute_url()).content.decode()
    assert re.search(r'<span>次の記事</span> <span lang="en">The harbour market turns 20</span>', page)
    english_page = client.get(english.get_absolute_url()).content.decode()
    assert re.search(r'<span>Previous</span> <span lang="ja">港の', english_page)


def test_feed_items_carry_their_language(client, pair):
    rss = ET.fromstring(client.get(reverse("articles:feed")).content)  # noqa: S314 - our own output
    languages = {item.findtext("title"): item.findtext(f"{DC}language") for item in rss.iter("item")}
    assert languages == {"港の朝市が20年目": "ja", "The harbour market turns 20": "en"}
    atom = ET.fromstring(client.get(reverse("articles:feed_atom")).content)  # noqa: S314 - our own output
    entries = {
        entry.findtext(f"{ATOM}title"): entry.get("{http://www.w3.org/XML/1998/namespace}lang")
        for entry in atom.iter(f"{ATOM}entry")
    }
    assert entries == {"港の朝市が20年目": "ja", "The harbour market turns 20": "en"}


def test_new_articles_are_in_the_sites_language(settings):
    assert ArticleFactory().language == "ja"
    settings.LANGUAGE_CODE = "en"
    assert Article().language == "en"


def test_the_english_article_is_listed_with_its_section(client, pair):
    _japanese, english = pair
    section = CategoryFactory(name="地域", slug="local")
    english.categories.add(section)
    html = client.get(section.get_absolute_url()).content.decode()
    assert 'lang="en"' in html and "The harbour market turns 20" in html


POST = """---
title: The harbour market turns 20
date: 2026-03-04 09:30:00 +0900
author: Hanako Sato
lang: {lang}
---

The story of the market.
"""


def test_import_and_export_carry_the_language(chief, tmp_path):
    (tmp_path / "in").mkdir()
    source = tmp_path / "in" / "2026-03-04-market.md"
    source.write_text(POST.format(lang="en-US"), encoding="utf-8")
    code, out, err = run_import(source)
    assert code == 0, err
    article = Article.objects.get()
    assert article.language == "en"
    call_command("export_posts", str(tmp_path / "out"), stdout=StringIO(), stderr=StringIO())
    exported = next((tmp_path / "out").glob("*.md")).read_text(encoding="utf-8")
    assert "\nlang: en\n" in exported
    # Imported again, the exported file changes nothing.
    code, out, _err = run_import(tmp_path / "out")
    assert code == 0 and "1 unchanged" in out


def test_an_unknown_language_is_refused_by_name(chief, tmp_path):
    source = tmp_path / "2026-03-04-market.md"
    source.write_text(POST.format(lang="fr"), encoding="utf-8")
    code, _out, err = run_import(source)
    assert code != 0 and "'lang' must be one of en, ja, not 'fr'" in err
    assert not Article.objects.exists()
