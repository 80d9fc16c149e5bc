"""Importing many files with --jobs: others read and render, one writes; the result is the same."""

import pytest

from articles.management.commands.import_posts import PARALLEL_FROM
from articles.models import Article
from articles.rendering import Rendered

from .conftest import run_import
from .factories import ArticleFactory

pytestmark = pytest.mark.django_db(transaction=True)


def write_posts(folder, count):
    folder.mkdir()
    for n in range(count):
        (folder / f"2026-01-{1 + n % 28:02d}-post-{n}.md").write_text(
            f'---\ntitle: "記事 {n}"\nauthor: "記者 {n % 3}"\ntags: ["港", "話題{n % 5}"]\n---\n\n'
            f"港町の話題、その{n}。市の担当者は第{n}回の会合について説明した。\n\n## 見出し\n\n二段落目 {n}。\n",
            encoding="utf-8",
        )
    (folder / "2026-02-01-broken.md").write_text('---\ntitle: "閉じない\n---\n本文\n', encoding="utf-8")


def rows():
    return sorted(
        (a.slug, a.title, a.body_html, a.reading_time, a.excerpt, a.status, sorted(a.tags.names()))
        for a in Article.objects.all()
    )


def test_two_processes_import_exactly_what_one_does(tmp_path, chief):
    count = PARALLEL_FROM + 10
    write_posts(tmp_path / "posts", count)
    status, out, err = run_import("--jobs", "2", tmp_path / "posts")
    assert status == 1 and f"{count + 1} file(s): {count} created" in out
    assert "2026-02-01-broken.md" in err
    in_parallel = rows()
    Article.objects.all().delete()
    status, out, err = run_import("--jobs", "1", tmp_path / "posts")
    assert f"{count} created" in out and rows() == in_parallel
    assert len(in_parallel) == count and all(row[5] == "published" for row in in_parallel)


def test_a_body_rendered_ahead_is_used_only_for_that_body():
    article = ArticleFactory.build(body="# 本文")
    article.prerendered = Rendered("# 本文", "<p>ahead</p>", 7, "ahead", "ahead")
    article.save()
    assert (article.body_html, article.reading_time, article.excerpt) == ("<p>ahead</p>", 7, "ahead")
    assert " ahead " in article.search_text and "本文" not in article.search_text
    other = ArticleFactory.build(body="# 別の本文")
    other.prerendered = Rendered("# 本文", "<p>ahead</p>", 7, "ahead", "ahead")
    other.save()
    assert other.body_html == '<h1 id="別の本文">別の本文</h1>' and other.reading_time == 1
    assert other.excerpt != "ahead"
    assert "別の本文" in other.search_text and "ahead" not in other.search_text


def test_inside_a_transaction_the_files_are_read_in_this_process(tmp_path, chief):
    from django.db import transaction

    write_posts(tmp_path / "posts", PARALLEL_FROM)
    with transaction.atomic():
        status, out, err = run_import("--jobs", "2", tmp_path / "posts")
        assert f"{PARALLEL_FROM} created" in out and Article.objects.count() == PARALLEL_FROM
    assert Article.objects.count() == PARALLEL_FROM
