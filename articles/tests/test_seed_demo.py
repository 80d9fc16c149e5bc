from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from articles.models import Article, Author, Category, Tag

pytestmark = pytest.mark.django_db


def seed():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_seed_demo_creates_a_newsroom_once():
    first = seed()
    counts = (Article.objects.count(), Author.objects.count(), Category.objects.count(), Tag.objects.count())
    second = seed()

    assert counts == (
        Article.objects.count(),
        Author.objects.count(),
        Category.objects.count(),
        Tag.objects.count(),
    )
    assert Article.objects.published().count() == Article.objects.count() >= 6
    assert Author.objects.filter(is_desk=True).exists()
    assert Article.objects.filter(bylines__position=1).exists()  # a shared byline
    titles = " ".join(Article.objects.values_list("title", flat=True))
    assert any("\u3040" <= ch <= "\u30ff" for ch in titles)  # Japanese
    assert any(a.title.isascii() for a in Article.objects.all())  # English
    assert "password" in first and first.count("shown once") == 3
    assert "shown once" not in second
    assert set(User.objects.filter(is_staff=True).values_list("username", flat=True)) == {
        "chief",
        "editor",
        "writer",
    }


def test_demo_articles_render_on_the_site(client):
    seed()
    for article in Article.objects.all():
        assert client.get(article.get_absolute_url()).status_code == 200
