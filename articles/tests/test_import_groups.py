"""The importer commits files in groups: what it reports is what it kept, and a refused file leaves nothing."""

import pytest

from articles.models import Article, Byline, PublicChange
from articles.tests.conftest import run_import
from articles.transfer import posts as transfer
from articles.transfer.posts import Outcome, import_posts, prepare

pytestmark = pytest.mark.django_db(transaction=True)  # real commits


def write_posts(folder, count, front_matter=""):
    folder.mkdir()
    for n in range(count):
        (folder / f"2026-01-{1 + n:02d}-post-{n}.md").write_text(
            f'---\ntitle: "記事 {n}"\nauthor: "記者 {n % 2}"\ntags: ["港"]\n{front_matter}---\n\n'
            f"港町の話題、その{n}。\n",
            encoding="utf-8",
        )
    return sorted(folder.iterdir())


def failing_on(monkeypatch, name, error):
    """Make the import of the file called `name` fail half-way, after its article is saved."""
    save = transfer.save_with_links

    def save_or_fail(article, post, names, **kwargs):
        save(article, post, names, **kwargs)
        if post.slug == name:
            error(article)

    monkeypatch.setattr(transfer, "save_with_links", save_or_fail)


def crash(article):
    raise RuntimeError("the machine went down")


@pytest.mark.parametrize(("files", "seconds", "kept"), [(3, 60, 3), (50, 0, 4)])
def test_a_run_that_stops_has_reported_only_what_it_committed(
    tmp_path, chief, monkeypatch, files, seconds, kept
):
    monkeypatch.setattr(transfer, "GROUP_FILES", files)
    monkeypatch.setattr(transfer, "GROUP_SECONDS", seconds)
    paths = write_posts(tmp_path / "posts", 6)
    failing_on(monkeypatch, "post-4", crash)
    reported = []
    with pytest.raises(RuntimeError, match="went down"):
        for result in import_posts(map(prepare, paths), user=chief):
            reported.append(result)
    assert [r.outcome for r in reported] == [Outcome.CREATED] * kept
    assert sorted(Article.objects.values_list("slug", flat=True)) == [f"post-{n}" for n in range(kept)]


def test_a_group_whose_commit_fails_is_imported_again_a_file_at_a_time(tmp_path, chief, monkeypatch):
    write_posts(tmp_path / "posts", 5)

    def dangling_byline(article):  # a foreign key the database checks only at the commit
        Byline.objects.create(article=article, author_id=10**9, position=9)

    failing_on(monkeypatch, "post-2", dangling_byline)
    status, out, err = run_import(tmp_path / "posts")
    assert status == 1 and "4 created, 0 updated, 0 unchanged, 1 refused" in out
    assert "2026-01-03-post-2.md: the database refused it" in err
    assert sorted(Article.objects.values_list("slug", flat=True)) == ["post-0", "post-1", "post-3", "post-4"]
    assert not Byline.objects.filter(author_id=10**9).exists()


def test_files_refused_after_their_article_was_saved_leave_the_public_mark_alone(tmp_path, chief):
    PublicChange.objects.update_or_create(pk=1, defaults={"changed_at": "2026-01-01T00:00:00Z"})
    marker = PublicChange.objects.get().changed_at
    # a placeholder in the old address is refused once the article row is written
    write_posts(tmp_path / "posts", 3, front_matter='permalink: "/:year/:title/"\n')
    status, out, err = run_import(tmp_path / "posts")
    assert status == 1 and "0 created, 0 updated, 0 unchanged, 3 refused" in out
    assert "has placeholders" in err
    assert not Article.objects.exists()
    assert PublicChange.objects.get().changed_at == marker


def test_a_dry_run_of_several_groups_writes_nothing(tmp_path, chief, monkeypatch):
    monkeypatch.setattr(transfer, "GROUP_FILES", 2)
    PublicChange.objects.update_or_create(pk=1, defaults={"changed_at": "2026-01-01T00:00:00Z"})
    marker = PublicChange.objects.get().changed_at
    write_posts(tmp_path / "posts", 5)
    status, out, _ = run_import("--dry-run", tmp_path / "posts")
    assert status == 0 and "Dry run, nothing written: 5 file(s): 5 created" in out
    assert not Article.objects.exists()
    assert PublicChange.objects.get().changed_at == marker
