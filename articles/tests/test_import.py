import shutil
from datetime import UTC, datetime
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.models import Article, ArticleEvent, Author, Category, LegacyAddress, Tag
from articles.tests.conftest import run_import
from articles.tests.factories import ArticleFactory, StaffFactory
from articles.transfer.posts import Outcome, import_post

pytestmark = pytest.mark.django_db
POSTS = Path(__file__).parent / "posts"
JAPANESE = POSTS / "2025-11-16-datacenter-toushi.md"
ENGLISH = POSTS / "2026-03-02-harbor-wall.markdown"


run = run_import


def write(tmp_path, name, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_japanese_post_imports_with_every_field(chief):
    code, out, _ = run(JAPANESE)
    article = Article.objects.get()

    assert code == 0 and "1 created" in out
    assert article.title == "港町データセンター計画、総額300億円の投資を発表"
    assert article.published_at == datetime(2025, 11, 16, 12, 56, 47, tzinfo=UTC)
    assert article.is_public
    assert article.slug == "datacenter-toushi"  # from the file name
    assert [a.name for a in article.byline()] == ["港町タイムズ編集部"]
    assert article.byline()[0].is_desk
    assert [c.name for c in article.categories.all()] == ["投資分析"]
    assert sorted(article.tags.names()) == sorted(
        ["AI", "最新ニュース", "技術動向", "データセンター", "投資", "電力"]
    )
    assert article.excerpt == "港町市の沖合に計画されるデータセンターについて詳しく分析します。"
    assert '<h2 id="電力の確保が課題">' in article.body_html and "<table>" in article.body_html
    assert article.front_matter == "layout: post\ncustom_field: 保持される値\n"  # in the file's order
    assert article.created_by == chief


def test_a_new_public_post_is_published_through_the_review_with_one_save(chief):
    """The log has the import and each step of the review; the article was written once, published."""
    with CaptureQueriesContext(connection) as queries:
        run(JAPANESE)
    article = Article.objects.get()
    log = list(article.events.values_list("action", "from_status", "to_status", "via", "actor"))
    assert log == [
        ("import", "draft", "draft", "import", chief.pk),
        ("submit", "draft", "in_review", "import", chief.pk),
        ("approve", "in_review", "approved", "import", chief.pk),
        ("publish", "approved", "published", "import", chief.pk),
    ]
    assert article.version == 4  # a version for the import and one for each step
    (revision,) = article.history.all()
    assert revision.status == "published" and revision.history_type == "+"
    assert all(event.created_at >= revision.history_date for event in article.events.all())
    writes = [q["sql"] for q in queries if q["sql"].startswith(("INSERT", "UPDATE"))]
    assert [sql for sql in writes if 'articles_article"' in sql.split("(")[0]] == [writes[0]]
    assert sum('"articles_articleevent"' in sql.split("(")[0] for sql in writes) == 1


def test_english_post_with_string_lists_two_authors_and_an_image(chief):
    run(ENGLISH)
    article = Article.objects.get()

    assert article.published_at == datetime(2026, 3, 2, 0, 30, tzinfo=UTC)
    assert article.slug == "harbor-wall"
    assert [a.name for a in article.byline()] == ["Emily Carter", "佐藤 花子"]
    assert sorted(c.name for c in article.categories.all()) == ["english", "local"]  # Jekyll: split on spaces
    assert sorted(article.tags.names()) == ["budget", "council", "harbour"]  # commas win over spaces
    assert article.excerpt == "The city council approved a 4.8 billion yen plan on Tuesday."
    assert article.hero_src == "https://images.example.com/harbour-wall.jpg"
    assert article.hero_alt == "The old harbour wall at low tide"


def test_import_is_recorded_in_the_event_log(chief):
    run(JAPANESE)
    events = list(ArticleEvent.objects.values_list("action", "via", "to_status", "actor__username"))
    assert events == [
        ("import", "import", "draft", "chief"),
        ("submit", "import", "in_review", "chief"),
        ("approve", "import", "approved", "chief"),
        ("publish", "import", "published", "chief"),
    ]


def test_permalink_redirects_permanently_to_the_article(client, chief):
    run(JAPANESE)
    article = Article.objects.get()

    for old in ["/2025/11/16/datacenter.html", "/2025/11/16/datacenter.html/"]:
        response = client.get(old)
        assert response.status_code == 301
        assert response["Location"] == article.get_absolute_url()
    article.slug = "renamed"
    article.save()
    assert client.get("/2025/11/16/datacenter.html")["Location"] == article.get_absolute_url()
    assert client.get("/2025/11/16/other.html").status_code == 404


def test_reimporting_the_same_files_changes_nothing(chief, tmp_path):
    shutil.copytree(POSTS, tmp_path / "posts")
    run(tmp_path / "posts")
    before = list(Article.objects.values_list("pk", "version", "updated_at").order_by("pk"))
    events = ArticleEvent.objects.count()

    code, out, _ = run(tmp_path / "posts")

    assert code == 0 and "0 created, 0 updated, 2 unchanged, 0 refused" in out
    assert list(Article.objects.values_list("pk", "version", "updated_at").order_by("pk")) == before
    assert ArticleEvent.objects.count() == events
    assert Author.objects.count() == 3 and Tag.objects.count() == 9


def test_a_changed_file_updates_its_article(chief, tmp_path):
    path = tmp_path / JAPANESE.name
    shutil.copy(JAPANESE, path)
    run(path)
    path.write_text(path.read_text().replace("総事業費は約300億円", "総事業費は約320億円"), encoding="utf-8")

    code, out, _ = run(path)
    article = Article.objects.get()
    assert "1 updated" in out
    assert "約320億円" in article.body_html and article.version > 1


def test_a_file_turned_draft_unpublishes_its_article(chief, tmp_path):
    path = tmp_path / JAPANESE.name
    shutil.copy(JAPANESE, path)
    run(path)
    path.write_text(
        path.read_text().replace("layout: post", "layout: post\npublished: false"), encoding="utf-8"
    )
    run(path)
    assert Article.objects.get().status == Article.Status.UNPUBLISHED


@pytest.mark.parametrize("flag", ["published: false", "draft: true"])
def test_a_draft_file_makes_a_draft(chief, tmp_path, flag):
    path = write(tmp_path, "2026-01-05-memo.md", f"---\ntitle: メモ\n{flag}\n---\n本文。\n".encode())
    run(path)
    article = Article.objects.get()
    assert article.status == Article.Status.DRAFT and not article.is_public


def test_status_draft_imports_everything_as_drafts(chief):
    run(POSTS, "--status", "draft")
    assert Article.objects.count() == 2
    assert not Article.objects.published().exists()


def test_publishing_needs_the_users_permission_and_says_why_not(db):
    StaffFactory(username="writer", role="Writer")
    code, out, _ = run(JAPANESE, "--user", "writer")
    assert code == 0
    article = Article.objects.get()
    assert article.status == Article.Status.DRAFT  # approving is an editor's: nothing of the walk is kept
    assert not article.events.exclude(action="import").exists()
    assert "not published: You do not have permission to “Approve”" in out


def test_dry_run_writes_nothing_but_reports(chief):
    code, out, _ = run(POSTS, "--dry-run")
    assert code == 0 and "Dry run" in out and "2 created" in out
    assert not Article.objects.exists() and not Author.objects.exists() and not Tag.objects.exists()


def test_reading_time_differing_by_more_than_two_minutes_is_a_note(chief, tmp_path):
    path = write(
        tmp_path, "2026-01-05-long.md", "---\ntitle: 長い\nreading_time: 9\n---\n短い本文。\n".encode()
    )
    _, out, _ = run(path)
    assert Article.objects.get().reading_time == 1
    assert "note: the file says 9 min to read; Newsroom counts 1" in out


def test_line_endings_and_byte_order_mark_give_identical_rows(chief, tmp_path):
    text = JAPANESE.read_bytes()
    variants = {
        "lf": text,
        "crlf": text.replace(b"\n", b"\r\n"),
        "bom": b"\xef\xbb\xbf" + text.replace(b"\n", b"\r\n"),
    }
    rows = {}
    for name, data in variants.items():
        folder = tmp_path / name
        folder.mkdir()
        write(folder, JAPANESE.name, data)
        run(folder)
        article = Article.objects.get()
        rows[name] = (article.title, article.body, article.body_html, article.excerpt, article.published_at)
        article.delete()
    assert rows["lf"] == rows["crlf"] == rows["bom"]
    assert "\r" not in rows["crlf"][1]


def test_unknown_user_and_missing_path_are_clear_errors(chief, tmp_path):
    with pytest.raises(CommandError, match="No user named 'nobody'"):
        call_command("import_posts", str(JAPANESE), "--user", "nobody")
    with pytest.raises(CommandError, match="No such file or folder"):
        call_command("import_posts", str(tmp_path / "missing"))


def test_folders_are_searched_recursively_for_md_and_markdown(chief, tmp_path):
    nested = tmp_path / "a" / "b"
    nested.mkdir(parents=True)
    shutil.copy(JAPANESE, nested / JAPANESE.name)
    shutil.copy(ENGLISH, tmp_path / ENGLISH.name)
    (tmp_path / "notes.txt").write_text("not a post")
    code, out, _ = run(tmp_path)
    assert code == 0 and "2 file(s)" in out and Article.objects.count() == 2


def test_a_slug_taken_by_another_article_is_refused(chief, tmp_path):
    ArticleFactory(slug="datacenter-toushi")
    result = import_post(path=JAPANESE, user=chief)
    assert result.outcome == Outcome.REFUSED
    assert "datacenter-toushi" in result.message and Article.objects.count() == 1


def test_a_permalink_of_another_article_is_refused_and_nothing_is_written(chief, tmp_path):
    other = ArticleFactory()
    LegacyAddress.objects.create(path=LegacyAddress.normalize("/2025/11/16/datacenter.html"), article=other)
    result = import_post(path=JAPANESE, user=chief)
    assert result.outcome == Outcome.REFUSED
    assert Article.objects.count() == 1 and not Author.objects.filter(name="港町タイムズ編集部").exists()
    assert not Category.objects.filter(name="投資分析").exists()


def test_a_changed_slug_that_another_article_holds_is_refused_not_a_crash(chief, tmp_path):
    path = tmp_path / JAPANESE.name
    shutil.copy(JAPANESE, path)
    run(path)
    ArticleFactory(slug="taken")
    path.write_text(path.read_text().replace("layout: post", "layout: post\nslug: taken"), encoding="utf-8")
    code, _, err = run(path)
    assert code == 1 and "the slug “taken” is already used" in err


class Terminal(StringIO):
    def isatty(self):
        return True


def test_progress_is_a_counter_on_a_terminal_and_silent_elsewhere():
    from articles.management.commands._progress import Progress

    terminal, pipe = Terminal(), StringIO()
    for stream in (terminal, pipe):
        with Progress(3, stream=stream, label="importing") as progress:
            for _ in range(3):
                progress.step()
    assert "importing 3/3" in terminal.getvalue()
    assert pipe.getvalue() == ""
