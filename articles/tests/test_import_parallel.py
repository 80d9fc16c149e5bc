"""Importing many files with --jobs: others read and render, one writes; the result is the same."""

import os
import sys

import pytest
from django.utils import translation

from articles.management.commands.import_posts import PARALLEL_FROM
from articles.models import Article
from articles.tests.conftest import run_import
from articles.tests.factories import ArticleFactory
from articles.text import copydesk
from articles.text.rendering import Rendered
from articles.transfer.posts import import_post, prepare

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


READERS = None  # where prepare_and_sign() writes which process read each file


def prepare_and_sign(path):
    with READERS.open("a") as log:
        log.write(f"{os.getpid()}\n")
    return prepare(path)


def test_with_two_jobs_another_process_reads_the_files(tmp_path, chief, monkeypatch):
    from articles.management.commands import import_posts as command

    readers = tmp_path / "readers"
    monkeypatch.setattr(sys.modules[__name__], "READERS", readers)
    monkeypatch.setattr(command, "prepare", prepare_and_sign)
    write_posts(tmp_path / "posts", PARALLEL_FROM)
    status, out, err = run_import("--jobs", "2", tmp_path / "posts")
    assert f"{PARALLEL_FROM} created" in out
    pids = readers.read_text().split()
    assert len(pids) == PARALLEL_FROM + 1 and str(os.getpid()) not in pids


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


PARAGRAPH = "港町市の議会は、防災計画の見直しについて二時間にわたって議論し、来年度から新しい避難所を三か所設けることを決めた。"
AWKWARD = {
    # a warning the text alone tells (a full-width and a half-width form of the same letters)
    "2026-03-01-widths.md": "ＡＢＣ社の発表によると、ABC社の売上は伸びた。\n",
    # what blocks publication: a repeated paragraph
    "2026-03-02-repeated.md": f"{PARAGRAPH}\n\n{PARAGRAPH}\n",
    # links into the site, which only the database can tell about: to an article of this import, to none
    "2026-03-03-links.md": "[初回](/2026/01/01/post-0/)と[消えた記事](/2020/01/01/nothing-here/)を参照。\n",
}


def write_awkward(folder):
    for name, body in AWKWARD.items():
        (folder / name).write_text(f'---\ntitle: "{name[11:-3]}"\n---\n\n{body}', encoding="utf-8")


def test_findings_read_ahead_are_what_the_copy_desk_finds_on_the_saved_article(tmp_path, chief):
    folder = tmp_path / "posts"
    write_posts(folder, PARALLEL_FROM)
    write_awkward(folder)
    run_import("--jobs", "2", folder)
    articles = {a.slug: a for a in Article.objects.all()}
    assert len(articles) == PARALLEL_FROM + len(AWKWARD)
    for article in articles.values():
        assert article.findings == [f.as_dict() for f in copydesk.check(article)], article.slug
    codes = {slug: {f["code"] for f in articles[slug].findings} for slug in ("widths", "repeated", "links")}
    assert codes == {"widths": {"width"}, "repeated": {"duplicate"}, "links": {"link"}}
    assert [f["kind"] for f in articles["links"].findings] == ["link_missing"]
    assert articles["repeated"].status == "draft" and articles["repeated"].blocking_findings == 1
    assert articles["widths"].status == "published" and articles["post-0"].findings == []


def test_only_a_text_without_links_into_the_site_is_checked_ahead(tmp_path):
    write_awkward(tmp_path)
    ahead = {path.name: prepare(path).findings for path in sorted(tmp_path.iterdir())}
    assert ahead["2026-03-03-links.md"] is None
    assert [f.code for f in ahead["2026-03-01-widths.md"]] == ["width"]
    assert [(f.code, f.severity) for f in ahead["2026-03-02-repeated.md"]] == [("duplicate", "block")]


def test_a_new_article_refused_publication_is_returned_as_the_draft_it_was_saved_as(tmp_path, chief):
    write_awkward(tmp_path)
    with translation.override("en"):
        result = import_post(path=tmp_path / "2026-03-02-repeated.md", user=chief)
    assert [note[:14] for note in result.notes] == ["not published:"]
    saved = Article.objects.get(slug="repeated")
    assert (result.article.status, saved.status) == ("draft", "draft")
    assert result.article.version == saved.version and result.article.published_at == saved.published_at
    assert [e.action for e in saved.events.order_by("pk")] == ["import"]
