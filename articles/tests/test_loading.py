"""What public pages load around an article (loading.py) is what the ORM would give."""

import time

import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections

from articles.models import Article

from .factories import ArticleFactory, AuthorFactory, CategoryFactory

pytestmark = pytest.mark.django_db


def test_loaded_bylines_tags_and_sections_match_the_orm_in_groups_within_the_parameter_limit(monkeypatch):
    desk = AuthorFactory(name="編集部", slug="desk", is_desk=True, bio="地域の**ニュース**")
    sections = [CategoryFactory(name="地域", slug="chiiki"), CategoryFactory(name="文化", slug="bunka")]
    made = [
        ArticleFactory(
            authors=[AuthorFactory(name=f"記者{n}", slug=f"r{n}"), desk][:: 1 if n % 2 else -1],
            categories=sections[: n % 3],
            tags=[f"tag{n}", "港", "AI"][: 1 + n % 3],
            published=True,
        )
        for n in range(7)
    ]
    # Three ids a group: attach() reads these seven articles in three queries.
    monkeypatch.setattr(connection.features, "max_query_params", 9)
    loaded = {article.pk: article for article in Article.objects.for_listing()}
    assert len(loaded) == 7
    for article in made:
        fresh = Article.objects.get(pk=article.pk)
        shown = loaded[article.pk]
        assert [(a.pk, a.name, a.slug, a.is_desk) for a in shown.byline()] == [
            (a.pk, a.name, a.slug, a.is_desk) for a in fresh.byline()
        ]
        assert [(t.pk, t.name, t.slug) for t in shown.tag_list()] == [
            (t.pk, t.name, t.slug) for t in fresh.tags.order_by("name")
        ]
        assert [(c.pk, c.name) for c in shown.sections()] == [(c.pk, c.name) for c in fresh.categories.all()]


def test_a_loaded_author_reads_any_other_field_from_the_database(django_assert_num_queries):
    author = AuthorFactory(name="編集部", slug="desk", bio="地域の**ニュース**")
    ArticleFactory(authors=[author], published=True)
    shown = Article.objects.for_listing().get().byline()[0]
    with django_assert_num_queries(1):
        assert shown.bio_html == author.bio_html and "<strong>ニュース</strong>" in shown.bio_html


def _plans(client, path: str) -> dict[str, list[str]]:
    """Each query of a page with SQLite's plan for it."""
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    plans = {}
    with connection.cursor() as cursor:
        for query in queries.captured_queries:
            cursor.execute(f"EXPLAIN QUERY PLAN {query['sql']}")
            plans[query["sql"]] = [row[3] for row in cursor.fetchall()]
    return plans


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's plans (PostgreSQL's: bench/run.py)")
def test_on_sqlite_related_articles_are_counted_from_the_tag_links_index_alone(client):
    author = AuthorFactory(name="港町太郎", slug="taro")
    articles = [
        ArticleFactory(tags=["港", "市政"], authors=[author], body="本文。" * 2000, published=True)
        for _ in range(5)
    ]
    plans = _plans(client, articles[2].get_absolute_url())
    (related,) = [plan for sql, plan in plans.items() if "shared_tags" in sql]
    # Each tag's window of public articles, newest first, from the links' copy of their state.
    windows = [step for step in related if " ta " in step]
    assert len(windows) == 2 and all("COVERING INDEX tagged_public_idx" in step for step in windows), related
    # Only the chosen few are read from the articles table, by their key.
    assert [step for step in related if " a " in step] == ["SEARCH a USING INTEGER PRIMARY KEY (rowid=?)"], (
        related
    )


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's plans (PostgreSQL's: bench/run.py)")
def test_on_sqlite_an_owners_page_reads_a_page_of_its_links_in_order_from_their_index(client):
    """Joined to the articles, an owner's list walked the archive from the newest article, or sorted
    all of the owner's. Its links carry their article's state (linkstate.py): their index gives the
    page in order, for an owner of few old articles as for one of many new ones."""
    from datetime import timedelta

    from django.utils import timezone

    old = timezone.now() - timedelta(days=3000)
    author, section = AuthorFactory(slug="guest"), CategoryFactory(slug="old-column")
    article = ArticleFactory(authors=[author], categories=[section], tags=["昔話"], published=old)
    ArticleFactory.create_batch(3, authors=[author], categories=[section], tags=["昔話"], published=True)
    paths = [author.get_absolute_url(), section.get_absolute_url(), article.tag_list()[0].get_absolute_url()]
    for path, index in zip(
        paths, ["byline_public_idx", "section_public_idx", "tagged_public_idx"], strict=True
    ):
        plans = _plans(client, path).items()
        (listed,) = [plan for sql, plan in plans if " IN (SELECT o." in sql]
        inner = [step for step in listed if " o " in step]
        assert inner == [
            f"SEARCH o USING COVERING INDEX {index} (author_id=? AND article_status=? AND "
            f"article_published_at<?)".replace("author_id", _owner_column(index))
        ], listed
        # A page's few rows, read again for their links, are the only ones scanned.
        scans = [
            step
            for step in listed
            if step.startswith("SCAN") and step != "SCAN chosen" and not step.startswith("SCAN (subquery-")
        ]
        assert not scans and not any("article_public_idx" in step for step in listed), "\n".join(listed)
        counts = [plan for sql, plan in plans if sql.startswith("SELECT COUNT(*)")]
        assert counts
        for count in counts:
            assert any(f"COVERING INDEX {index}" in step for step in count), count


def _owner_column(index: str) -> str:
    return {"byline_public_idx": "author_id", "section_public_idx": "category_id"}.get(index, "tag_id")


def test_public_lists_and_the_article_by_slug_are_what_the_orm_gives():
    from datetime import timedelta

    from django.utils import timezone

    from articles.loading import PublicList
    from articles.models import Tag

    now = timezone.now()
    author, section = AuthorFactory(name="港町太郎", slug="taro"), CategoryFactory(name="地域", slug="chiiki")
    for n in range(9):
        ArticleFactory(
            authors=[author] if n % 2 else [],
            categories=[section] if n % 3 else [],
            tags=["港"] if n % 4 else ["市政"],
            published=now - timedelta(hours=n % 5),  # ties in time: the id decides
        )
    draft = ArticleFactory(authors=[author], tags=["港"], categories=[section])
    scheduled = ArticleFactory(
        authors=[author], tags=["港"], categories=[section], published=now + timedelta(days=1)
    )
    public = Article.objects.published().for_listing()
    tag = Tag.objects.get(name="港")
    for owner, expected in [
        (None, public),
        (author, public.by_author(author)),
        (tag, public.tagged(tag)),
        (section, public.in_category(section)),
    ]:
        for fields in (PublicList.SUMMARY_FIELDS, Article.SHOWN_FIELDS):
            listed = PublicList(owner, fields=fields)
            assert listed.count_up_to(100) == expected.count()
            assert [a.pk for a in listed[0:100]] == [a.pk for a in expected]
            assert [a.pk for a in listed[2:5]] == [a.pk for a in expected[2:5]]
            # Not counted first, or counted not far enough to tell: it counts itself.
            assert [a.pk for a in PublicList(owner, fields=fields)[1:4]] == [a.pk for a in expected[1:4]]
            counted_short = PublicList(owner, fields=fields)
            counted_short.count_up_to(2)
            assert [a.pk for a in counted_short[0:3]] == [a.pk for a in expected[0:3]]
        # Each listed article's links, read in the list's own query, as the ORM gives them.
        for article in PublicList(owner)[0:100]:
            fresh = Article.objects.get(pk=article.pk)
            assert [a.pk for a in article.byline()] == [a.pk for a in fresh.byline()]
            assert [t.pk for t in article.tag_list()] == [t.pk for t in fresh.tags.order_by("name")]
            assert [c.pk for c in article.sections()] == [c.pk for c in fresh.categories.all()]
    shown = PublicList(fields=Article.SHOWN_FIELDS)
    first = public[0]
    found = shown.with_slug(first.slug)
    assert (found.pk, found.body_html, [a.pk for a in found.byline()]) == (
        first.pk,
        first.body_html,
        [a.pk for a in first.byline()],
    )
    # Each value as the ORM gives it, converted alike (SQLite keeps dates and UUIDs as text).
    for name in Article.SHOWN_FIELDS:
        mine, theirs = getattr(found, name), getattr(first, name)
        assert (type(mine), mine) == (type(theirs), theirs), name
    assert found.published_at.utcoffset() is not None
    for hidden in (draft.slug, scheduled.slug, "no-such-slug"):
        assert shown.with_slug(hidden) is None


def test_the_article_by_slug_comes_with_its_byline_tags_and_sections_in_one_query(django_assert_num_queries):
    """with_slug() reads the article and its links in one statement, in the orders attach() gives."""
    from articles.loading import PublicList

    sections = [CategoryFactory(name="文化", slug="bunka"), CategoryFactory(name="地域", slug="chiiki")]
    authors = [
        AuthorFactory(name="港町花子", slug="hanako"),
        AuthorFactory(name="Desk", slug="desk", is_desk=True),
    ]
    linked = ArticleFactory(authors=authors, tags=["港", "AI", "市政"], categories=sections, published=True)
    bare = ArticleFactory(tags=[], categories=[], published=True)
    bare.bylines.all().delete()  # the factory gives every article an author
    fresh = Article.objects.get(pk=linked.pk)
    byline = [(a.pk, a.name, a.slug, a.is_desk) for a in fresh.byline()]
    tags = [(t.pk, t.name, t.slug) for t in fresh.tags.order_by("name")]
    in_sections = [(c.pk, c.name, c.slug) for c in fresh.categories.all()]
    with django_assert_num_queries(2):  # one an article; reading its links is free
        found = PublicList(fields=Article.SHOWN_FIELDS).with_slug(linked.slug)
        alone = PublicList(fields=Article.SHOWN_FIELDS).with_slug(bare.slug)
        assert [(a.pk, a.name, a.slug, a.is_desk) for a in found.byline()] == byline
        assert [(t.pk, t.name, t.slug) for t in found.tag_list()] == tags
        assert [(c.pk, c.name, c.slug) for c in found.sections()] == in_sections
        assert (alone.pk, alone.byline(), alone.tag_list(), alone.sections()) == (bare.pk, [], [], [])
    assert [a.name for a in found.byline()] == ["港町花子", "Desk"]


def test_an_owner_is_what_the_orm_gives_value_by_value():
    from articles.loading import owner
    from articles.models import Author, Category, Tag

    author = AuthorFactory(name="佐藤 花子", slug="佐藤", bio="**記者**です。", is_desk=False)
    section = CategoryFactory(name="経済", slug="経済")
    ArticleFactory(tags=["防災"], authors=[author], categories=[section])
    for model, slug in [(Author, "佐藤"), (Category, "経済"), (Tag, Tag.objects.get().slug)]:
        mine, theirs = owner(model, slug), model.objects.get(slug=slug)
        for field in model._meta.concrete_fields:
            assert getattr(mine, field.attname) == getattr(theirs, field.attname), field.name
        assert (mine.pk, str(mine), mine.get_absolute_url()) == (
            theirs.pk,
            str(theirs),
            theirs.get_absolute_url(),
        )
        assert owner(model, slug + "-x") is None


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's prepared statements")
def test_on_postgresql_the_public_pages_statements_are_prepared_and_planned_once(client, settings):
    """Each query of the home, article and author pages is prepared on the connection and planned
    once for any values; search's, whose best plan depends on the words, is not."""
    author = AuthorFactory(slug="reporter")
    articles = [ArticleFactory(authors=[author], tags=["港", "市政"], published=True) for _ in range(3)]
    pages = ["/", articles[1].get_absolute_url(), author.get_absolute_url(), "/search/?q=港"]
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")  # psycopg sees it, and prepares again what it had
    settings.PAGE_CACHE_SECONDS = 0
    for _ in range(3):
        for page in pages:
            assert client.get(page).status_code == 200
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements")
        prepared = {statement: (generic, custom) for statement, generic, custom in cursor.fetchall()}
    assert prepared
    assert all(custom == 0 and generic >= 1 for generic, custom in prepared.values()), prepared
    statements = list(prepared)
    for part in [
        "FROM articles_publicchange",  # the Last-Modified check
        "json_build_array(id, name, slug) ORDER BY name) FROM articles_category",  # the menu's sections
        "AS kind",  # bylines, tags and sections
        "FROM articles_author WHERE slug = $1",  # the author of the author page
        "a.slug = $",  # the article of the article page
        "shared_tags",  # the related articles
        "FROM articles_byline o WHERE o.author_id = $1",  # the author's list
    ]:
        assert any(part in statement for statement in statements), (part, statements)
    assert not any("LIKE" in statement or "similarity" in statement for statement in statements)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's result formats")
def test_on_postgresql_the_public_pages_results_come_in_binary(db):
    """Text, times and numbers as PostgreSQL keeps them, not written out as text by the server and
    read back by the client (bytea's text form is hex, twice its size)."""
    from articles import loading

    with loading.cursor() as cursor:
        cursor.execute(
            "SELECT convert_to(%s, 'UTF8'), %s::timestamptz, %s", ["本文", "2026-12-07T00:00:00Z", 1]
        )
        assert cursor.cursor.pgresult.fformat(0) == 1  # binary
        body, moment, number = cursor.fetchone()
    assert body == "本文".encode() and moment.isoformat() == "2026-12-07T00:00:00+00:00" and number == 1


def test_without_prepared_statements_the_pages_read_as_django_does(client, monkeypatch):
    """PREPARED_STATEMENTS=0 (no prepare_threshold in OPTIONS): the cursor is Django's own."""
    from articles import loading

    monkeypatch.delitem(connection.settings_dict["OPTIONS"], "prepare_threshold", raising=False)
    with loading.cursor() as cursor:
        assert type(cursor.cursor).__name__ != "PreparedCursor"
    article = ArticleFactory(published=True, title="準備なしの記事")
    assert "準備なしの記事" in client.get(article.get_absolute_url()).content.decode()


@pytest.fixture
def kept_connection(monkeypatch):
    """The connection as a request finds it when it was kept from an earlier one, health checks on."""
    kept = connections[DEFAULT_DB_ALIAS]
    kept.ensure_connection()
    monkeypatch.setattr(kept, "health_check_enabled", True)
    checks = []
    usable = kept.is_usable
    monkeypatch.setattr(kept, "is_usable", lambda: checks.append("SELECT 1") or usable())

    def new_request():
        kept.health_check_done = False  # as Django leaves it at the start of each request
        checks.clear()
        return checks

    return new_request


@pytest.mark.parametrize("page_cache", [600, 0], ids=["page-cache", "no-page-cache"])
@pytest.mark.django_db(transaction=True)
def test_a_public_page_checks_a_kept_connection_with_its_own_first_query(
    client, kept_connection, settings, page_cache
):
    # With the page cache (local memory), the first query is the state the cache asks for; without,
    # the page's own (its article, which brings the state).
    settings.PAGE_CACHE_SECONDS = page_cache
    article = ArticleFactory(published=True, title="確かめる記事")
    checks = kept_connection()
    assert "確かめる記事" in client.get(article.get_absolute_url()).content.decode()
    assert checks == []  # no round trip of its own
    # Any other first query is checked by Django, as before.
    checks = kept_connection()
    assert Article.objects.count() == 1
    assert checks == ["SELECT 1"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL server process to end")
@pytest.mark.parametrize("page_cache", [600, 0], ids=["page-cache", "no-page-cache"])
@pytest.mark.django_db(transaction=True)
def test_on_postgresql_a_public_page_reconnects_when_its_kept_connection_is_gone(
    client, kept_connection, settings, page_cache
):
    import psycopg

    settings.PAGE_CACHE_SECONDS = page_cache
    article = ArticleFactory(published=True, title="再接続の記事")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (gone,) = cursor.fetchone()
    with psycopg.connect(**connection.get_connection_params(), autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [gone])
        while other.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [gone]).fetchone():
            time.sleep(0.01)
    checks = kept_connection()
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200 and "再接続の記事" in response.content.decode()
    assert checks == ["SELECT 1"]  # asked only once the page's first query had failed
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] != gone


def test_a_public_list_brings_the_public_state_as_its_own_statement_reads_it():
    """carrying_state(): the first PublicList statement of a request reads PublicChange.state() in
    the same statement (the times, and the sections in the menu's order), and only the first."""
    from datetime import timedelta

    from django.utils import timezone

    from articles.loading import PublicList, carrying_state
    from articles.models import Category, PublicChange

    author = AuthorFactory(slug="reporter")
    shown_sections = [
        CategoryFactory(name=name, slug=slug)
        for name, slug in [
            ("文化", "bunka"),
            ("Zoo", "zoo"),
            ("abc", "abc"),
            ("地域", "chiiki"),
            ("Ａ", "a-wide"),
        ]
    ]
    published = [
        ArticleFactory(authors=[author], tags=["港"], categories=shown_sections[n::3], published=True)
        for n in range(3)
    ]
    # A section of a scheduled article alone, and one of none: not in the menu.
    scheduled = ArticleFactory(
        authors=[author],
        categories=[CategoryFactory(name="予定", slug="yotei")],
        published=timezone.now() + timedelta(hours=2),
    )
    CategoryFactory(name="空", slug="kara")
    expected = PublicChange.state()
    changed_at, released, upcoming, sections = expected
    assert changed_at == PublicChange.objects.get().changed_at
    assert released == max(article.published_at for article in published)
    assert upcoming == scheduled.published_at
    in_menu = Category.objects.filter(pk__in=Article.objects.published().values("categories"))
    assert [(c.pk, c.name, c.slug) for c in sections] == [(c.pk, c.name, c.slug) for c in in_menu]
    assert len(sections) == 5

    def shown(state):
        *times, sections = state
        return (*times, [(c.pk, c.name, c.slug) for c in sections])

    tag = published[0].tags.get()
    readers = {
        "a page of the home list": lambda: PublicList()[0:10],
        "an author's list": lambda: PublicList(author)[0:10],
        "a tag's list": lambda: PublicList(tag)[0:10],
        "an article": lambda: PublicList(fields=Article.SHOWN_FIELDS).with_slug(published[1].slug),
    }
    for what, read in readers.items():
        brought = []
        with carrying_state(brought.append):
            first = read()
            read()
        assert [shown(state) for state in brought] == [shown(expected)], what
        assert ids(first) == ids(read()), what  # and the articles are those read without it


def ids(found) -> list:
    """What a PublicList read, to compare: the ids of its articles."""
    return [item.pk for item in found] if isinstance(found, list) else [found.pk]
