"""Both languages: every UI string translated, the language from settings, dates as the locale writes them."""

import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from django.urls import reverse
from django.utils import timezone

from .factories import ArticleFactory

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


def test_the_catalogs_hold_every_string_of_the_public_templates():
    """The public site's Jinja2 templates, which makemessages does not read, through Babel's extractor."""
    found = {
        message if isinstance(message, str) else message[0]
        for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT / "templates" / "jinja2",
            method_map=[("**.html", "jinja2"), ("**.xml", "jinja2")],
            options_map={"**": {"extensions": "jinja2.ext.i18n"}},
        )
    }
    assert len(found) > 40  # the extractor read the templates
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
    html = client.get(reverse("articles:home")).content.decode()
    assert '<html lang="ja">' in html and "最新記事" in html and "2026年3月4日" in html
    assert "記事を検索" in html


@pytest.mark.django_db
def test_english_when_settings_say_so(client, settings, story):
    settings.LANGUAGE_CODE = "en"
    html = client.get(reverse("articles:home")).content.decode()
    assert '<html lang="en">' in html and "Latest articles" in html and "March 4, 2026" in html
    assert "最新記事" not in html and "1 min read" in html
    article = client.get(story.get_absolute_url()).content.decode()
    assert '<meta property="og:locale" content="en_US">' in article and '"inLanguage": "en"' in article


def test_catalogs_compile_by_themselves_when_missing_or_older(tmp_path):
    from newsroom.catalogs import compile_outdated

    shutil.copytree(ROOT / "locale", tmp_path / "locale", ignore=shutil.ignore_patterns("*.mo"))
    written = compile_outdated(tmp_path / "locale")
    assert sorted(path.parent.parent.name for path in written) == ["en", "ja"]
    assert compile_outdated(tmp_path / "locale") == []  # up to date: nothing to do
    import gettext

    japanese = gettext.translation("django", tmp_path / "locale", languages=["ja"])
    assert japanese.gettext("Search") == "検索"


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


def test_public_templates_translate_and_escape_what_they_put_into_a_string():
    from django.template import engines
    from django.utils import translation

    template = engines["jinja2"].from_string(
        "{{ _('Search') }}|{% trans minutes=3 %}{{ minutes }} min read{% pluralize %}{{ minutes }} min read"
        "{% endtrans %}|{{ pgettext('between names in a byline', ', ') }}"
        "|{% trans status=status %}Preview ({{ status }}): this is how the article will look.{% endtrans %}"
    )
    with translation.override("ja"):
        search, minutes, between, preview = template.render({"status": "<b>下書き</b>"}).split("|")
    assert (search, minutes, between) == ("検索", "3分で読めます", "、")
    assert preview == "プレビュー（&lt;b&gt;下書き&lt;/b&gt;）：公開時にはこのように表示されます。"
    with translation.override("en"):
        assert template.render({"status": "Draft"}).split("|")[:3] == ["Search", "3 min read", ", "]


def test_a_page_translates_with_the_catalog_of_its_language_looked_up_once():
    # Rendered with a request, the templates' gettext is bound to the active catalog when the
    # page starts (newsroom.jinja2.translations): each language still gets its own strings, and
    # what goes into a string is still escaped.
    from django.template import engines
    from django.test import RequestFactory
    from django.utils import translation

    from newsroom.jinja2 import translations

    template = engines["jinja2"].from_string(
        "{{ _('Search') }}|{% trans minutes=3 %}{{ minutes }} min read{% pluralize %}{{ minutes }} min read"
        "{% endtrans %}|{% trans status=status %}Preview ({{ status }}): this is how the article will look."
        "{% endtrans %}|{{ _('') }}"
    )
    request = RequestFactory().get("/")
    for language, expected in [
        (
            "ja",
            [
                "検索",
                "3分で読めます",
                "プレビュー（&lt;b&gt;下書き&lt;/b&gt;）：公開時にはこのように表示されます。",
                "",
            ],
        ),
        (
            "en",
            [
                "Search",
                "3 min read",
                "Preview (&lt;b&gt;下書き&lt;/b&gt;): this is how the article will look.",
                "",
            ],
        ),
    ]:
        with translation.override(language):
            assert translations(request)["_"]("Search") == expected[0]
            assert template.render({"status": "<b>下書き</b>"}, request=request).split("|") == expected
