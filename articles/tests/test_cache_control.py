"""Cache-Control on every response, and a cache outage that is not a site outage.

Public pages and feeds tell browsers and shared caches how long to keep them;
anything for a session, and the desk, are never stored. With Redis stopped
while pages are asked for, every page still answers (uncached), the outage is
logged once, /healthz says so, and the page cache comes back with Redis.
"""

import json
import logging
import shutil
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from datetime import timedelta

import pytest
import redis
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_max_age
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError

import newsroom.cache
from articles import caching
from articles.tests.conftest import _wait_for, redis_cache_settings
from articles.tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def directives(response) -> dict:
    """Cache-Control as {directive: value or True}."""
    found = {}
    for part in response.get("Cache-Control", "").split(","):
        name, _, value = part.strip().partition("=")
        if name:
            found[name] = value or True
    return found


@pytest.fixture
def story(db):
    return ArticleFactory(title="朝市が20年目", tags=["港"], published=True)


@pytest.mark.parametrize("page_cache", ["miss", "hit"])
def test_public_pages_and_feeds_may_be_kept_by_browsers_a_minute_and_by_shared_caches_longer(
    client, settings, story, page_cache
):
    settings.PAGE_CACHE_SECONDS = 600
    for url in [reverse("articles:home"), story.get_absolute_url(), reverse("articles:feed"), "/sitemap.xml"]:
        first = client.get(url)
        response = client.get(url) if page_cache == "hit" else first
        assert response.status_code == 200
        assert response["X-Page-Cache"] == page_cache
        seen = directives(response)
        assert seen.get("public") is True and "private" not in seen and "no-store" not in seen, url
        assert int(seen["max-age"]) == 60
        assert 590 <= int(seen["s-maxage"]) <= 600
        assert int(seen["stale-while-revalidate"]) > 0 and int(seen["stale-if-error"]) > 0


def test_no_cache_keeps_a_page_past_the_next_scheduled_publication(client, settings, story):
    settings.PAGE_CACHE_SECONDS = 600
    ArticleFactory(title="予約", published=timezone.now() + timedelta(seconds=90))
    for expected in ("miss", "hit"):
        response = client.get(reverse("articles:home"))
        assert response["X-Page-Cache"] == expected
        seen = directives(response)
        assert int(seen["s-maxage"]) <= 90 and int(seen["max-age"]) <= 60
        assert "stale-while-revalidate" not in seen  # not a stale copy past it either
        assert int(seen["stale-if-error"]) > 0


def test_without_a_page_cache_public_pages_are_asked_for_again_each_time(client, settings, story):
    settings.PAGE_CACHE_SECONDS = 0
    response = client.get(story.get_absolute_url())
    assert directives(response).get("no-cache") is True and directives(response).get("public") is True
    assert response.has_header("ETag")  # so that asking again costs a 304


def test_a_page_for_a_session_and_the_desk_are_never_stored(client, settings, story, editor):
    settings.PAGE_CACHE_SECONDS = 600
    client.force_login(editor)
    for url in [
        reverse("articles:home"),
        story.get_absolute_url(),
        reverse("articles:feed"),
        reverse("admin:index"),
        reverse("admin:articles_article_change", args=[story.pk]),
    ]:
        response = client.get(url)
        seen = directives(response)
        assert response.status_code == 200, url
        assert seen.get("private") is True and seen.get("no-store") is True, (url, seen)
        assert "public" not in seen and "s-maxage" not in seen


def test_anonymous_answers_that_are_not_pages_are_asked_for_again(client, story):
    missing = client.get("/2001/01/01/nothing-here/")
    assert missing.status_code == 404 and directives(missing).get("no-cache") is True
    assert get_max_age(missing) is None


def test_healthz_says_what_serves_without_touching_the_page_cache(client, settings):
    settings.PAGE_CACHE_SECONDS = 600
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "serving": True,
        "database": "ok",
        "cache": "local",
        "edge_purges": "not configured",
    }
    assert "X-Page-Cache" not in response
    assert directives(response).get("no-store") is True


@pytest.fixture
def own_redis(settings):
    """A redis-server of this test's own, which the test may stop and start again on its port."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("no redis-server: sudo apt-get install redis-server (make test installs it as root)")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    argv = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]

    class Server:
        process = None
        port = None

        def start(self):
            self.process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603
            _wait_for(port)

        def stop(self):
            self.process.terminate()
            self.process.wait(timeout=10)

    server = Server()
    server.port = port
    server.start()
    settings.CACHES = redis_cache_settings(f"redis://127.0.0.1:{port}")
    settings.PAGE_CACHE_SECONDS = 600
    try:
        yield server
    finally:
        server.stop()
        caches["default"].close()


def test_with_redis_away_every_page_still_answers_and_the_cache_comes_back(client, own_redis, story, caplog):
    pages = [reverse("articles:home"), story.get_absolute_url(), reverse("articles:feed")]
    assert [client.get(url)["X-Page-Cache"] for url in pages] == ["miss"] * 3
    assert [client.get(url)["X-Page-Cache"] for url in pages] == ["hit"] * 3

    own_redis.stop()
    with caplog.at_level(logging.WARNING, logger="newsroom.cache"):
        answers = [client.get(url) for _ in range(5) for url in pages]
    assert [response.status_code for response in answers] == [200] * 15
    assert all("朝市が20年目" in response.content.decode().replace("<wbr>", "") for response in answers)
    outage = [record for record in caplog.records if "cannot be reached" in record.getMessage()]
    assert len(outage) == 1  # once a minute, not once a request
    health = client.get("/healthz")
    assert health.status_code == 200 and health.json()["cache"] == "unreachable"
    # Published while Redis was away: the mark could not move then.
    ArticleFactory(title="停電中の記事", published=True)

    own_redis.start()  # empty: as a restarted Redis is
    assert client.get("/healthz").json()["cache"] == "ok"
    assert "停電中の記事" in client.get(reverse("articles:home")).content.decode().replace("<wbr>", "")
    assert client.get(reverse("articles:home"))["X-Page-Cache"] == "hit"


def test_a_redis_that_comes_back_with_its_old_pages_does_not_serve_them(
    client, own_redis, story, django_capture_on_commit_callbacks, monkeypatch
):
    """Redis unreachable but not emptied (a cut network): a change made meanwhile could not move
    the mark, so the pages kept before it must not be served when Redis answers again."""
    home = reverse("articles:home")
    client.get(home)
    assert client.get(home)["X-Page-Cache"] == "hit"

    real_set = RedisCache.set

    def cut(*args, **kwargs):
        raise RedisConnectionError("Connection refused")

    monkeypatch.setattr(newsroom.cache, "RETRY_EVERY", 0)  # Redis is tried again at once
    # The network is cut for this one write: the mark's move after the change is lost.
    monkeypatch.setattr(RedisCache, "set", cut)
    with django_capture_on_commit_callbacks(execute=True):
        ArticleFactory(title="停電中の記事", published=True)
    monkeypatch.setattr(RedisCache, "set", real_set)

    after = client.get(home)
    assert "停電中の記事" in after.content.decode().replace("<wbr>", "")
    assert after["X-Page-Cache"] == "miss"
    assert client.get(home)["X-Page-Cache"] == "hit"


def test_a_hung_redis_costs_a_request_its_timeout_now_and_then_not_every_call(client, own_redis, story):
    pages = [reverse("articles:home"), story.get_absolute_url(), reverse("articles:feed")]
    for url in pages:
        client.get(url)
    own_redis.process.send_signal(signal.SIGSTOP)  # it hangs: connections open, nothing answers
    try:
        started = time.monotonic()
        answers = [client.get(url) for _ in range(4) for url in pages]
        took = time.monotonic() - started
    finally:
        own_redis.process.send_signal(signal.SIGCONT)
    assert [response.status_code for response in answers] == [200] * 12
    assert all("朝市が20年目" in response.content.decode().replace("<wbr>", "") for response in answers)
    # Each of the twelve pages makes several cache calls: a timeout each would be 20 s and more.
    assert took < 6, f"{took:.1f} s for 12 pages"


def test_a_purge_that_never_reached_redis_is_caught_from_the_database(client, own_redis, story, monkeypatch):
    """A change purged while Redis was away (a command that exited before it came back): the
    purge is kept in the database, and processes that saw no outage look there every few seconds."""
    from articles.models import PurgedKey

    home = reverse("articles:home")
    client.get(home)
    assert client.get(home)["X-Page-Cache"] == "hit"
    with monkeypatch.context() as outage:  # the purge misses Redis, which keeps its pages
        outage.setattr(caches["default"], "set_many", lambda data, *args, **kwargs: list(data))
        ArticleFactory(title="届かなかった記事", published=True)
    assert PurgedKey.objects.filter(key="all").exists()
    assert "届かなかった記事" not in client.get(home).content.decode().replace("<wbr>", "")  # not looked yet
    monkeypatch.setattr(caching, "CHECK_EVERY", 0)
    after = client.get(home)
    assert after["X-Page-Cache"] == "miss" and "届かなかった記事" in after.content.decode().replace(
        "<wbr>", ""
    )
    assert client.get(home)["X-Page-Cache"] == "hit"


@pytest.mark.django_db(transaction=True)
def test_readers_asking_while_redis_stops_and_starts_get_no_error(live_server, own_redis):
    story = ArticleFactory(title="朝市が20年目", published=True)
    urls = [live_server.url + path for path in ("/", story.get_absolute_url(), "/feed/")]
    answers, done = [], threading.Event()

    def reader():
        while not done.is_set():
            for url in urls:
                try:
                    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - the test's server
                        answers.append((response.status, response.headers.get("X-Page-Cache")))
                except urllib.error.HTTPError as error:
                    answers.append((error.code, None))

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        time.sleep(1)
        own_redis.stop()
        time.sleep(2)
        own_redis.start()
        time.sleep(1.5)
    finally:
        done.set()
        thread.join(timeout=30)
    assert len(answers) > 30
    assert {status for status, _ in answers} == {200}
    # The cache is back: pages are kept in the new Redis again.
    with urllib.request.urlopen(live_server.url + "/healthz", timeout=10) as response:  # noqa: S310
        assert json.load(response)["cache"] == "ok"
    for url in urls:
        urllib.request.urlopen(url, timeout=10).close()  # noqa: S310
    assert redis.Redis(port=own_redis.port, db=15).dbsize() > 0  # redis_cache_settings(): 15


def test_a_redis_that_refuses_writes_is_not_taken_for_gone(client, own_redis, story, monkeypatch, caplog):
    """Out of memory, or a read-only replica after a failover: it answers, and refuses to keep."""

    def refuse(*args, **kwargs):
        raise ResponseError("OOM command not allowed when used memory > 'maxmemory'.")

    monkeypatch.setattr(RedisCache, "set", refuse)
    with caplog.at_level(logging.WARNING, logger="newsroom.cache"):
        answers = [client.get(reverse("articles:home")) for _ in range(3)]
    assert [response.status_code for response in answers] == [200] * 3
    assert caches["default"].available  # reads still go to Redis: no outage, no 5 s pause
    assert ["refuses commands" in record.getMessage() for record in caplog.records] == [True]


def test_a_missing_static_file_is_not_kept(client):
    assert directives(client.get("/static/no-such-file.css")).get("no-cache") is True
