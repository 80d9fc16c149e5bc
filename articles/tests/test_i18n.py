"""Both languages: every UI string translated, the language from settings, dates as the locale writes them."""

import gettext
import os
import shutil
import subprocess
import sys
from datetime import datetime
from io import BytesIO
from pathlib import Path

import pytest
from babel.messages.extract import extract
from babel.messages.pofile import read_po
from django.core.checks import Tags, run_checks
from django.urls import reverse
from django.utils import timezone
from django.utils.translation.template import templatize

from articles.tests.factories import ArticleFactory
from newsroom import catalogs

ROOT = Path(__file__).resolve().parents[2]
CATALOGS = {language: ROOT / "locale" / language / "LC_MESSAGES" / "django.po" for language in ("ja", "en")}


def untranslated(language: str) -> list:
    with CATALOGS[language].open("rb") as po:
        catalog = read_po(po)
    return [
        message.id
        for message in catalog
        if message.id
        and (
            message.fuzzy
            or not (all(message.string) if isinstance(message.string, tuple) else message.string)
        )
    ]


@pytest.mark.parametrize("language", CATALOGS)
def test_every_string_is_translated(language):
    assert untranslated(language) == []


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="makemessages needs GNU gettext (CI has it)")
def test_the_catalogs_hold_every_string_of_the_code_and_templates(tmp_path):
    """makemessages on a copy finds nothing the catalogs lack."""
    for part in ("articles", "newsroom", "templates", "manage.py"):
        source = ROOT / part
        (shutil.copytree if source.is_dir() else shutil.copy)(source, tmp_path / part)
    shutil.copytree(ROOT / "locale", tmp_path / "locale")
    before = {language: _ids(tmp_path, language) for language in CATALOGS}
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "ja", "-l", "en", "--no-location", "-v0"],
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "DEBUG": "1"},
        check=True,
    )
    for language in CATALOGS:
        assert _ids(tmp_path, language) - before[language] == set()


def test_the_catalogs_hold_every_string_of_the_templates():
    """Without GNU gettext: each template as makemessages reads it (templatize), through Babel's Python extractor."""
    found = set()
    for path in (ROOT / "templates").rglob("*"):
        if path.suffix in {".html", ".xml", ".txt"}:
            source = templatize(path.read_text(), origin=str(path)).encode()
            for _line, message, _comments, _context in extract("python", BytesIO(source)):
                found.add(message if isinstance(message, str) else message[0])
    assert len(found) > 60  # the templates were read: the public pages' strings and the admin's
    assert {"Search", "Newer", "%(count)s article has “%(query)s”."} <= found
    for language in CATALOGS:
        assert found - _ids(ROOT, language) == set()


def _ids(root: Path, language: str) -> set:
    with (root / "locale" / language / "LC_MESSAGES" / "django.po").open("rb") as po:
        return {
            message.id if isinstance(message.id, str) else message.id[0]
            for message in read_po(po)
            if message.id
        }


@pytest.fixture
def story(db):
    moment = timezone.make_aware(datetime(2026, 3, 4, 9, 30))
    return ArticleFactory(title="港の朝市", body="本文。", published=moment)


@pytest.mark.django_db
def test_japanese_by_default_with_japanese_dates(client, story):
    html = client.get(reverse("articles:latest")).content.decode()
    assert '<html lang="ja">' in html and "最新記事" in html and "2026年3月4日" in html
    assert "記事を検索" in html


@pytest.mark.django_db
def test_english_when_settings_say_so(client, settings, story):
    settings.LANGUAGE_CODE = "en"
    html = client.get(reverse("articles:latest")).content.decode()
    assert '<html lang="en">' in html and "Latest articles" in html and "March 4, 2026" in html
    assert "最新記事" not in html and "1 min read" in html
    # An article written before the switch stays in its own language; a new one is in English.
    story.language = "en"
    story.save()
    article = client.get(story.get_absolute_url()).content.decode()
    assert '<meta property="og:locale" content="en_US">' in article and '"inLanguage": "en"' in article


def test_missing_or_older_catalogs_are_compiled_and_the_others_left_alone(tmp_path):
    shutil.copytree(ROOT / "locale", tmp_path / "locale", ignore=shutil.ignore_patterns("*.mo"))
    assert [path.parent.parent.name for path in catalogs.outdated(tmp_path / "locale")] == ["en", "ja"]
    written = catalogs.compile_outdated(tmp_path / "locale")
    assert sorted(path.parent.parent.name for path in written) == ["en", "ja"]
    assert catalogs.compile_outdated(tmp_path / "locale") == []  # up to date: nothing to do
    japanese = gettext.translation("django", tmp_path / "locale", languages=["ja"])
    assert japanese.gettext("Search") == "検索"


def test_the_system_check_warns_of_a_catalog_missing_or_older_than_its_source(tmp_path, monkeypatch):
    assert catalogs.check_compiled() == []  # the test session compiled them (conftest.py)
    shutil.copytree(ROOT / "locale", tmp_path / "locale")
    po_path = tmp_path / "locale" / "ja" / "LC_MESSAGES" / "django.po"
    po_path.touch()
    os.utime(po_path.with_suffix(".mo"), (0, 0))
    monkeypatch.setattr(catalogs, "LOCALE", tmp_path / "locale")
    warnings = run_checks(tags=[Tags.translation])
    assert [(warning.id, str(po_path.with_suffix(".mo")) in warning.msg) for warning in warnings] == [
        ("newsroom.W001", True)
    ]
    assert "make messages" in warnings[0].hint


@pytest.mark.django_db
def test_a_list_writes_the_same_day_in_each_language_in_turn(client, settings, story):
    # Lists remember how a day is written, and the page cache the pages: per language, or
    # English would get Japanese dates (say, after a restart with a shared cache).
    home = reverse("articles:home")
    assert "2026年3月4日" in client.get(home).content.decode()
    settings.LANGUAGE_CODE = "en"
    html = client.get(home).content.decode()
    assert "March 4, 2026" in html and "2026年3月4日" not in html
    settings.LANGUAGE_CODE = "ja"
    assert "2026年3月4日" in client.get(home).content.decode()


def test_templates_translate_and_escape_what_they_put_into_a_string():
    from django.template import engines
    from django.utils import translation

    template = engines["django"].from_string(
        "{% load i18n %}{% translate 'Search' %}"
        "|{% blocktranslate count minutes=3 %}{{ minutes }} min read{% plural %}{{ minutes }} min read"
        "{% endblocktranslate %}|{% translate ', ' context 'between names in a byline' %}"
        "|{% blocktranslate %}Preview ({{ status }}): this is how the article will look.{% endblocktranslate %}"
    )
    with translation.override("ja"):
        search, minutes, between, preview = template.render({"status": "<b>下書き</b>"}).split("|")
    assert (search, minutes, between) == ("検索", "3分で読めます", "、")
    assert preview == "プレビュー（&lt;b&gt;下書き&lt;/b&gt;）：公開時にはこのように表示されます。"
    with translation.override("en"):
        assert template.render({"status": "Draft"}).split("|")[:3] == ["Search", "3 min read", ", "]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "title", "count"),
    [
        ("ja", "「&lt;i&gt;朝市&lt;/i&gt;」の検索結果", "「&lt;i&gt;朝市&lt;/i&gt;」を含む記事は 1 件です。"),
        ("en", "“&lt;i&gt;朝市&lt;/i&gt;”: search", "1 article has “&lt;i&gt;朝市&lt;/i&gt;”."),
    ],
)
def test_a_page_is_in_the_language_of_the_settings_with_what_it_quotes_escaped(
    client, settings, language, title, count
):
    settings.LANGUAGE_CODE = language
    ArticleFactory(title="港の朝市", published=True)
    html = client.get(reverse("articles:search"), {"q": "<i>朝市</i>"}).content.decode()
    assert f"<title>{title} | " in html
    assert f'<p class="result-count" role="status">{count}</p>' in html
    assert "<i>朝市" not in html
