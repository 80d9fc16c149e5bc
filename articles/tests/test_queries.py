"""Every public page and feed runs a fixed number of SQL queries, whatever the data size."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Byline, SitePage, Tag, TaggedArticle
from articles.tests.conftest import redis_cache_settings
from articles.tests.factories import ArticleFactory, AuthorFactory, CategoryFactory

pytestmark = pytest.mark.django_db

# url name -> (arguments, queries), with the page cache on (a miss) or off, at every data size.
# Every page: the public state (PublicChange.state(): Last-Modified; the menu, and the footer's site
# pages and years of the archives, are kept in the cache under it, read by the first page after a
# change); a list: a count, its page, and the page's bylines and tags (one query: ArticleQuerySet.links()).
BUDGETS = {
    # the state, the editors' picks, the newest, each section's newest (one query), their links
    "home": ((), 5),
    "latest": ((), 4),
    # the article, its bylines, tags and sections (one query), the previous and next, the related ones
    "detail": (None, 5),
    "author": (("reporter",), 5),  # + the owner
    "tag": (("港",), 5),
    "category": (("地域",), 5),
    # the state, a count, the page, its links (every month with articles is kept under the state, read
    # by the first page after a change for its footer's years)
    "archive_year": ((), 4),
    "archive_month": ((), 4),
    "feed": ((), 3),  # the state, the items, their bylines and tags
    "feed_atom": ((), 3),
    "author_feed": (("reporter",), 4),  # + the owner
    "author_feed_atom": (("reporter",), 4),
    "tag_feed": (("港",), 4),
    "tag_feed_atom": (("港",), 4),
    "category_feed": (("地域",), 4),
    "category_feed_atom": (("地域",), 4),
    # the state, a count of each part (articles, authors, tags, sections) with its newest lastmod
    "sitemap": ((), 5),
    "sitemap_section": (("articles",), 3),  # the state, a count for paging, the items
    "sitemap_section_tags": (("tags",), 3),
    "news_sitemap": ((), 2),  # the state, the articles
    "robots": ((), 1),  # the state
    # + the newest matches' ids (the count), the page (titles with every word first, tags and authors
    # inside), its bylines and tags (one query)
    "search": ((), 4),
    "site_page": (("about",), 2),  # the state, the page
    "manifest": ((), 1),  # the state
}


def build(size):
    """`size` published articles: three made one by one (two authors, two sections, three tags
    each), the rest generated in bulk (1–2 of 5 authors, 2–5 of 20 tags) and added to the same
    author, tag and section, so that every list is full and varied."""
    SitePage.objects.create(title="このサイトについて", slug="about", body="港町の**ニュース**。")
    reporter = AuthorFactory(slug="reporter")
    desk = AuthorFactory(slug="desk", is_desk=True)
    sections = [CategoryFactory(slug="地域"), CategoryFactory(slug="文化")]
    now = timezone.now()
    articles = [
        ArticleFactory(
            authors=[reporter, desk] if n % 2 else [desk, reporter],
            categories=sections,
            tags=["港", f"tag{n % 5}", "ＡＩ"],
            published=now - timedelta(hours=n + 1),
        )
        for n in range(3)
    ]
    # An editor's pick for the front page, and one whose time there has ended.
    Article.objects.filter(pk=articles[2].pk).update(feature=Article.Feature.LEAD)
    Article.objects.filter(pk=articles[0].pk).update(
        feature=Article.Feature.SECONDARY, featured_until=now - timedelta(minutes=1)
    )
    if size > 3:
        call_command("generate_articles", count=size - 3, stdout=StringIO(), stderr=StringIO())
        generated = Article.objects.exclude(pk__in=[a.pk for a in articles])
        port = Tag.objects.get(name="港")
        Byline.objects.bulk_create(
            (Byline(article=a, author=reporter, position=5) for a in generated), ignore_conflicts=True
        )
        TaggedArticle.objects.bulk_create(
            (TaggedArticle(content_object=a, tag=port) for a in generated), ignore_conflicts=True
        )
        Article.categories.through.objects.bulk_create(
            (Article.categories.through(article=a, category=sections[0]) for a in generated),
            ignore_conflicts=True,
        )
    return articles[1]


def url_for(name, args, middle):
    if name == "detail":
        return middle.get_absolute_url()
    if name.startswith("archive"):
        local = timezone.localtime(middle.published_at)
        args = (local.year,) if name == "archive_year" else (local.year, local.month)
    if name.startswith("sitemap_section"):
        return reverse("articles:sitemap_section", args=args)
    if name == "search":
        return reverse("articles:search") + "?q=港+ai"
    return reverse(f"articles:{name}", args=args)


@pytest.mark.parametrize("page_cache", ["local", "shared", "off"], ids=lambda mode: f"page-cache-{mode}")
@pytest.mark.parametrize("size", [3, 300])
def test_query_budgets(request, client, settings, size, page_cache):
    """Every public page and feed, at two data sizes and in every page-cache mode: the same number
    of queries, and with the page cache in local memory one more, when its keys were last purged
    (a page a change was purged during is not kept: caching.purged_since())."""
    settings.PAGE_CACHE_SECONDS = 0 if page_cache == "off" else 600
    if page_cache == "shared":
        settings.CACHES = redis_cache_settings(request.getfixturevalue("redis_server"))
    middle = build(size)
    client.get(reverse("articles:latest"), {"page": 1})  # the menu, kept under the public state
    counts = {}
    for name, (args, _budget) in BUDGETS.items():
        url = url_for(name, args, middle)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, url
        counts[name] = len(queries)
    more = 1 if page_cache == "local" else 0
    assert counts == {name: budget + more for name, (_args, budget) in BUDGETS.items()}


@pytest.mark.parametrize("size", [3, 300])
def test_a_search_of_eight_words_runs_four_queries(client, settings, size):
    settings.PAGE_CACHE_SECONDS = 0
    build(size)
    client.get(reverse("articles:latest"), {"page": 1})  # the menu, kept under the public state
    # In the text, a tag's name and an author's: the article built second has all eight.
    words = "港 ai 市議会 火曜日 記者 防波堤 tag1 承認"
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("articles:search"), {"q": words})
    assert len(response.context["words"]) == 8 and len(response.context["object_list"]) == 1
    assert len(queries) == 4  # the public state, the count, the page, its bylines and tags


def test_no_public_page_or_feed_runs_more_than_five_queries():
    assert {name: budget for name, (_args, budget) in BUDGETS.items() if budget > 5} == {}


def test_generate_articles_makes_realistic_public_articles(client):
    out = StringIO()
    call_command("generate_articles", count=40, stdout=out, stderr=StringIO())
    assert "40 article(s) created." in out.getvalue()
    articles = list(Article.objects.published().for_listing())
    assert len(articles) == 40
    assert all(1500 < len(a.body) < 10_000 and a.reading_time >= 2 and a.excerpt for a in articles)
    assert all(
        1 <= len(a.byline()) <= 2 and 2 <= len(a.tags.all()) <= 5 and a.categories.all() for a in articles
    )
    english = [a for a in articles if a.title.startswith("Report")]
    assert 5 <= len(english) <= 15
    response = client.get(articles[0].get_absolute_url())
    assert response.status_code == 200 and articles[0].title in response.content.decode()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner statistics")
def test_generate_articles_leaves_the_planner_statistics_of_what_it_wrote(db):
    call_command("generate_articles", count=30, stdout=StringIO(), stderr=StringIO())
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reltuples FROM pg_class WHERE relname IN (%s, %s)",
            [Article._meta.db_table, Byline._meta.db_table],
        )
        estimates = dict(cursor.fetchall())
    assert estimates == {
        Article._meta.db_table: Article.objects.count(),
        Byline._meta.db_table: Byline.objects.count(),
    }


@pytest.mark.django_db(transaction=True)
def test_generate_articles_writes_the_same_articles_with_worker_processes():
    """Outside a transaction the texts are written by forked workers: the same texts as one process writes."""

    def generated(jobs):
        call_command("generate_articles", count=30, jobs=jobs, seed=7, stdout=StringIO(), stderr=StringIO())
        rows = Article.objects.values_list("title", "body", "excerpt", "search_text", "reading_time")
        made = sorted(rows)
        Article.objects.all().delete()
        return made

    alone, together = generated(1), generated(2)
    assert len(alone) == 30 and alone == together
