import shutil
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from articles.desk import workflow
from articles.models import Article, ArticleEvent, Author, Category, LegacyAddress, Tag
from articles.tests.factories import ArticleFactory, AuthorFactory, CategoryFactory, StaffFactory, publisher

pytestmark = pytest.mark.django_db
POSTS = Path(__file__).parent / "posts"


@pytest.fixture
def chief(db):
    return StaffFactory(username="chief", is_superuser=True)


def export(directory) -> str:
    out = StringIO()
    call_command("export_posts", str(directory), stdout=out, stderr=StringIO())
    return out.getvalue()


def import_(*paths) -> str:
    out = StringIO()
    call_command("import_posts", *map(str, paths), stdout=out, stderr=StringIO())
    return out.getvalue()


def empty_the_newsroom():
    ArticleEvent.objects.all().delete()
    LegacyAddress.objects.all().delete()
    Article.objects.all().delete()
    Author.objects.all().delete()
    Category.objects.all().delete()
    Tag.objects.all().delete()


def files(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())}


def snapshot():
    """Everything a round trip must keep, article by article."""
    return {
        a.slug: (
            a.title,
            a.published_at,
            [x.name for x in a.byline()],
            sorted(c.name for c in a.categories.all()),
            sorted(a.tags.names()),
            a.excerpt,
            a.excerpt_is_derived,
            a.status,
            a.front_matter,
            a.body,
            a.hero_image_url,
            a.hero_alt,
            list(a.legacy_addresses.values_list("path", flat=True)),
        )
        for a in Article.objects.all()
    }


@pytest.fixture
def newsroom(chief):
    """Articles made in the admin's way: typed and derived excerpts, a draft, a schedule, two bylines."""
    desk = AuthorFactory(name="港町タイムズ編集部", is_desk=True)
    reporter = AuthorFactory(name="Emily Carter")
    section = CategoryFactory(name="地域")
    ArticleFactory(
        title="朝市が20年目",
        slug="asaichi",
        body="浜通りの朝市が20年目を迎えた。\r\n\r\n## 始まり\r\n\r\n数軒の店主が始めた。",
        authors=[reporter, desk],
        categories=[section],
        tags=["朝市", "ＡＩ"],
        published=timezone.now() - timedelta(days=3),
    )
    ArticleFactory(
        title="Draft: harbour wall", slug="harbour-wall", excerpt="A typed excerpt.", authors=[reporter]
    )
    ArticleFactory(
        title="予約記事", slug="yoyaku", authors=[desk], published=timezone.now() + timedelta(days=1)
    )
    ArticleFactory(
        title="Title: with a colon", slug="no", body="NO\n\n- yes\n- 12:30\n", authors=[desk], published=True
    )


def test_export_writes_one_file_per_article_named_by_date_and_slug(newsroom, tmp_path):
    out = export(tmp_path)
    names = sorted(p.name for p in tmp_path.iterdir())
    assert len(names) == 4 and "4 created" in out
    article = Article.objects.get(slug="asaichi")
    assert f"{timezone.localtime(article.published_at):%Y-%m-%d}-asaichi.md" in names
    text = (tmp_path / f"{timezone.localtime(article.published_at):%Y-%m-%d}-asaichi.md").read_text()
    assert text.startswith("---\ntitle: 朝市が20年目\n")
    assert "authors:\n- Emily Carter\n- 港町タイムズ編集部\n" in text
    assert text.endswith("---\n\n浜通りの朝市が20年目を迎えた。\n\n## 始まり\n\n数軒の店主が始めた。")
    assert "published: false" in (tmp_path / next(n for n in names if "harbour-wall" in n)).read_text()


def test_exporting_again_reports_unchanged(newsroom, tmp_path):
    export(tmp_path)
    assert "0 created, 0 updated, 4 unchanged" in export(tmp_path)


def test_export_import_into_an_empty_newsroom_export_gives_identical_bytes(newsroom, tmp_path):
    export(tmp_path / "first")
    empty_the_newsroom()
    import_(tmp_path / "first")
    export(tmp_path / "second")
    assert files(tmp_path / "first") == files(tmp_path / "second")


def test_import_export_import_reproduces_every_article(chief, tmp_path):
    shutil.copytree(POSTS, tmp_path / "posts")
    import_(tmp_path / "posts")
    before = snapshot()
    export(tmp_path / "out")
    empty_the_newsroom()
    import_(tmp_path / "out")
    assert snapshot() == before


def test_reimporting_an_export_into_the_same_newsroom_changes_nothing(newsroom, tmp_path):
    for article in Article.objects.all():  # give each a source, as an import would
        Article.objects.filter(pk=article.pk).update(
            source_key=f"{timezone.localtime(article.published_at or article.created_at):%Y-%m-%d}-{article.slug}"
        )
    export(tmp_path)
    before = snapshot()
    out = import_(tmp_path)
    assert "4 unchanged" in out
    assert snapshot() == before


def test_an_unpublished_article_is_exported_as_a_draft(newsroom, tmp_path):
    article = Article.objects.get(slug="asaichi")
    workflow.perform(article, "unpublish", by=publisher(), comment="取り下げ")
    export(tmp_path)
    assert "published: false" in next(tmp_path.glob("*-asaichi.md")).read_text()
