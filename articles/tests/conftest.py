import os
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from .factories import StaffFactory, UserFactory

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """Hash test users' passwords cheaply; real ones keep Django's slow default."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


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
