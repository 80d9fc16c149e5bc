"""The site behind a real Varnish (deploy/varnish/newsroom.vcl): two gunicorn app servers with
production settings, sharing PostgreSQL and Redis, each sending its purges to Varnish; an editor
publishes and withdraws through the first one's desk, and readers ask through Varnish and the
second server.

The tests of a module share the servers and run in order: a publication, then its withdrawal,
then what staff and forged headers get, then the app servers stopped.
"""

import http.client
import http.cookiejar
import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest

from articles.tests.edge import free_port
from articles.tests.test_scale_out import ADMIN_URL, _csrf, _reachable, _wait_for

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "edge-only-password"
SETUP = f"""
import json
from datetime import timedelta
from django.contrib.auth.models import User
from django.utils import timezone
from articles.desk import workflow
from articles.models import Article, Author, Byline, Category, Tag
chief = User.objects.create_superuser("chief", "chief@example.com", "{PASSWORD}")
local, economy = Category.objects.create(name="地域", slug="chiiki"), Category.objects.create(name="経済", slug="keizai")
sato, suzuki = Author.objects.create(name="佐藤", slug="sato"), Author.objects.create(name="鈴木", slug="suzuki")

def article(title, author, section, tag, hours_ago=None):
    made = Article.objects.create(title=title, slug=f"a{{Article.objects.count()}}", body=title + "。", created_by=chief)
    Byline.objects.create(article=made, author=author, position=0)
    made.categories.set([section])
    made.tags.set(Tag.objects.named([tag]))
    if hours_ago is None:
        workflow.perform(made, "submit", by=chief, via="command")
        workflow.perform(made, "approve", by=chief, via="command")
    else:
        moment = timezone.now() - timedelta(hours=hours_ago)
        workflow.publish_through_review(made, by=chief, publish_at=moment, via="command")
    return made

unrelated = article("円相場の話", suzuki, economy, "為替", hours_ago=24)
before = article("港の朝市", sato, local, "港", hours_ago=1)
coming = article("防波堤の工事が始まる", sato, local, "港")
print(json.dumps({{"unrelated": unrelated.get_absolute_url(), "before": before.get_absolute_url(), "coming": coming.pk}}))
"""
TITLE = "防波堤の工事が始まる"


class Site:
    """Varnish on `edge`, in front of the app servers `first` and `second`."""

    def __init__(self, edge, urls, processes, env, pages):
        self.edge, self.servers, self.processes, self.env, self.pages = edge, urls, processes, env, pages
        self.first, self.second = urls
        self.editor = None

    def desk(self, action: str, article: int, **fields) -> float:
        """Perform a workflow action through the first server's desk: when it answered."""
        if self.editor is None:
            self.editor = urllib.request.build_opener(
                urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
            )
            _headers, login = get(self.first + "/admin/login/", self.editor)
            form = {
                "username": "chief",
                "password": PASSWORD,
                "csrfmiddlewaretoken": _csrf(login),
                "next": "/admin/",
            }
            self.editor.open(
                self.first + "/admin/login/", urllib.parse.urlencode(form).encode(), timeout=10
            ).close()
        _headers, change = get(f"{self.first}/admin/articles/article/{article}/change/", self.editor)
        form = {"_workflow": action, "csrfmiddlewaretoken": _csrf(change), **fields}
        request = urllib.request.Request(
            f"{self.first}/admin/articles/article/{article}/workflow/",
            urllib.parse.urlencode(form).encode(),
            headers={"Referer": self.first + "/admin/"},
        )
        self.editor.open(request, timeout=10).close()
        return time.monotonic()


def get(url: str, opener=None, **headers):
    request = urllib.request.Request(url, headers=headers)
    try:
        with (opener or urllib.request.build_opener()).open(request, timeout=10) as response:
            return response.headers, response.read().decode().replace(
                "<wbr>", ""
            )  # headlines' <wbr>s left out
    except urllib.error.HTTPError as error:
        error.headers["Status"] = str(error.code)
        return error.headers, error.read().decode()


def seen_within(url: str, check, since: float, seconds: float = 5) -> float:
    """Ask for `url` until check(headers, html) holds: how long after `since` it did."""
    while True:
        headers, html = get(url)
        if check(headers, html):
            return time.monotonic() - since
        if time.monotonic() - since > seconds:
            raise AssertionError(f"{url} not as expected {seconds} s after the change")
        time.sleep(0.02)


@pytest.fixture(scope="module")
def site(redis_server, varnish, tmp_path_factory):
    if not _reachable(ADMIN_URL):
        message = "the app servers behind Varnish need PostgreSQL on 127.0.0.1"
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI requires the Varnish tests: {message}")
        pytest.skip(message)
    import psycopg

    logs = tmp_path_factory.mktemp("edge-site")
    name = f"newsroom_edge_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    ports = [free_port(), free_port()]
    processes = []
    try:
        with varnish(ports[0], more_backends=(ports[1],), probe_interval="500ms") as edge:
            env = {
                **os.environ,
                "DEBUG": "",
                "SECRET_KEY": "edge-only-" + uuid.uuid4().hex,
                "DATABASE_URL": urllib.parse.urlsplit(ADMIN_URL)._replace(path=f"/{name}").geturl(),
                "REDIS_URL": f"{redis_server}/13",
                "CACHE_KEY_PREFIX": uuid.uuid4().hex,
                "ALLOWED_HOSTS": "127.0.0.1",
                "VARNISH_PURGE_URLS": edge.url + "/",
                "LOG_LEVEL": "WARNING",
            }
            manage = [sys.executable, str(ROOT / "manage.py")]
            subprocess.run([*manage, "migrate", "--no-input", "-v0"], env=env, check=True, cwd=ROOT)
            made = subprocess.run(
                [*manage, "shell", "-c", SETUP], env=env, check=True, cwd=ROOT, capture_output=True, text=True
            )
            pages = json.loads(made.stdout.strip().splitlines()[-1])
            for port in ports:
                command = [str(Path(sys.executable).parent / "gunicorn"), "newsroom.wsgi"]
                command += ["--bind", f"127.0.0.1:{port}", "--workers", "1"]
                log = logs.joinpath(f"{port}.log").open("w")
                processes.append(
                    subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log)
                )
            urls = [f"http://127.0.0.1:{port}" for port in ports]
            for url in urls:
                _wait_for(url)
            edge.wait_for_backend("healthy")
            yield Site(edge, urls, processes, env, pages)
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=10)
        with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def warm(url: str) -> None:
    """Ask until the answer comes from the cache: the second time, unless the page was made within a
    quarter of a second of a purge (caching.CLOCK_MARGIN: then no cache keeps it)."""
    deadline = time.monotonic() + 2
    while True:
        headers, _html = get(url)
        if headers.get("X-Cache", headers.get("X-Page-Cache")) == "hit":
            return
        assert time.monotonic() < deadline, f"{url} is not kept"
        time.sleep(0.05)


LISTS = ["/", "/categories/chiiki/", "/authors/sato/", "/feed/", "/feed/atom/"]


def test_a_publication_shows_through_varnish_and_on_the_other_server_within_a_second(site):
    edge = site.edge.url
    for path in [*LISTS, site.pages["unrelated"], site.pages["before"]]:
        warm(edge + path)
    warm(site.second + "/")

    published = site.desk("publish", site.pages["coming"])

    took = {path: seen_within(edge + path, lambda h, html: TITLE in html, published) for path in LISTS}
    took["second server"] = seen_within(site.second + "/", lambda h, html: TITLE in html, published)
    # Its neighbour's page now links to it as the next article.
    took["the article before"] = seen_within(
        edge + site.pages["before"], lambda h, html: TITLE in html, published
    )
    print("publication seen after", {page: f"{seconds:.3f} s" for page, seconds in took.items()})
    assert max(took.values()) < 1, took
    # An article it does not touch is still served from Varnish's copy.
    headers, html = get(edge + site.pages["unrelated"])
    assert headers["X-Cache"] == "hit" and TITLE not in html


def test_a_withdrawal_is_gone_through_varnish_within_a_second(site):
    edge = site.edge.url
    _headers, home = get(edge + "/")
    address = urllib.parse.urlsplit(re.search(rf'href="([^"]+)"[^>]*>{TITLE}<', home)[1]).path
    for path in [*LISTS, address, site.pages["before"]]:
        warm(edge + path)

    withdrawn = site.desk("unpublish", site.pages["coming"], _comment="誤りがあったため")

    took = {address: seen_within(edge + address, lambda h, html: h.get("Status") == "410", withdrawn)}
    for path in [*LISTS, site.pages["before"]]:
        took[path] = seen_within(edge + path, lambda h, html: TITLE not in html, withdrawn)
    print("withdrawal seen after", {page: f"{seconds:.3f} s" for page, seconds in took.items()})
    assert max(took.values()) < 1, took


def test_staff_are_never_served_from_varnish_and_their_pages_are_not_kept(site):
    edge = site.edge.url
    staff = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    _headers, login = get(edge + "/admin/login/", staff)
    form = {"username": "chief", "password": PASSWORD, "csrfmiddlewaretoken": _csrf(login), "next": "/admin/"}
    staff.open(edge + "/admin/login/", urllib.parse.urlencode(form).encode(), timeout=10).close()
    warm(edge + "/")  # a copy is kept: staff are not given it
    for _ in range(2):
        headers, _html = get(edge + "/", staff)
        assert headers["X-Cache"] == "miss" and "private" in headers["Cache-Control"]
    purge(site.edge.url, "home")  # no copy: what staff are given is not kept either
    for _ in range(2):
        headers, _html = get(edge + "/", staff)
        assert headers["X-Cache"] == "miss" and "private" in headers["Cache-Control"]
    headers, _html = get(edge + "/")  # a reader after them
    assert headers["X-Cache"] == "miss" and headers["Cache-Control"].startswith("public")
    assert get(edge + "/")[0]["X-Cache"] == "hit"


def purge(url: str, *keys: str) -> None:
    """Purge keys through Varnish's PURGE, as the app does (from this machine: in its ACL)."""
    request = urllib.request.Request(url + "/", method="PURGE", headers={"xkey-purge": " ".join(keys)})
    urllib.request.urlopen(request, timeout=10).close()


def test_a_forged_host_cannot_poison_the_cache(site):
    edge = urllib.parse.urlsplit(site.edge.url)
    connection = http.client.HTTPConnection(edge.hostname, edge.port, timeout=10)
    connection.request("GET", "/tags/%E6%B8%AF/", headers={"Host": "evil.example"})
    forged = connection.getresponse()
    forged.read()
    assert forged.status == 400
    connection.request("GET", "/tags/%E6%B8%AF/", headers={"X-Forwarded-Host": "evil.example"})
    response = connection.getresponse()
    html = response.read().decode()
    assert response.status == 200 and "evil.example" not in html
    for _ in range(2):
        headers, html = get(site.edge.url + "/tags/%E6%B8%AF/")
        assert "evil.example" not in html
    assert headers["X-Cache"] == "hit"


def test_pages_are_served_while_every_app_server_is_down(site):
    edge = site.edge.url
    paths = ["/", site.pages["unrelated"], "/feed/"]
    kept = {}
    for path in paths:
        warm(edge + path)
        kept[path] = get(edge + path)[1]
    for process in site.processes:
        process.terminate()
        process.wait(timeout=10)
    for path in paths:
        headers, html = get(edge + path)
        assert "Status" not in headers and html == kept[path], path
    site.edge.wait_for_backend("sick")
    for path in paths:
        headers, html = get(edge + path)
        assert "Status" not in headers and html == kept[path], path
