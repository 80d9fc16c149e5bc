"""Lists of articles (templates/articles/_summary.html): every piece escaped, with the right links."""

import pytest
from django.urls import reverse

from articles.tests.factories import ArticleFactory, AuthorFactory

pytestmark = pytest.mark.django_db


def test_every_piece_of_a_summary_is_escaped(client):
    hostile = '"><img src=x onerror=alert(1)>'
    author = AuthorFactory(name=f"<script>alert(1)</script>{hostile}", slug="a")
    ArticleFactory(
        title=f"<script>alert(2)</script>{hostile}",
        excerpt=f"<iframe src=javascript:alert(3)>{hostile}",
        authors=[author],
        tags=[f"<b>{hostile}"],
        published=True,
    )
    for url in (reverse("articles:latest"), reverse("articles:search") + "?q=alert"):
        html = client.get(url).content.decode()
        assert "<script>alert" not in html and "<img src=x" not in html and "<iframe" not in html
        assert "&lt;script&gt;alert(2)&lt;/script&gt;&quot;&gt;&lt;img src=x onerror=alert(1)&gt;" in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # the author
        assert "&lt;b&gt;&quot;&gt;&lt;img" in html  # the tag


def test_a_search_with_more_matches_than_pages_says_so(client, settings):
    settings.MAX_SEARCH_PAGES = 1
    for n in range(21):
        ArticleFactory(title=f"朝市の話 {n}", published=True)
    html = client.get(reverse("articles:search"), {"q": "朝市"}).content.decode()
    assert "More than 20 articles have “朝市”." in html or "「朝市」を含む記事は20件を超えます。" in html
    assert html.count('class="summary"') == 20
