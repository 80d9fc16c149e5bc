"""Every public page and feed runs a fixed number of SQL queries, whatever the data size."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from .factories import ArticleFactory, AuthorFactory, CategoryFactory

pytestmark = pytest.mark.django_db

# url name -> (arguments, queries). Pages: the Last-Modified check, the
# sections menu, then the list and its prefetches (bylines with authors,
# sections, tags), plus a count when paginated.
BUDGETS = {
    "home": ((), 7),
    "detail": (None, 9),  # + previous and next article, related articles
    "author": (("reporter",), 8),  # + the author
    "tag": (("港",), 8),
    "category": (("地域",), 8),
    # + whether any exist, the months with articles, the previous and next period
    "archive_year": ((), 11),
    "archive_month": ((), 11),
    "feed": ((), 5),  # the Last-Modified check, the items and their prefetches
    "feed_atom": ((), 5),
    "author_feed": (("reporter",), 6),  # + the author
    "author_feed_atom": (("reporter",), 6),
    "tag_feed": (("港",), 6),
    "tag_feed_atom": (("港",), 6),
    "category_feed": (("地域",), 6),
    "category_feed_atom": (("地域",), 6),
    # the Last-Modified check, then a count for paging and the items of each part
    # (articles, authors, tags, sections)
    "sitemap": ((), 9),
    "news_sitemap": ((), 2),  # the Last-Modified check, the articles
    "robots": ((), 1),  # the Last-Modified check
    "search": ((), 7),  # as the home page (the words are matched inside the one list query)
}


def build(size):
    """`size` published articles, each with two authors, two sections and three tags."""
    reporter = AuthorFactory(slug="reporter")
    desk = AuthorFactory(slug="desk", is_desk=True)
    sections = [CategoryFactory(slug="地域"), CategoryFactory(slug="文化")]
    now = timezone.now()
    articles = [
        ArticleFactory(
            authors=[reporter, desk] if n % 2 else [desk, reporter],
            categories=sections,
            tags=["港", f"tag{n % 5}", "ＡＩ"],
            published=now - timedelta(hours=n + 1),
        )
        for n in range(size)
    ]
    return articles[len(articles) // 2]


def url_for(name, args, middle):
    if name == "detail":
        return middle.get_absolute_url()
    if name.startswith("archive"):
        local = timezone.localtime(middle.published_at)
        args = (local.year,) if name == "archive_year" else (local.year, local.month)
    if name == "search":
        return reverse("articles:search") + "?q=港+ai"
    return reverse(f"articles:{name}", args=args)


@pytest.mark.parametrize("size", [3, 30])
@pytest.mark.parametrize("name", BUDGETS)
def test_query_budget(client, django_assert_num_queries, name, size):
    args, budget = BUDGETS[name]
    url = url_for(name, args, build(size))
    with django_assert_num_queries(budget):
        response = client.get(url)
    assert response.status_code == 200
