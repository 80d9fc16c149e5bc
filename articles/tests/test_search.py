"""Search: Japanese words of two characters and more, English, tags and authors; ranked, paged, marked."""

import re
from datetime import timedelta
from html import unescape

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from articles.tests.factories import ArticleFactory, AuthorFactory
from articles.tests.html import Page

pytestmark = pytest.mark.django_db
URL = reverse("articles:search")


def titles(response) -> list[str]:
    """The titles of the results the page shows, in order."""
    found = re.findall(
        r'<article class="summary">\s*<h2><a href="[^"]*">(.*?)</a></h2>', response.content.decode()
    )
    return [unescape(title.replace("<wbr>", "")) for title in found]  # <wbr>: between phrases


def published(title, body, *, hours_ago=1, **fields):
    return ArticleFactory(
        title=title, body=body, published=timezone.now() - timedelta(hours=hours_ago), **fields
    )


@pytest.fixture
def archive():
    published("データセンターに巨額投資", "AI企業が米国に新しい施設を建てる。", hours_ago=5)
    published("港の朝市", "朝市の出店者が増え、地元への投資も進む。", hours_ago=1)
    published("Harbour wall approved", "The council approved the Harbour Wall plan on Tuesday.", hours_ago=3)
    published("投資信託の話", "これは下書きではない。", hours_ago=10, tags=["資産運用"])
    ArticleFactory(title="下書きの投資記事", body="公開前の投資の話。")


def test_a_two_character_japanese_word_is_found_in_titles_and_bodies(client, archive):
    response = client.get(URL, {"q": "投資"})
    assert response.status_code == 200
    # Title matches first (newest first among them), then the rest by recency; drafts never.
    assert titles(response) == ["データセンターに巨額投資", "投資信託の話", "港の朝市"]


def test_longer_words_english_any_case_and_full_width_are_found(client, archive):
    assert titles(client.get(URL, {"q": "データセンター"})) == ["データセンターに巨額投資"]
    assert titles(client.get(URL, {"q": "harbour WALL"})) == ["Harbour wall approved"]
    assert titles(client.get(URL, {"q": "ＡＩ"})) == ["データセンターに巨額投資"]


def test_every_word_must_be_there(client, archive):
    assert titles(client.get(URL, {"q": "投資 朝市"})) == ["港の朝市"]
    assert titles(client.get(URL, {"q": "投資　米国"})) == ["データセンターに巨額投資"]  # a full-width space


def test_tags_and_author_names_are_searched(client, archive):
    assert titles(client.get(URL, {"q": "資産運用"})) == ["投資信託の話"]
    published("市長に聞く", "本文。", authors=[AuthorFactory(name="ALLFORCES編集部", is_desk=True)])
    assert titles(client.get(URL, {"q": "allforces"})) == ["市長に聞く"]


def test_the_matched_words_are_marked_in_the_excerpt(client, archive):
    html = client.get(URL, {"q": "投資 朝市"}).content.decode()
    assert '<p class="excerpt"><mark>朝市</mark>の出店者が増え、地元への<mark>投資</mark>も進む。</p>' in html
    assert 'value="投資 朝市"' in html and '<meta name="robots" content="noindex, follow">' in html


def test_marks_follow_width_and_case_without_letting_markup_in(client):
    published("<b>ＡＩ</b> と ai", "本文。", excerpt="<b>ＡＩ</b>とAiの話")
    html = client.get(URL, {"q": "ai"}).content.decode()
    assert "&lt;b&gt;<mark>ＡＩ</mark>&lt;/b&gt;と<mark>Ai</mark>の話" in html


def test_results_are_paged_and_the_pages_keep_the_query(client, settings):
    for n in range(25):
        published(f"投資の記事 {n}", "本文。", hours_ago=n + 1)
    first = client.get(URL, {"q": "投資"})
    html = first.content.decode()
    assert len(titles(first)) == 20 and "「投資」を含む記事は 25 件です。" in html
    assert 'href="/search/?q=%E6%8A%95%E8%B3%87&amp;page=2"' in html
    second = client.get(URL, {"q": "投資", "page": 2})
    assert len(titles(second)) == 5


@pytest.mark.parametrize(
    "query",
    ["", "   ", "a", "!!!", "x" * 500, "投資\x00", "%", "_", "' OR 1=1 --", "<script>alert(1)</script>"],
)
def test_empty_or_absurd_queries_get_a_friendly_page(client, archive, query):
    response = client.get(URL, {"q": query})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="notice"' in html or 'class="result-count"' in html
    assert "<script>alert(1)</script>" not in html


def test_like_wildcards_are_plain_characters(client, archive):
    published("100%の力", "本文。")
    assert titles(client.get(URL, {"q": "100%"})) == ["100%の力"]
    assert titles(client.get(URL, {"q": "%%"})) == []


def test_search_follows_each_edit_of_title_excerpt_and_body(client):
    article = published("Harbour wall approved", "The ferry sails again.")
    article.title = "Lighthouse repaired"
    article.save()
    assert titles(client.get(URL, {"q": "lighthouse"})) == ["Lighthouse repaired"]
    assert titles(client.get(URL, {"q": "harbour"})) == []
    article.excerpt = "Seagulls return to the pier."
    article.save()
    assert titles(client.get(URL, {"q": "seagulls"})) == ["Lighthouse repaired"]
    article.body = "The tram runs again."
    article.save()
    assert titles(client.get(URL, {"q": "tram"})) == ["Lighthouse repaired"]
    assert titles(client.get(URL, {"q": "ferry"})) == []


def test_a_change_of_status_leaves_search_as_it_was(client, monkeypatch):
    from articles.text import rendering

    article = published("Harbour wall approved", "The ferry sails again.")
    kept = Article.objects.values_list("search_text", "search_title").get(pk=article.pk)
    loaded = Article.objects.get(pk=article.pk)
    loaded.status = Article.Status.UNPUBLISHED

    def not_again(*texts, **options):
        raise AssertionError("the search text was worked out again for a change of status")

    monkeypatch.setattr(rendering, "article_searchable", not_again)
    monkeypatch.setattr(rendering, "searchable", not_again)
    loaded.save()
    assert Article.objects.values_list("search_text", "search_title").get(pk=article.pk) == kept
    assert " ferry " in kept[0] and kept[1] == " harbour wall approved "


def test_latin_words_match_whole_words_only(client):
    published("Ferry news", "The captain said the ferry would sail again.")
    published("AI企業の話", "生成AIの導入が進む。")
    assert titles(client.get(URL, {"q": "ai"})) == ["AI企業の話"]
    html = client.get(URL, {"q": "the"}).content.decode()
    assert "wea<mark>the</mark>r" not in html


def test_titles_rank_first_whatever_their_width_or_case(client):
    published("港町タイムズの生成ＡＩ利用方針", "方針を定めた。", hours_ago=9)
    published("ランタン祭り", "AIの話も出た。", hours_ago=1)
    published("Straße", "Ein Text.", hours_ago=8)
    published("Neuer Text", "Die straße ist lang.", hours_ago=2)
    assert titles(client.get(URL, {"q": "ai"})) == ["港町タイムズの生成ＡＩ利用方針", "ランタン祭り"]
    assert titles(client.get(URL, {"q": "STRASSE"}))[0] == "Straße"


def test_author_names_are_folded_too(client):
    published("取材班の記事", "本文。", authors=[AuthorFactory(name="ＮＨＫ取材班")])
    published("ゾラの記事", "本文。", authors=[AuthorFactory(name="Émile Zola")])
    assert titles(client.get(URL, {"q": "nhk"})) == ["取材班の記事"]
    assert titles(client.get(URL, {"q": "ÉMILE"})) == ["ゾラの記事"]


def test_marks_follow_half_width_kana_and_combining_marks(client):
    published("ガイド", "本文。", excerpt="ｶﾞｲﾄﾞブックとﾃﾞｰﾀの話、e\u0301cole")
    html = client.get(URL, {"q": "ガイド データ"}).content.decode()
    assert "<mark>ｶﾞｲﾄﾞ</mark>ブックと<mark>ﾃﾞｰﾀ</mark>の話" in html


def test_control_characters_never_reach_the_page(client, archive):
    html = client.get(URL, {"q": "投資\x00x"}).content.decode()
    assert "\x00" not in html and 'value="投資 x"' in html


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the search indexes are PostgreSQL's")
@pytest.mark.parametrize(
    ("word", "index"),
    [
        ("投資", "article_search_grams"),
        ("データセンター", "article_search_grams"),
        ("harbour", "article_search_words"),
    ],
)
def test_postgresql_can_answer_from_the_search_indexes(word, index):
    from articles.site import search

    published("データセンターに巨額投資", "AI企業が米国に新しい施設を建てる。")
    query = search.having(Article.objects.order_by(), [word]).values("pk")
    # With reading the table, or walking another index, ruled out: the search index is what is left.
    assert index in _plan(query, "SET LOCAL enable_seqscan = off; SET LOCAL enable_indexscan = off")


def test_words_find_exactly_the_articles_whose_text_and_title_have_them():
    """On PostgreSQL the grams and words indexes answer: they find what reading each text and title finds."""
    from io import StringIO

    from django.core.management import call_command

    from articles.site import search

    call_command("generate_articles", count=300, stdout=StringIO(), stderr=StringIO())
    texts = dict(Article.objects.published().values_list("pk", "search_text"))
    titles = dict(Article.objects.published().values_list("pk", "search_title"))
    for word in ("投資", "港", "会合", "of", "ai", "市議会", "投資計画", "council", "harbour", "第"):
        needle = f" {word} " if word.isascii() else word
        expected = {pk for pk, text in texts.items() if needle in text}
        found = set(search.matching(Article.objects.published(), [word]).values_list("pk", flat=True))
        assert found == expected, word
        in_title = {pk for pk, title in titles.items() if needle in title}
        titled = search.matching(Article.objects.published(), [word]).filter(in_title=1)
        assert set(titled.values_list("pk", flat=True)) == in_title, word
    assert any(" of " in text for text in texts.values())  # the Latin case is not empty


def test_grams_are_the_pieces_of_each_word():
    from articles.text.rendering import grams

    found = set(grams(" 投資 said x ").split())
    assert found == {"'投資'", "'投'", "'資'", "'sa'", "'ai'", "'id'"}  # quoted lexemes of a tsvector


def test_words_are_the_latin_words_whole_and_the_titles_pieces_marked():
    from articles.text.rendering import words

    found = set(words(" 港 投資 said x 12 harbour ", " 港 投資 harbour ").split())
    whole = {"'said'", "'12'", "'harbour'"}
    assert found == whole | {"'#harbour'", "'#港'", "'#投資'", "'#投'", "'#資'"}


def test_pages_follow_titles_first_then_the_newest_whatever_their_age():
    """Titled matches first however old, then the others newest first, page after page."""
    from articles.site import search

    for n in range(45):  # every fifth has the word in its title; the oldest are titled
        titled = n % 5 == 0 or n > 40
        published(f"{'港の' if titled else ''}記事 {n}", "港の話。", hours_ago=n + 1, slug=f"port-{n}")
    expected = [f"港の記事 {n}" for n in range(45) if n % 5 == 0 or n > 40]
    expected += [f"記事 {n}" for n in range(45) if not (n % 5 == 0 or n > 40)]
    counted = search.Results(["港"])
    assert counted.count_up_to(501) == 45
    pages = [counted[start : start + 20] for start in (0, 20, 40)]
    assert [article.title for page in pages for article in page] == expected
    assert [a.title for a in search.Results(["港"])[20:40]] == expected[20:40]  # not counted first


def _plan(query, setup: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(setup)
        sql, params = query.query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_the_search_page_has_one_search_box_its_own_with_the_query_in_it(client, archive):
    page = Page(client.get(URL, {"q": "投資 朝市"}).content.decode())
    [form] = page.find("form", role="search")
    [box] = page.find("input", inside=form, type="search")
    assert form.attrs["class"] == "search-form search-page" and box.attrs["value"] == "投資 朝市"
    assert page.find("label", **{"for": box.attrs["id"]})[0].text == "検索する言葉"
    # Every other page has the header's.
    home = Page(client.get(reverse("articles:latest")).content.decode())
    assert [form.attrs["class"] for form in home.find("form", role="search")] == ["search-form"]
