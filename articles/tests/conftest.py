from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from .factories import StaffFactory, UserFactory

EDITOR_PERMISSIONS = [
    "add_article",
    "change_article",
    "view_article",
    "publish_article",
    "unpublish_article",
    "view_author",
    "view_category",
]
WRITER_PERMISSIONS = ["add_article", "change_article", "view_article", "view_author", "view_category"]


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploads of every test land in a folder of its own, never in the project."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def editor(db):
    return StaffFactory(username="editor", permissions=EDITOR_PERMISSIONS)


@pytest.fixture
def writer(db):
    return StaffFactory(username="writer", permissions=WRITER_PERMISSIONS)


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
