"""Security headers on every page, a clean `check --deploy`, and admin logins throttled."""

import logging
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from articles.tests.factories import ArticleFactory, StaffFactory

pytestmark = pytest.mark.django_db
PROJECT = Path(__file__).resolve().parents[2]
LOGIN = reverse("admin:login")


def _directives(header: str) -> dict:
    parsed = {}
    for part in header.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


@pytest.fixture
def story():
    return ArticleFactory(title="朝市が20年目", published=True)


@pytest.mark.parametrize("page", ["home", "article", "admin_login", "feed", "missing"])
def test_every_response_carries_the_security_headers(client, story, page, settings):
    settings.PAGE_CACHE_SECONDS = 600
    url = {
        "home": reverse("articles:home"),
        "article": story.get_absolute_url(),
        "admin_login": LOGIN,
        "feed": reverse("articles:feed"),
        "missing": "/no-such-page/",
    }[page]
    for _ in range(2):  # the second may come from the page cache: the same headers
        response = client.get(url)
        policy = _directives(response["Content-Security-Policy"])
        assert policy["script-src"] == ["'self'"], policy  # no 'unsafe-inline', no 'unsafe-eval'
        assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["X-Frame-Options"] == "DENY"
        assert "camera=()" in response["Permissions-Policy"]
        assert "geolocation=()" in response["Permissions-Policy"]


def test_production_settings_redirect_to_https_with_hsts_and_secure_cookies(client, settings, editor):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    redirected = client.get(reverse("articles:home"))
    assert redirected.status_code == 301 and redirected["Location"].startswith("https://")
    secure = client.get(reverse("articles:home"), secure=True)
    assert secure.status_code == 200 and secure["Strict-Transport-Security"].startswith("max-age=31536000")
    login = client.get(LOGIN, secure=True)
    assert login.cookies["csrftoken"]["secure"]


def _manage(*args, **env):
    clean = {
        k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "HTTPS"}
    }
    return subprocess.run(  # noqa: S603 - this interpreter, fixed arguments
        [sys.executable, "manage.py", *args],
        cwd=PROJECT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_passes_with_production_variables():
    production = {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DEBUG": "",
        "ALLOWED_HOSTS": "news.example.jp",
        "HTTPS": "1",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": "1",
        "SECURE_HSTS_PRELOAD": "1",
    }
    done = _manage("check", "--deploy", "--fail-level", "WARNING", **production)
    assert done.returncode == 0, done.stdout + done.stderr
    # Without HTTPS the same check names what is missing.
    plain = _manage("check", "--deploy", "--fail-level", "WARNING", **(production | {"HTTPS": ""}))
    assert plain.returncode != 0 and "SECURE_HSTS_SECONDS" in plain.stderr + plain.stdout


def _login(client, password):
    return client.post(LOGIN, {"username": "editor", "password": password, "next": "/admin/"})


def test_repeated_failed_logins_lock_the_account_out_for_a_while(client, settings, caplog):
    StaffFactory(username="editor", password="right-password-1")
    caplog.set_level(logging.INFO, logger="axes")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        refused = _login(client, "wrong")
        assert refused.status_code == 200 and "errornote" in refused.content.decode()
    locked = _login(client, "wrong")
    assert locked.status_code == 429
    text = locked.content.decode()
    assert "refused for 15 minutes" in text or "15分間" in text
    # Even the right password is refused now, and nobody is logged in.
    again = _login(client, "right-password-1")
    assert again.status_code == 429 and "_auth_user_id" not in client.session
    assert AccessAttempt.objects.get(username="editor").failures_since_start >= settings.AXES_FAILURE_LIMIT
    lockouts = [record.getMessage() for record in caplog.records if "Locking out" in record.getMessage()]
    assert lockouts and "editor" in lockouts[0]  # the log names who was locked out


def test_a_successful_login_is_logged_and_other_users_are_not_locked(client, settings, caplog):
    StaffFactory(username="editor", password="right-password-1")
    StaffFactory(username="chief", password="chief-password-1")
    caplog.set_level(logging.INFO, logger="axes")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "wrong")
    other = client.post(LOGIN, {"username": "chief", "password": "chief-password-1", "next": "/admin/"})
    assert other.status_code == 302 and client.session["_auth_user_id"]
    assert any("Successful login" in r.getMessage() and "chief" in r.getMessage() for r in caplog.records)


def test_behind_the_proxy_one_visitor_cannot_lock_an_account_out_for_everyone(client, settings):
    """Every request comes from the proxy's address; the visitor's is the last in X-Forwarded-For."""
    settings.BEHIND_PROXY = True
    StaffFactory(username="editor", password="right-password-1")
    attacker = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "10.9.9.9, 203.0.113.9"}
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(LOGIN, {"username": "editor", "password": "wrong", "next": "/admin/"}, **attacker)
    refused = client.post(
        LOGIN, {"username": "editor", "password": "right-password-1", "next": "/admin/"}, **attacker
    )
    assert refused.status_code == 429  # from the attacker's address, even the right password
    editor = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.9, 198.51.100.7"}
    real = client.post(
        LOGIN, {"username": "editor", "password": "right-password-1", "next": "/admin/"}, **editor
    )
    assert real.status_code == 302  # the editor's own address is not the one locked out
    assert AccessAttempt.objects.get(username="editor").ip_address == "203.0.113.9"


MEDIA_SCRIPT = r"""
import django
django.setup()
from django.conf import settings
from django.test import Client
folder = settings.MEDIA_ROOT / "editor"
folder.mkdir(parents=True)
(folder / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
response = Client().get("/media/editor/photo.png")
print(response.status_code, response["Content-Type"], response.get("X-Content-Type-Options"))
"""


def test_media_are_served_with_nosniff(tmp_path):
    """Django serves media itself only with DEBUG (production leaves them to the web server, see README)."""
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SECRET_KEY"}},
        "DJANGO_SETTINGS_MODULE": "newsroom.settings",
        "DEBUG": "1",
        "ALLOWED_HOSTS": "testserver",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    done = subprocess.run(  # noqa: S603 - this interpreter, a fixed script
        [sys.executable, "-c", MEDIA_SCRIPT],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["200", "image/png", "nosniff"]
