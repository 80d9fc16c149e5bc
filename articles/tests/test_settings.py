import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

PROJECT = Path(__file__).resolve().parents[2]
PRINT_SETTINGS = (
    "import django, json; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({'debug': s.DEBUG, 'db': s.DATABASES['default']['ENGINE'], "
    "'name': str(s.DATABASES['default']['NAME']), 'tz': s.TIME_ZONE, 'lang': s.LANGUAGE_CODE, "
    "'use_tz': s.USE_TZ, 'hosts': s.ALLOWED_HOSTS}))"
)


def run_settings(**env):
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "DEBUG", "DATABASE_URL", "ALLOWED_HOSTS"}
    }
    clean.update(env, DJANGO_SETTINGS_MODULE="newsroom.settings")
    return subprocess.run(  # noqa: S603 - this interpreter, fixed arguments
        [sys.executable, "-c", PRINT_SETTINGS],
        cwd=PROJECT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_secret_key_is_required_when_debug_is_off():
    result = run_settings()
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_development_defaults():
    result = run_settings(DEBUG="1")
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["debug"] is True
    assert values["db"] == "django.db.backends.sqlite3"
    assert values["name"] == str(PROJECT / "db.sqlite3")
    assert values["tz"] == "Asia/Tokyo" and values["lang"] == "ja" and values["use_tz"] is True
    assert "127.0.0.1" in values["hosts"]


def test_production_values_come_from_the_environment():
    result = run_settings(
        SECRET_KEY="x" * 50,
        DATABASE_URL="postgres://news:pw@db.internal:5432/news",
        ALLOWED_HOSTS="news.example.com,www.news.example.com",
        TIME_ZONE="UTC",
        LANGUAGE_CODE="en",
    )
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["debug"] is False
    assert values["db"] == "django.db.backends.postgresql" and values["name"] == "news"
    assert values["hosts"] == ["news.example.com", "www.news.example.com"]
    assert (values["tz"], values["lang"]) == ("UTC", "en")


def test_postgresql_connections_plan_for_small_queries_and_prepare_nothing_of_their_own():
    """The pages are read through the ORM, as Django binds them: no statement is prepared."""
    env = {"SECRET_KEY": "x" * 50, "DATABASE_URL": "postgres://news:pw@db.internal:5432/news"}
    result = subprocess.run(  # noqa: S603 - this interpreter, fixed arguments
        [
            sys.executable,
            "-c",
            "import django, json; django.setup(); from django.conf import settings; "
            "print(json.dumps(settings.DATABASES['default']['OPTIONS']))",
        ],
        cwd=PROJECT,
        env={**os.environ, **env, "DJANGO_SETTINGS_MODULE": "newsroom.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    options = json.loads(result.stdout)
    assert "max_parallel_workers_per_gather=0" in options["options"]
    assert "random_page_cost=1.1" in options["options"]
    assert "prepare_threshold" not in options and "plan_cache_mode" not in options["options"]


def test_an_unknown_language_is_refused_with_a_clear_message():
    result = run_settings(DEBUG="1", LANGUAGE_CODE="xx")
    assert result.returncode != 0 and "LANGUAGE_CODE takes one of ja, en" in result.stderr


def start(*command, **env):
    """Run manage.py (or another start) with these variables; return (exit status, standard error)."""
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "LOG_LEVEL"}}
    clean.update({"DEBUG": "1", "DJANGO_SETTINGS_MODULE": "newsroom.settings"}, **env)
    result = subprocess.run(  # noqa: S603 - this interpreter, fixed arguments
        [sys.executable, *command], cwd=PROJECT, env=clean, capture_output=True, text=True, timeout=60
    )
    return result.returncode, result.stderr


@pytest.mark.parametrize(
    "variable, value, accepted",
    [
        ("LOG_LEVEL", "loud", "one of DEBUG, INFO, WARNING, ERROR, CRITICAL"),
        ("DATABASE_URL", "nonsense", "postgres://USER:PASSWORD@HOST:5432/NAME or sqlite:///PATH"),
        ("DATABASE_URL", "mysql://db/news", "postgres://USER:PASSWORD@HOST:5432/NAME"),
        ("DATABASE_URL", "postgres://news:s3cret@db:port/news", "postgres://USER:PASSWORD@HOST:5432/NAME"),
        ("REDIS_URL", "localhost:6379", "redis://HOST:6379/0"),
        ("REDIS_URL", "redis://:s3cret@cache:port/0", "redis://HOST:6379/0"),
        ("PAGE_CACHE_SECONDS", "ten", "a whole number of 0 or more (by default 600)"),
        ("PAGE_CACHE_SECONDS", "-5", "a whole number of 0 or more"),
        ("DEBUG", "maybe", "1, true, yes or on, or 0, false, no, off"),
        ("TIME_ZONE", "Tokyo", "a zone of the IANA database"),
        ("SITE_URL", "news.example.com", "the public address with its scheme"),
    ],
)
def test_a_bad_setting_stops_the_start_with_one_line_naming_it(variable, value, accepted):
    for command in [("manage.py", "check"), ("-c", "import newsroom.wsgi")]:
        status, stderr = start(*command, **{variable: value})
        assert status == 1, stderr
        lines = stderr.strip().splitlines()
        assert len(lines) == 1 and "Traceback" not in stderr, stderr
        assert lines[0].startswith(f"Newsroom cannot start: {variable}=") and accepted in lines[0]
        assert "s3cret" not in stderr  # a password in an address stays out of logs


@pytest.mark.parametrize(
    "variable, value",
    [
        ("LOG_LEVEL", "warning"),
        ("LOG_LEVEL", " Debug "),
        ("LANGUAGE_CODE", "EN"),
        ("PAGE_CACHE_SECONDS", " 30 "),
        ("DEBUG", "TRUE"),
        ("REDIS_URL", "redis://127.0.0.1:6379/3"),
        ("DATABASE_URL", "sqlite:////tmp/newsroom-settings-check.sqlite3"),
    ],
)
def test_a_setting_that_means_one_thing_is_taken_in_any_case(variable, value):
    status, stderr = start("manage.py", "check", **{variable: value})
    assert status == 0, stderr


def test_collectstatic_writes_hashed_and_compressed_files(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path
    call_command("collectstatic", interactive=False, verbosity=0, stdout=StringIO())

    manifest = json.loads((tmp_path / "staticfiles.json").read_text())
    hashed = manifest["paths"]["css/site.css"]
    assert hashed != "css/site.css" and hashed.startswith("css/site.")
    assert (tmp_path / hashed).exists()
    assert (tmp_path / f"{hashed}.gz").exists()
    assert (tmp_path / f"{hashed}.br").exists()


@pytest.mark.django_db
def test_static_files_are_served_before_collectstatic(client):
    response = client.get("/static/css/site.css")
    assert response.status_code == 200
    assert b"font-family" in b"".join(response.streaming_content)
