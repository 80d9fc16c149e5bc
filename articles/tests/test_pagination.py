"""Lists are numbered as a news site numbers them: 1 … 4 5 6 … 21, the current page marked, the newer
and older pages linked (rel="prev" / rel="next", in the links and in the head)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.site import views
from articles.tests.factories import ArticleFactory, CategoryFactory
from articles.tests.html import Page

pytestmark = pytest.mark.django_db
PAGES = 21


@pytest.fixture
def archive(monkeypatch):
    """21 pages of one article each, on every list: the latest, a section's, a search's."""
    for view in (views.ArticleListView, views.FilteredArticleList, views.SearchView):
        monkeypatch.setattr(view, "paginate_by", 1)
    section = CategoryFactory(name="地域", slug="chiiki")
    now = timezone.now()
    for n in range(PAGES):
        ArticleFactory(title=f"港の話 {n}", categories=[section], published=now - timedelta(hours=n + 1))


def pagination(client, url) -> dict:
    """What a reader finds in a list's page navigation, and the head's prev/next links."""
    page = Page(client.get(url).content.decode())
    [nav] = page.find("nav", class_="pagination")
    [current] = page.find("a", inside=nav, **{"aria-current": "page"})
    head = {
        link.attrs["rel"]: link.attrs["href"]
        for link in page.find("link")
        if link.attrs["rel"] in {"prev", "next"}
    }
    return {
        "label": nav.attrs["aria-label"],
        "numbers": [item.text for item in page.find("li", inside=nav)],
        "current": (current.text, current.attrs["href"]),
        "steps": {
            link.attrs["rel"]: link.attrs["href"]
            for link in page.find("a", inside=nav)
            if "rel" in link.attrs
        },
        "head": head,
    }


def test_a_page_in_the_middle_links_the_ends_and_its_neighbours(client, archive):
    shown = pagination(client, reverse("articles:latest") + "?page=5")
    assert shown["label"] == "ページ"
    assert shown["numbers"] == ["1", "…", "4", "5", "6", "…", "21"]
    assert shown["current"] == ("5", "/latest/?page=5")
    assert shown["steps"] == {"prev": "/latest/?page=4", "next": "/latest/?page=6"}
    assert shown["head"] == {
        "prev": "http://testserver/latest/?page=4",
        "next": "http://testserver/latest/?page=6",
    }


def test_the_first_and_last_pages(client, archive):
    first = pagination(client, reverse("articles:latest"))
    assert first["numbers"] == ["1", "2", "…", "21"]
    assert first["current"] == ("1", "/latest/")
    assert first["steps"] == {"next": "/latest/?page=2"}
    last = pagination(client, reverse("articles:latest") + "?page=21")
    assert last["numbers"] == ["1", "…", "20", "21"]
    assert last["steps"] == {"prev": "/latest/?page=20"}
    assert set(last["head"]) == {"prev"}


def test_every_number_leads_to_its_page(client, archive):
    page = Page(client.get(reverse("articles:latest") + "?page=3").content.decode())
    [nav] = page.find("nav", class_="pagination")
    for link in page.find("a", inside=nav):
        if link.text.isdigit():
            shown = Page(client.get(link.attrs["href"]).content.decode())
            assert shown.find("a", **{"aria-current": "page"})[0].text == link.text


def test_a_section_and_a_search_are_numbered_too_with_their_query_kept(client, archive):
    section = pagination(client, "/categories/chiiki/?page=2")
    assert section["numbers"] == ["1", "2", "3", "…", "21"]
    assert section["steps"] == {"prev": "/categories/chiiki/", "next": "/categories/chiiki/?page=3"}
    search = pagination(client, reverse("articles:search") + "?q=港&page=2")
    assert search["current"] == ("2", "/search/?q=%E6%B8%AF&page=2")
    assert search["steps"]["prev"] == "/search/?q=%E6%B8%AF"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_page_numbers_fit_a_phone_and_read_well(live_server, browser, archive, scheme):
    from axe_playwright_python.sync_playwright import Axe

    context = browser.new_context(locale="ja-JP", viewport={"width": 375, "height": 667}, color_scheme=scheme)
    page = context.new_page()
    page.goto(live_server.url + reverse("articles:latest") + "?page=5")
    violations = Axe().run(page, context=".pagination").response["violations"]
    assert [v["id"] for v in violations if v["impact"] in ("serious", "critical")] == []
    # Nothing wider than the screen, and every link of the navigation on it, big enough to tap.
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 375
    boxes = page.locator(".pagination a").evaluate_all(
        "links => links.map(link => link.getBoundingClientRect().toJSON())"
    )
    context.close()
    assert len(boxes) == 7  # newer, 1, 4, 5, 6, 21, older
    assert all(box["left"] >= 0 and box["right"] <= 375 and box["height"] >= 24 for box in boxes)
