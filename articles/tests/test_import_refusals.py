"""Every reason a file is refused: a message `PATH:LINE: reason`, nothing written, the others imported."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from articles.models import Article, Author, Tag
from articles.tests.factories import StaffFactory

pytestmark = pytest.mark.django_db
GOOD = "---\ntitle: 良い記事\ntags: [港]\nauthor: 記者\n---\n本文です。\n"

BAD_FILES = {
    "empty": (b"", "the file is empty"),
    "blank": (b"  \n\n", "the file is empty"),
    "no-front-matter": ("本文だけ。\n".encode(), ":1: no front matter"),
    "toml": (b"+++\ntitle = 'x'\n+++\n", ":1: TOML front matter"),
    "unclosed": ("---\ntitle: 終わらない\n本文\n".encode(), ":1: the front matter never closes"),
    "not-a-mapping": ("---\n- 一\n- 二\n---\n".encode(), ":2: the front matter is not a mapping"),
    "scalar": ("---\nただの文字列\n---\n".encode(), ":2: the front matter is not a mapping"),
    "bad-utf8": (b"---\ntitle: caf\xe9\n---\n", ": byte 14: the file is not valid UTF-8"),
    "shift-jis": ("---\ntitle: 日本語\n---\n".encode("shift_jis"), "not valid UTF-8"),
    "nul": (b"---\ntitle: a\x00b\n---\n", ": byte 12: the file contains a NUL byte"),
    "bad-yaml": ("---\ntitle: [閉じない\n---\n".encode(), "the front matter is not valid YAML"),
    "tab-yaml": (b"---\ntitle: a\n\tdate: b\n---\n", "the front matter is not valid YAML"),
    "control-character": (
        b"---\ntitle: a\ndate: \x1f\n---\n",
        ":3: the front matter holds a character YAML does not accept (U+001F)",
    ),
    "repeated-key": ("---\ntitle: 一\ntitle: 二\n---\n".encode(), ":3: the key 'title' appears twice"),
    "alias": ("---\nbase: &b 見出し\ntitle: *b\n---\n".encode(), "YAML aliases (*name) are not allowed"),
    "no-title": (b"---\ndate: 2025-01-01\n---\n", "the front matter has no title"),
    "empty-title": (b"---\ntitle: ''\n---\n", "the front matter has no title"),
    "title-no": (
        b"---\ntitle: NO\n---\n",
        ":2: 'title' must be text, not a boolean: YAML reads 'NO' as False",
    ),
    "title-number": (
        b"---\ntitle: 12:30\n---\n",
        ":2: 'title' must be text, not a number: YAML reads '12:30' as 750",
    ),
    "title-list": (b"---\ntitle: [a, b]\n---\n", ":2: 'title' must be text, not a list"),
    "date-not-real": (b"---\ntitle: a\ndate: 2025-02-30\n---\n", ":3: 'date' is not a real date"),
    "date-text": ("---\ntitle: a\ndate: 来週\n---\n".encode(), ":3: 'date' is not a real date"),
    "date-number": (b"---\ntitle: a\ndate: 12:30\n---\n", ":3: 'date' must be a date"),
    "tag-boolean": (
        "---\ntitle: a\ntags: [港, yes]\n---\n".encode(),
        ":3: 'tags' must be text, not a boolean",
    ),
    "author-number": (b"---\ntitle: a\nauthor: 42\n---\n", ":3: 'author' must be text, not a number"),
    "published-text": (
        b"---\ntitle: a\npublished: maybe\n---\n",
        ":3: 'published' must be true or false",
    ),
    "reading-time-text": (
        b"---\ntitle: a\nreading_time: ten\n---\n",
        "'reading_time' must be a number",
    ),
    "bad-slug": (b"---\ntitle: a\nslug: a/b\n---\n", "the slug 'a/b' may hold only"),
    "long-title": (f"---\ntitle: {'長' * 201}\n---\n".encode(), "the title “長長長"),
    "huge": (
        b"---\ntitle: big\n---\n" + b"x" * (2 * 1024 * 1024),
        "the file is 2,097,171 bytes; the limit is 2,097,152",
    ),
}


@pytest.fixture
def chief(db):
    return StaffFactory(username="chief", is_superuser=True)


@pytest.mark.parametrize("case", BAD_FILES)
def test_a_bad_file_is_refused_with_its_place_and_reason_and_the_others_still_import(chief, tmp_path, case):
    data, expected = BAD_FILES[case]
    bad = tmp_path / f"2026-01-01-{case}.md"
    bad.write_bytes(data)
    (tmp_path / "2026-01-02-good.md").write_text(GOOD, encoding="utf-8")
    out, err = StringIO(), StringIO()

    with pytest.raises(CommandError) as refusal:
        call_command("import_posts", str(tmp_path), stdout=out, stderr=err)

    assert refusal.value.returncode == 1
    assert f"refused {bad}" in err.getvalue()
    assert expected in err.getvalue()
    assert "1 created, 0 updated, 0 unchanged, 1 refused" in out.getvalue()
    assert list(Article.objects.values_list("title", flat=True)) == ["良い記事"]
    assert list(Author.objects.values_list("name", flat=True)) == ["記者"]
    assert list(Tag.objects.values_list("name", flat=True)) == ["港"]


def test_a_date_from_the_file_name_must_be_real(chief, tmp_path):
    path = tmp_path / "2025-02-30-x.md"
    path.write_text("---\ntitle: a\n---\n", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("import_posts", str(path), stdout=StringIO(), stderr=(err := StringIO()))
    assert "the date in the file name is not a real date" in err.getvalue()


def test_no_date_anywhere_is_refused(chief, tmp_path):
    path = tmp_path / "undated.md"
    path.write_text("---\ntitle: a\n---\n", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("import_posts", str(path), stdout=StringIO(), stderr=(err := StringIO()))
    assert "there is no 'date'" in err.getvalue()
    assert not Article.objects.exists()
