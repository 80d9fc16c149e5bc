"""Import edge cases found in review: nothing crashes, nothing of the desk's work is undone."""

import shutil
from datetime import UTC
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from articles.desk import workflow
from articles.models import Article, LegacyAddress, PublicChange
from articles.tests.conftest import run_import
from articles.tests.factories import StaffFactory, publisher

pytestmark = pytest.mark.django_db
POSTS = Path(__file__).parent / "posts"
JAPANESE = POSTS / "2025-11-16-datacenter-toushi.md"


run = run_import


def post(folder: Path, name: str, front: str, body: str = "本文です。\n") -> Path:
    path = folder / name
    path.write_text(f"---\n{front}\n---\n\n{body}", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("front", "reason"),
    [
        ("title: a\nreading_time: .nan", "'reading_time' must be a number"),
        ("title: a\nreading_time: .inf", "'reading_time' must be a number"),
        ("title: a\nweight: .nan", "is a number"),
        ("title: !!bool maybe", "which YAML cannot read from 'maybe'"),
        ("title: a\ndate: !!timestamp soon", "'date' is not a real date"),
        ("title: !custom x", "not a value tagged !custom"),
        ("title: a\nfoo: !custom x", "a value tagged !custom"),
        ("title: a\nfoo: !!int abc", "which YAML cannot read from 'abc'"),
        ("title: a\nnested: " + "[" * 40 + "]" * 40, "nested more than"),
        ("title: a\ntoc: on", "YAML reads 'on' as True"),
        ("title: a\nversion: 012", "YAML reads '012' as 10"),
        ("title: a\nsize: 1_000", "YAML reads '1_000' as 1000"),
        ("title: a\nstart: 12:30", "YAML reads '12:30' as 750"),
        ("title: a\nsections: !!set {a, b}", "not supported"),
        ("title: a\nparams: {x: 1, x: 2}", "the key 'x' appears twice"),
        ('title: a\nexcerpt: "x\u2028y"', "Unicode line separator (U+2028)"),
        ('title: a\ntags: ["' + "㍿" * 30 + '"]', "the tag “株式会社"),
        ("title: a\npermalink: /:year/:title.html", "has placeholders"),
    ],
)
def test_hostile_front_matter_is_refused_and_the_run_goes_on(chief, tmp_path, front, reason):
    post(tmp_path, "2025-01-01-bad.md", front)
    post(tmp_path, "2025-01-02-good.md", "title: 良い記事")
    code, out, err = run(tmp_path)
    assert code == 1
    assert reason in err
    assert "1 created, 0 updated, 0 unchanged, 1 refused" in out
    assert list(Article.objects.values_list("title", flat=True)) == ["良い記事"]


def test_reimporting_an_unchanged_file_keeps_the_desks_edits_and_takedowns(chief, tmp_path):
    path = tmp_path / JAPANESE.name
    shutil.copy(JAPANESE, path)
    run(path)
    article = Article.objects.get()
    article.title = "デスクが直した見出し"
    article.save()
    workflow.perform(article, "unpublish", by=publisher(), comment="legal takedown")
    marker = PublicChange.objects.get().changed_at

    code, out, _ = run(path)

    article.refresh_from_db()
    assert code == 0 and "1 unchanged" in out
    assert article.title == "デスクが直した見出し"
    assert article.status == Article.Status.UNPUBLISHED
    assert PublicChange.objects.get().changed_at == marker  # nothing public changed


def test_a_changed_file_for_an_article_edited_on_the_desk_is_a_conflict_not_an_overwrite(chief, tmp_path):
    path = tmp_path / JAPANESE.name
    shutil.copy(JAPANESE, path)
    run(path)
    article = Article.objects.get()
    article.body += "\n\nデスクが足した段落。"
    article.save()
    path.write_text(path.read_text().replace("約300億円", "約310億円"), encoding="utf-8")

    code, _, err = run(path)

    assert code == 1 and "changed in Newsroom since it was imported" in err
    assert "デスクが足した段落" in Article.objects.get().body


def test_two_files_with_the_same_date_and_slug_import_once(chief, tmp_path):
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        post(tmp_path / folder, "2025-05-01-same.md", f"title: {folder}")
    code, out, err = run(tmp_path)
    assert code == 1 and "1 created" in out and "1 refused" in out
    assert "the same date and slug as" in err
    assert Article.objects.get().title == "a"


def test_a_changed_permalink_updates_once_and_is_exported(chief, tmp_path):
    path = post(tmp_path, "2025-05-01-moved.md", "title: 移転\npermalink: /old/moved.html")
    run(path)
    path.write_text(path.read_text().replace("/old/moved.html", "/old/moved-v2/"), encoding="utf-8")
    assert "1 updated" in run(path)[1]
    assert "1 unchanged" in run(path)[1]
    out_dir = tmp_path / "out"
    call_command("export_posts", str(out_dir), stdout=StringIO())
    assert "permalink: /old/moved-v2/" in (out_dir / "2025-05-01-moved.md").read_text()


@pytest.mark.parametrize(
    ("permalink", "request_path"),
    [
        ("/news/%E8%A8%98%E4%BA%8B.html", "/news/記事.html"),
        ("https://old.example.com/p5/", "/p5/"),
        ("/p8?x=1", "/p8"),
        ("/blog/perm.html", "/blog/perm"),
        ("/blog/perm2/", "/blog/perm2/index.html"),
    ],
)
def test_old_addresses_in_every_spelling_redirect(client, chief, tmp_path, permalink, request_path):
    run(post(tmp_path, "2025-05-01-old.md", f"title: 旧記事\npermalink: '{permalink}'"))
    response = client.get(request_path)
    assert response.status_code == 301
    assert response["Location"] == Article.objects.get().get_absolute_url()


def test_hugo_aliases_redirect_too(client, chief, tmp_path):
    run(post(tmp_path, "2025-05-01-hugo.md", "title: Hugo\naliases: [/old/one/, /old/two.html]"))
    assert client.get("/old/one/").status_code == 301
    assert client.get("/old/two.html").status_code == 301
    assert LegacyAddress.objects.count() == 2


def test_japanese_commas_separate_tags(chief, tmp_path):
    run(post(tmp_path, "2025-05-01-tags.md", "title: タグ\ntags: AI，投資、技術"))
    assert sorted(Article.objects.get().tags.names()) == sorted(["AI", "投資", "技術"])


def test_identity_comes_from_the_file_name_whatever_the_time_zone(chief, tmp_path, settings):
    path = post(tmp_path, "2025-11-16-late.md", "title: 深夜\ndate: 2025-11-16 23:30:00 +0000")
    run(path)
    settings.TIME_ZONE = "UTC"
    code, out, _ = run(path)
    assert code == 0 and "1 unchanged" in out


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("2025-11-16 12:56:47.123 +0900", "2025-11-16T03:56:47.123000+00:00"),
        ("2025-1-6", "2025-01-05T15:00:00+00:00"),
        ("2025-11-16 12:56:47 +0000 UTC", "2025-11-16T12:56:47+00:00"),
        ("2025-11-16T12:56:47Z", "2025-11-16T12:56:47+00:00"),
    ],
)
def test_date_formats_jekyll_accepts(chief, tmp_path, written, expected):
    run(post(tmp_path, "2025-11-16-d.md", f"title: d\ndate: {written}"))
    assert Article.objects.get().published_at.astimezone(UTC).isoformat() == expected


def test_a_title_of_punctuation_alone_needs_a_slug(chief, tmp_path):
    post(tmp_path, "untitled.md", "title: '？！'\ndate: 2025-01-01")
    code, _, err = run(tmp_path)
    assert code == 1 and "no slug can be made from the title; give one with 'slug:'" in err


def test_an_empty_date_falls_back_to_the_file_name(chief, tmp_path):
    run(post(tmp_path, "2025-07-01-empty.md", "title: 日付なし\ndate:"))
    assert timezone.localtime(Article.objects.get().published_at).date().isoformat() == "2025-07-01"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ("---\ntitle: 日本\n---\n".encode("utf-16"), "the file is UTF-16, not UTF-8"),
        (b"\xef\xbb\xbf---\ntitle: caf\xe9\n---\n", "byte 17: the file is not valid UTF-8"),
    ],
)
def test_encodings_are_named_and_placed_exactly(chief, tmp_path, data, reason):
    (tmp_path / "2025-01-01-enc.md").write_bytes(data)
    assert reason in run(tmp_path)[2]


def test_a_user_who_may_not_write_articles_cannot_import(db, tmp_path):
    StaffFactory(username="viewer", permissions=["view_article"])
    with pytest.raises(CommandError, match="may not add and change articles"):
        call_command("import_posts", str(JAPANESE), "--user", "viewer", stdout=StringIO())
    assert not Article.objects.exists()


def test_export_reports_and_prunes_files_not_from_this_export(chief, tmp_path):
    run(JAPANESE)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    (out_dir / "2001-01-01-gone.md").write_text("---\ntitle: gone\n---\n")
    err = StringIO()
    call_command("export_posts", str(out_dir), stdout=StringIO(), stderr=err)
    assert "1 other .md file(s)" in err.getvalue() and (out_dir / "2001-01-01-gone.md").exists()
    call_command("export_posts", str(out_dir), "--prune", stdout=StringIO(), stderr=StringIO())
    assert sorted(p.name for p in out_dir.iterdir()) == ["2025-11-16-datacenter-toushi.md"]


def test_publishing_a_draft_that_carries_an_old_date_publishes_it_now(chief, tmp_path):
    run(post(tmp_path, "2020-01-01-old-draft.md", "title: 古い下書き\npublished: false"))
    article = Article.objects.get()
    workflow.publish_through_review(article, by=chief)
    assert article.published_at > timezone.now() - timezone.timedelta(minutes=1)


def test_a_typed_excerpt_given_to_create_is_kept(db):
    from articles.tests.factories import ArticleFactory

    assert ArticleFactory(excerpt="編集者の抜粋。").excerpt == "編集者の抜粋。"


def test_empty_excerpt_beside_a_description_survives_two_round_trips(chief, tmp_path):
    run(post(tmp_path, "2025-03-23-desc.md", "title: 説明\nexcerpt: ''\ndescription: The description"))
    first, second = tmp_path / "first", tmp_path / "second"
    call_command("export_posts", str(first), stdout=StringIO())
    Article.objects.all().delete()
    run(first)
    call_command("export_posts", str(second), stdout=StringIO())
    assert (first / "2025-03-23-desc.md").read_bytes() == (second / "2025-03-23-desc.md").read_bytes()
    assert Article.objects.get().excerpt == "本文です。"
