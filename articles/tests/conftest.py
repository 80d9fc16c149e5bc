from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from .factories import StaffFactory, UserFactory


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
