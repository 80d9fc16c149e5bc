"""Surrogate keys: each public response names what it shows, and each change purges exactly what it
touches, in the app's page cache and at the edge."""

import http.server
import threading
import time
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from articles import caching
from articles.desk import workflow
from articles.models import PurgedKey
from articles.tests.factories import ArticleFactory, AuthorFactory, CategoryFactory
from newsroom import edge

pytestmark = pytest.mark.django_db


def carried(response) -> set[str]:
    assert response["xkey"] == response["Surrogate-Key"]
    return set(response["Surrogate-Key"].split())


@pytest.fixture
def desk():
    """Three public articles an hour apart, the middle one with its author, tag and section; a
    fourth by someone else, on another subject, a day earlier."""
    now = timezone.now()
    author = AuthorFactory(name="佐藤 花子", slug="sato")
    section = CategoryFactory(name="地域", slug="chiiki")
    other = CategoryFactory(name="経済", slug="keizai")
    elsewhere = ArticleFactory(
        title="円相場の話", tags=["為替"], categories=[other], published=now - timedelta(days=1)
    )
    before = ArticleFactory(
        title="前の記事", tags=["港"], categories=[section], published=now - timedelta(hours=3)
    )
    middle = ArticleFactory(
        title="真ん中の記事",
        authors=[author],
        tags=["港"],
        categories=[section],
        published=now - timedelta(hours=2),
    )
    after = ArticleFactory(
        title="後の記事", tags=["港"], categories=[section], published=now - timedelta(hours=1)
    )
    return {"before": before, "middle": middle, "after": after, "elsewhere": elsewhere, "author": author}


def ids(*articles) -> set[str]:
    return {f"article-{article.pk}" for article in articles}


def test_an_article_page_names_itself_its_neighbours_and_related_articles(client, desk):
    middle = desk["middle"]
    response = client.get(middle.get_absolute_url())
    shown = carried(response)
    assert ids(desk["before"], middle, desk["after"]) <= shown  # previous, itself, next (and related)
    assert {f"around-{middle.pk}", "menu", "all"} <= shown
    assert f"article-{desk['elsewhere'].pk}" not in shown
    # The lists it links to are not what it shows.
    assert not {"home", "feed", f"author-{desk['author'].pk}"} & shown


def test_lists_name_the_list_and_every_article_on_it(client, desk):
    author, middle = desk["author"], desk["middle"]
    section = middle.categories.get()
    tag = middle.tags.get()
    local = timezone.localtime(middle.published_at)
    everyone = ids(desk["before"], middle, desk["after"], desk["elsewhere"])
    expected = {
        reverse("articles:home"): {"home", "menu", *everyone},
        author.get_absolute_url(): {f"author-{author.pk}", "menu", *ids(middle)},
        reverse("articles:tag", args=[tag.slug]): {
            f"tag-{tag.pk}",
            *ids(desk["before"], middle, desk["after"]),
        },
        section.get_absolute_url(): {f"section-{section.pk}", *ids(desk["before"], middle, desk["after"])},
        reverse("articles:archive_month", args=[local.year, local.month]): {
            f"archive-{local.year}",
            f"archive-{local.year}-{local.month:02}",
            "archive",
        },
        reverse("articles:feed"): {"feed", *everyone},
        reverse("articles:author_feed", args=[author.slug]): {"feed", f"author-{author.pk}", *ids(middle)},
        reverse("articles:category_feed_atom", args=[section.slug]): {"feed", f"section-{section.pk}"},
        reverse("articles:search") + "?q=記事": {"search", *ids(desk["before"], middle, desk["after"])},
    }
    for url, wanted in expected.items():
        response = client.get(url)
        assert response.status_code == 200, url
        shown = carried(response)
        assert wanted | {"all"} <= shown, (url, wanted - shown)
    # The home page shows each of them; a tag's page, only its own.
    assert f"article-{desk['elsewhere'].pk}" not in carried(
        client.get(reverse("articles:tag", args=[tag.slug]))
    )


def test_sitemaps_carry_their_list_key_not_thousands_of_articles(client, desk):
    for url in (
        reverse("articles:sitemap"),
        reverse("articles:news_sitemap"),
        reverse("articles:sitemap_section", args=["articles"]),
        reverse("articles:sitemap_section", args=["authors"]),
    ):
        assert carried(client.get(url)) == {"all", "sitemap"}, url


def test_staff_and_non_public_answers_carry_no_keys(client, desk, editor):
    assert "xkey" not in client.get("/no-such-page/")
    client.force_login(editor)
    response = client.get(reverse("articles:home"))
    assert response.status_code == 200 and "Surrogate-Key" not in response and "xkey" not in response


def purged(run) -> set[str]:
    """The keys a change purged (this process keeps its pages in its own memory: the purge times
    are in the database), once it commits."""
    PurgedKey.objects.all().delete()
    run()
    return set(PurgedKey.objects.values_list("key", flat=True))


@pytest.fixture
def committing(django_capture_on_commit_callbacks):
    def run(change):
        def done():
            with django_capture_on_commit_callbacks(execute=True):
                change()

        return purged(done)

    return run


def test_publishing_purges_its_lists_and_its_neighbours_and_nothing_else(committing, desk, editor):
    author, section = desk["author"], desk["middle"].categories.get()
    now = timezone.now()
    fresh = ArticleFactory(title="新しい記事", authors=[author], tags=["港"], categories=[section])
    assert committing(lambda: fresh.save()) == set()  # a draft: nothing public changed

    def publish():
        workflow.publish_through_review(
            fresh, by=editor, publish_at=now - timedelta(minutes=30), via="command"
        )

    touched = committing(publish)
    tag = fresh.tags.get()
    local = timezone.localtime(fresh.published_at)
    assert touched == {
        f"article-{fresh.pk}",
        "home",
        "feed",
        "sitemap",
        "search",
        f"archive-{local.year}",
        f"archive-{local.year}-{local.month:02}",
        f"author-{author.pk}",
        f"tag-{tag.pk}",
        f"section-{section.pk}",
        f"around-{desk['after'].pk}",  # the newest before it: its "next" is now this one
    }


def test_unpublishing_purges_every_page_that_shows_it(committing, desk, editor):
    middle = desk["middle"]
    touched = committing(lambda: workflow.perform(middle, "unpublish", by=editor, comment="誤報"))
    assert {f"article-{middle.pk}", "home", "feed", f"author-{desk['author'].pk}"} <= touched
    assert {f"around-{desk['before'].pk}", f"around-{desk['after'].pk}"} <= touched
    assert not ids(desk["before"], desk["after"], desk["elsewhere"]) & touched


def test_renaming_an_author_purges_its_pages_and_those_of_its_articles(committing, desk):
    author = desk["author"]
    author.name = "佐藤 はな子"
    assert committing(author.save) == {f"author-{author.pk}", "sitemap", "search", *ids(desk["middle"])}


def test_renaming_a_section_purges_the_menu_too(committing, desk):
    section = desk["elsewhere"].categories.get()
    section.name = "経済ニュース"
    touched = committing(section.save)
    assert touched == {f"section-{section.pk}", "sitemap", "search", "menu", *ids(desk["elsewhere"])}


def test_a_section_first_public_article_purges_the_menu(committing, desk, editor):
    new = CategoryFactory(name="文化", slug="bunka")
    story = ArticleFactory(categories=[new])
    touched = committing(
        lambda: workflow.publish_through_review(story, by=editor, publish_at=timezone.now(), via="command")
    )
    assert {"menu", f"section-{new.pk}"} <= touched
    retitled = desk["middle"]
    retitled.title = "真ん中の記事(訂正)"
    assert "menu" not in committing(retitled.save)


def test_a_page_stays_kept_through_an_unrelated_publication(
    client, desk, editor, django_capture_on_commit_callbacks
):
    unrelated = desk["elsewhere"].get_absolute_url()
    home = reverse("articles:home")
    for url in (unrelated, home):
        client.get(url)
        assert client.get(url)["X-Page-Cache"] == "hit"
    story = ArticleFactory(title="速報", tags=["港"], categories=[desk["middle"].categories.get()])
    with django_capture_on_commit_callbacks(execute=True):
        workflow.publish_through_review(story, by=editor, publish_at=timezone.now(), via="command")
    time.sleep(caching.CLOCK_MARGIN)
    assert client.get(unrelated)["X-Page-Cache"] == "hit"
    fresh = client.get(home)
    assert fresh["X-Page-Cache"] == "miss" and "速報" in fresh.content.decode()


def test_correcting_an_article_shows_on_the_pages_listing_it_as_related_or_next(
    client, desk, django_capture_on_commit_callbacks
):
    before, middle = desk["before"], desk["middle"]
    page = before.get_absolute_url()
    assert "真ん中の記事" in client.get(page).content.decode().replace(
        "<wbr>", ""
    )  # its next article, and related
    assert client.get(page)["X-Page-Cache"] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        middle.title = "真ん中の記事、訂正版"
        middle.save()
    time.sleep(caching.CLOCK_MARGIN)
    again = client.get(page)
    assert again["X-Page-Cache"] == "miss" and "真ん中の記事、訂正版" in again.content.decode().replace(
        "<wbr>", ""
    )


def test_a_new_article_shows_as_next_on_the_page_before_it(
    client, desk, editor, django_capture_on_commit_callbacks
):
    latest = desk["after"]
    assert client.get(latest.get_absolute_url())["X-Page-Cache"] == "miss"
    story = ArticleFactory(title="いちばん新しい記事")
    with django_capture_on_commit_callbacks(execute=True):
        workflow.publish_through_review(story, by=editor, publish_at=timezone.now(), via="command")
    time.sleep(caching.CLOCK_MARGIN)
    assert "いちばん新しい記事" in client.get(latest.get_absolute_url()).content.decode().replace("<wbr>", "")


def test_a_page_begun_before_a_purge_is_not_served_after_it(client, desk, monkeypatch):
    """A page may have read what a change replaced when the change's purge came while it was made
    (or within CLOCK_MARGIN of its start): no cache keeps it, here or at the edge."""
    home = reverse("articles:home")
    client.get(home)
    assert client.get(home)["X-Page-Cache"] == "hit"
    monkeypatch.setattr(caching, "CLOCK_MARGIN", 0.25)
    caching.purge({"home"})
    made_then = client.get(home)
    assert "X-Page-Cache" not in made_then and made_then["Cache-Control"] == "public, no-cache"
    time.sleep(0.3)
    assert client.get(home)["X-Page-Cache"] == "miss"
    assert client.get(home)["X-Page-Cache"] == "hit"


def test_a_change_purged_while_a_page_is_made_leaves_it_unkept(client, desk, monkeypatch):
    """The race an edge cache cannot see: a request begins the home page, a publication commits and
    purges, the page (without it) is finished. It says no shared cache may keep it."""
    from articles.site import views

    home = reverse("articles:home")
    reading = views.FrontPage.get_context_data

    def read_then_change(view, **kwargs):
        found = reading(view, **kwargs)
        caching.purge({"home"})  # another server's publication, while this page is made
        return found

    monkeypatch.setattr(views.FrontPage, "get_context_data", read_then_change)
    made = client.get(home)
    assert made.status_code == 200 and made["Cache-Control"] == "public, no-cache"
    assert "X-Page-Cache" not in made
    monkeypatch.setattr(views.FrontPage, "get_context_data", reading)
    assert client.get(home)["X-Page-Cache"] == "miss"  # not kept then: made again
    assert client.get(home)["X-Page-Cache"] == "hit"


def test_a_revalidation_during_which_a_change_was_purged_is_not_renewed(client, desk, monkeypatch):
    """Varnish asks whether its expired copy still holds (If-None-Match): when a change is purged
    while the app makes the page to compare, its 304 must not renew the copy."""
    from articles.site import views

    home = reverse("articles:home")
    etag = client.get(home)["ETag"]
    caching.HERE.clear()
    cache.clear()  # the app's own copy gone too: the page is made again to compare
    reading = views.FrontPage.get_context_data

    def read_then_change(view, **kwargs):
        found = reading(view, **kwargs)
        caching.purge({"home"})
        return found

    monkeypatch.setattr(views.FrontPage, "get_context_data", read_then_change)
    answer = client.get(home, HTTP_IF_NONE_MATCH=etag)
    assert answer.status_code == 304 and answer["Cache-Control"] == "public, no-cache"
    monkeypatch.setattr(views.FrontPage, "get_context_data", reading)
    renewed = client.get(home, HTTP_IF_NONE_MATCH=etag)
    assert renewed.status_code == 304 and "s-maxage=600" in renewed["Cache-Control"]


def test_the_menu_follows_a_section_whose_other_article_is_only_scheduled(committing, desk, editor):
    """The menu lists sections with a public article: a scheduled one does not count."""
    culture = CategoryFactory(name="文化", slug="bunka")
    ArticleFactory(categories=[culture], published=timezone.now() + timedelta(days=1))
    story = ArticleFactory(categories=[culture])

    def publish():
        workflow.publish_through_review(story, by=editor, publish_at=timezone.now(), via="command")

    assert "menu" in committing(publish)
    assert "menu" in committing(lambda: workflow.perform(story, "unpublish", by=editor, comment="誤報"))


def test_an_owner_s_own_details_purge_its_pages_alone(committing, desk):
    author = desk["author"]
    author.bio = "港町の記者。"
    assert committing(author.save) == {f"author-{author.pk}"}
    author.is_desk = True  # shown with its name wherever its articles are
    assert committing(author.save) == {f"author-{author.pk}", "sitemap", "search", *ids(desk["middle"])}


def test_scheduling_purges_every_page_once_and_names_nothing_coming(committing, desk, editor):
    """Pages kept before would outlive its publication; purging its own would tell what is coming."""
    story = ArticleFactory(title="解禁前の記事", tags=["港"], categories=[desk["middle"].categories.get()])
    later = timezone.now() + timedelta(hours=2)

    def schedule(when):
        return lambda: workflow.publish_through_review(story, by=editor, publish_at=when, via="command")

    assert committing(schedule(later)) == {"all"}
    story.refresh_from_db()
    story.body += "\n\n追記。"
    assert committing(story.save) == set()  # still coming at the same time: no page shows it
    story.published_at = later + timedelta(hours=1)
    assert committing(story.save) == {"all"}


class Edge(http.server.BaseHTTPRequestHandler):
    """A stand-in for Varnish: records each purge, answers with `status`."""

    received: list = []
    status = 200

    def do_PURGE(self):  # noqa: N802 - the method's name
        type(self).received.append(self.headers.get("xkey-purge", ""))
        self.send_response(type(self).status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def stand_in_edge(settings):
    Edge.received, Edge.status = [], 200
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Edge)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.VARNISH_PURGE_URLS = [f"http://127.0.0.1:{server.server_port}/"]
    yield Edge
    server.shutdown()
    server.server_close()


@pytest.mark.real_commits
def test_each_purge_goes_to_the_edge_after_the_commit(
    stand_in_edge, desk, editor, django_capture_on_commit_callbacks
):
    story = ArticleFactory(title="速報")
    with django_capture_on_commit_callbacks(execute=False) as waiting:
        workflow.publish_through_review(story, by=editor, publish_at=timezone.now(), via="command")
    assert edge.purger.settle() and stand_in_edge.received == []  # not before the commit
    for callback in waiting:
        callback()
    assert edge.purger.settle()
    sent = set(" ".join(stand_in_edge.received).split())
    assert {f"article-{story.pk}", "home", "feed"} <= sent and f"article-{desk['elsewhere'].pk}" not in sent


def test_many_keys_go_in_several_requests(stand_in_edge):
    caching.purge({f"article-{n}" for n in range(450)})
    assert edge.purger.settle()
    assert sorted(len(received.split()) for received in stand_in_edge.received) == [50, 200, 200]


def test_an_edge_that_is_down_never_holds_up_a_publication(
    settings, desk, editor, caplog, monkeypatch, client
):
    settings.VARNISH_PURGE_URLS = ["http://127.0.0.1:9/"]  # nothing listens there
    monkeypatch.setattr(edge, "RETRY_AFTER", (0.05, 0.05))
    story = ArticleFactory(title="速報")
    started = time.monotonic()
    caching.purge({f"article-{story.pk}"})
    assert time.monotonic() - started < 0.2
    assert edge.purger.settle()
    messages = [record.getMessage() for record in caplog.records if record.name == "newsroom.edge"]
    assert len([m for m in messages if "trying again" in m]) == 2 and "Gave up" in messages[-1]
    assert "127.0.0.1:9" in client.get("/healthz").json()["edge_purges"]


def test_an_edge_that_answers_no_http_is_retried_and_reported(settings, monkeypatch, caplog, client):
    import socket

    monkeypatch.setattr(edge, "RETRY_AFTER", (0.05,))
    with socket.socket() as garbled:
        garbled.bind(("127.0.0.1", 0))
        garbled.listen()
        settings.VARNISH_PURGE_URLS = [f"http://127.0.0.1:{garbled.getsockname()[1]}/"]

        def answer_garbage():
            for _ in range(2):
                connection, _address = garbled.accept()
                with connection:
                    connection.recv(4096)
                    connection.sendall(b"not http at all\r\n\r\n")

        answering = threading.Thread(target=answer_garbage)
        answering.start()
        caching.purge({"home"})
        assert edge.purger.settle()
        answering.join(timeout=5)
    messages = [record.getMessage() for record in caplog.records if record.name == "newsroom.edge"]
    assert any("trying again" in m for m in messages) and "Gave up" in messages[-1]
    assert "BadStatusLine" in client.get("/healthz").json()["edge_purges"]


def test_an_edge_that_refuses_is_told_once_and_not_asked_again(stand_in_edge, caplog, client):
    stand_in_edge.status = 403
    caching.purge({"home"})
    assert edge.purger.settle()
    assert len(stand_in_edge.received) == 1
    assert any("refused a purge (403)" in record.getMessage() for record in caplog.records)
    assert client.get("/healthz").json()["edge_purges"].endswith("refused (403)")
    stand_in_edge.status = 200
    caching.purge({"home"})
    assert edge.purger.settle() and client.get("/healthz").json()["edge_purges"] == "ok"


def test_with_no_edge_configured_nothing_is_sent(stand_in_edge, settings, client):
    settings.VARNISH_PURGE_URLS = []
    caching.purge({"home"})
    assert edge.purger.settle() and stand_in_edge.received == []
    assert client.get("/healthz").json()["edge_purges"] == "not configured"


def test_an_edge_that_hangs_holds_up_its_own_purges_only(stand_in_edge, settings, monkeypatch):
    """A Varnish that takes connections and never answers: the others get their purges at once."""
    import socket

    monkeypatch.setattr(edge, "TIMEOUT", 1)
    monkeypatch.setattr(edge, "RETRY_AFTER", ())
    with socket.socket() as hanging:
        hanging.bind(("127.0.0.1", 0))
        hanging.listen()
        settings.VARNISH_PURGE_URLS = [
            f"http://127.0.0.1:{hanging.getsockname()[1]}/",
            *settings.VARNISH_PURGE_URLS,
        ]
        started = time.monotonic()
        for n in range(3):
            caching.purge({f"article-{n}"})
        while len(stand_in_edge.received) < 3 and time.monotonic() - started < 5:
            time.sleep(0.01)
        assert len(stand_in_edge.received) == 3 and time.monotonic() - started < 0.5
        assert edge.purger.settle()
