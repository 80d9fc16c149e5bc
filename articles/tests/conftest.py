import os
import shutil
import socket
import subprocess
import time
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from articles.tests import edge
from articles.tests.factories import StaffFactory, UserFactory

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """Hash test users' passwords cheaply; real ones keep Django's slow default."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def purges_just_checked(monkeypatch):
    """Tests run as if their process had just looked in the database for a purge the shared cache
    missed (caching._purges_lost(), every CHECK_EVERY seconds), so that no test finds one in the
    middle of the queries it counts; the tests of that look set CHECK_EVERY to 0."""
    from articles import caching

    monkeypatch.setattr(caching, "_checked_at", time.monotonic())
    monkeypatch.setattr(caching, "CHECK_EVERY", 24 * 60 * 60)


@pytest.fixture(autouse=True)
def purges_at_once(request, monkeypatch):
    """Each change of a test purges what it touches at once, as if it had committed: a test runs
    in one transaction that never commits, and pages it reads after a change must show it. (The
    tests marked `real_commits` see purges wait for the commit, as they do outside tests.) Pages
    begun just before a purge are trusted (CLOCK_MARGIN 0): a test's requests follow each other
    within the margin, on one clock."""
    from articles import caching, purges

    if "real_commits" not in request.keywords:
        monkeypatch.setattr(purges, "when_committed", lambda callback: callback())
    monkeypatch.setattr(caching, "CLOCK_MARGIN", 0.0)


@pytest.fixture(autouse=True)
def empty_page_cache():
    """Each test starts with no page kept: a page kept by another test, on data rolled back since,
    was never purged (purges follow commits, and a test's transaction never commits)."""
    from django.core.cache import cache

    from articles import caching

    cache.clear()
    caching.HERE.clear()


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploads of every test land in a folder of its own, never in the project."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def editor(db):
    return StaffFactory(username="editor", role="Editor")


@pytest.fixture
def writer(db):
    return StaffFactory(username="writer", role="Writer")


@pytest.fixture
def reader(db):
    return UserFactory(username="reader")


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def chief(db):
    return StaffFactory(username="chief", is_superuser=True)


def run_import(*args):
    """Run import_posts; return its exit status, standard output and standard error."""
    out, err = StringIO(), StringIO()
    try:
        call_command("import_posts", *map(str, args), stdout=out, stderr=err)
    except CommandError as error:
        return error.returncode, out.getvalue(), err.getvalue() + str(error)
    return 0, out.getvalue(), err.getvalue()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        message = f"{CHROMIUM} is missing: sudo apt-get install chromium fonts-ipafont-gothic"
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI requires the browser tests. {message}")
        pytest.skip(f"Browser tests skipped. {message}")
    # Playwright's sync API runs an event loop in this thread; the database
    # calls the tests make around it are ordinary synchronous ones.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def redis_server():
    """The address of a Redis server for the tests: TEST_REDIS_URL if set, else a throwaway
    redis-server of the session's own, on a free port and keeping nothing on disk.

    Without redis-server the tests that need it are skipped, saying how to get it
    (`make test` installs it when it runs as root); CI requires them.
    """
    if os.environ.get("TEST_REDIS_URL"):
        yield os.environ["TEST_REDIS_URL"].rstrip("/")
        return
    binary = shutil.which("redis-server")
    if binary is None:
        message = "no redis-server: sudo apt-get install redis-server (make test installs it as root)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI requires the Redis tests: {message}")
        pytest.skip(message)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(  # noqa: S603 - the system's redis-server, fixed arguments
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for(port)
        yield f"redis://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture(scope="session")
def varnish():
    """Start a throwaway varnishd with the project's VCL in front of a backend port:
    `with varnish(port) as edge:` (articles/tests/edge.py).

    Without varnishd or its xkey vmod the tests that need it are skipped, saying how to get
    them (`make test` installs them when it runs as root); CI requires them.
    """
    message = edge.missing()
    if message:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI requires the Varnish tests: {message}")
        pytest.skip(message)
    return edge.varnish


def _wait_for(port: int, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as connection:
                connection.sendall(b"PING\r\n")
                if connection.recv(16).startswith(b"+PONG"):
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"redis-server did not answer on port {port} within {seconds} s")
        time.sleep(0.05)


def redis_cache_settings(url: str, *, database: int = 15) -> dict:
    """CACHES for a test with the shared (Redis) cache, under a prefix of its own."""
    return {
        "default": {
            "BACKEND": "newsroom.cache.ResilientRedisCache",
            "LOCATION": f"{url}/{database}",
            "KEY_PREFIX": f"test-{time.time_ns()}",
        }
    }
