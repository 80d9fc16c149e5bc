"""The section menu: in the order chiefs set, with the section the reader is in marked, and only
sections with public articles."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles.models import Category
from articles.tests.drawn import Drawn
from articles.tests.factories import ArticleFactory, CategoryFactory, StaffFactory
from articles.tests.test_queries import BUDGETS
from articles.tests.test_surrogate_keys import committing  # noqa: F401 - a fixture

pytestmark = pytest.mark.django_db


@pytest.fixture
def sections():
    """Four sections whose names sort otherwise than their places, each with a public article; a
    fifth with only a draft."""
    made = {
        name: CategoryFactory(name=name, slug=slug, position=position)
        for name, slug, position in [
            ("地域", "chiiki", 10),
            ("文化", "bunka", 20),
            ("テクノロジー", "tech", 30),
            ("English Edition", "english", 90),
        ]
    }
    for section in made.values():
        ArticleFactory(categories=[section], published=timezone.now() - timedelta(hours=section.position))
    made["準備中"] = CategoryFactory(name="準備中", slug="junbi", position=1)
    ArticleFactory(categories=[made["準備中"]])  # a draft
    return made


def menu(html: str) -> list[dict]:
    return Drawn(html).links_in(".sections")


def test_the_menu_lists_sections_with_public_articles_in_the_chiefs_order(client, sections):
    shown = menu(client.get(reverse("articles:home")).content.decode())
    assert [link["text"] for link in shown] == ["地域", "文化", "テクノロジー", "English Edition"]
    assert [link["href"] for link in shown] == [sections[name].get_absolute_url() for name in (
        "地域", "文化", "テクノロジー", "English Edition")]  # fmt: skip


def test_the_menu_marks_a_section_s_page_as_the_current_page(client, sections):
    shown = menu(client.get(sections["文化"].get_absolute_url()).content.decode())
    assert [(link["text"], link["attrs"].get("aria-current")) for link in shown] == [
        ("地域", None),
        ("文化", "page"),
        ("テクノロジー", None),
        ("English Edition", None),
    ]


def test_the_menu_marks_a_section_with_a_japanese_address(client, sections):
    local = CategoryFactory(name="港湾", slug="港湾", position=15)
    ArticleFactory(categories=[local], published=True)
    shown = menu(client.get(local.get_absolute_url()).content.decode())
    assert [link["text"] for link in shown if link["attrs"].get("aria-current") == "page"] == ["港湾"]


def test_an_article_page_marks_its_first_section_in_the_menu_s_order_as_where_the_reader_is(client, sections):
    """aria-current="true": the reader is in the section, not on its page ("page" would tell a
    screen reader that the link leads to the page it is on)."""
    story = ArticleFactory(categories=[sections["テクノロジー"], sections["文化"]], published=True)
    shown = menu(client.get(story.get_absolute_url()).content.decode())
    marked = [
        (link["text"], link["attrs"]["aria-current"]) for link in shown if "aria-current" in link["attrs"]
    ]
    assert marked == [("文化", "true")]


def test_pages_outside_a_section_mark_nothing(client, sections):
    story = ArticleFactory(published=True)  # in no section
    for address in [reverse("articles:home"), reverse("articles:search") + "?q=港", story.get_absolute_url()]:
        assert [
            link for link in menu(client.get(address).content.decode()) if "aria-current" in link["attrs"]
        ] == []


def test_marking_the_current_section_adds_no_query(client, settings, sections):
    """The mark is drawn from the kept menu: a section page and an article page run the queries
    they ran without it."""
    settings.PAGE_CACHE_SECONDS = 0
    story = ArticleFactory(categories=[sections["文化"]], published=True)
    client.get(reverse("articles:home"))  # the menu, kept under the public state
    pages = [(sections["文化"].get_absolute_url(), "category"), (story.get_absolute_url(), "detail")]
    for address, name in pages:
        budget = BUDGETS[name][1]
        with CaptureQueriesContext(connection) as queries:
            client.get(address)
        assert len(queries) == budget, address


def test_a_chief_reorders_the_sections_in_the_desk_list_and_readers_see_the_new_order(client, sections):
    home = reverse("articles:home")
    assert client.get(home)["X-Page-Cache"] == "miss"
    assert client.get(home)["X-Page-Cache"] == "hit"
    client.force_login(StaffFactory(username="desk-chief", role="Chief"))
    listing = client.get(reverse("admin:articles_category_changelist"))
    assert 'name="form-0-position"' in listing.content.decode()  # the order, editable in the list
    shown = list(Category.objects.all())  # the list's order: position, name
    form = {"form-TOTAL_FORMS": str(len(shown)), "form-INITIAL_FORMS": str(len(shown)), "_save": "Save"}
    places = {"English Edition": 5, "文化": 15}
    for number, section in enumerate(shown):
        form[f"form-{number}-id"] = str(section.pk)
        form[f"form-{number}-position"] = str(places.get(section.name, section.position))
    response = client.post(reverse("admin:articles_category_changelist"), form)
    assert response.status_code == 302
    client.logout()
    response = client.get(home)
    assert response["X-Page-Cache"] == "miss"
    assert [link["text"] for link in menu(response.content.decode())] == [
        "English Edition",
        "地域",
        "文化",
        "テクノロジー",
    ]


@pytest.mark.parametrize("role", ["Writer", "Editor"])
def test_writers_and_editors_see_the_order_but_cannot_change_it(client, role, sections):
    client.force_login(StaffFactory(username=f"desk-{role}", role=role))
    listing = client.get(reverse("admin:articles_category_changelist"))
    assert listing.status_code == 200 and 'name="form-0-position"' not in listing.content.decode()
    section = sections["文化"]
    form = {
        "form-TOTAL_FORMS": "1",
        "form-INITIAL_FORMS": "1",
        "form-0-id": str(section.pk),
        "form-0-position": "1",
        "_save": "Save",
    }
    client.post(reverse("admin:articles_category_changelist"), form)
    assert Category.objects.get(pk=section.pk).position == 20


def test_moving_a_section_purges_its_pages_and_the_menu_alone(committing, sections):  # noqa: F811
    section = sections["文化"]
    section.position = 5
    assert committing(section.save) == {f"section-{section.pk}", "menu"}


def test_a_section_s_description_purges_its_pages_alone(committing, sections):  # noqa: F811
    section = sections["文化"]
    section.description = "祭りと図書館と芸術。"
    assert committing(section.save) == {f"section-{section.pk}"}
