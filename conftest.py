"""Test-session setup shared by every test module: the catalogs compiled, then Django started.

Django reads the catalog of LANGUAGE_CODE while its apps load, and never
again: a catalog compiled after that would not be seen. So the settings
module is named here rather than in pyproject.toml, where pytest-django
would start Django before any conftest.py is read, and this file, read
before the tests' own conftest.py, compiles the catalogs first (as
`make test` does with `make messages`), then starts Django.
"""

import os

import django
import pytest
from django.apps import apps

from newsroom.catalogs import compile_outdated

# With DJANGO_SETTINGS_MODULE in the environment, pytest-django has started Django already.
started = apps.ready
if compile_outdated() and started:
    pytest.exit(
        "The translation catalogs were out of date, and Django had read them before they were compiled"
        " (DJANGO_SETTINGS_MODULE is set in the environment): they are compiled now; run the tests again.",
        returncode=pytest.ExitCode.USAGE_ERROR,
    )
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
django.setup()
