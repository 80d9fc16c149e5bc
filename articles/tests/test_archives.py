"""Archives by year and month: the months a year lists, in local time, from public articles only."""

import re
from datetime import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def listed_months(client, year) -> list[int]:
    html = client.get(reverse("articles:archive_year", args=[year])).content.decode()
    return [int(month) for month in re.findall(rf'href="/archive/{year}/(\d\d)/"', html)]


def test_a_year_lists_the_months_with_a_public_article_in_local_time(client):
    year = timezone.localdate().year - 2
    at = timezone.make_aware  # local time
    ArticleFactory(published=at(datetime(year, 1, 1, 0, 30)))  # the year before, in UTC
    ArticleFactory(published=at(datetime(year, 3, 31, 23, 59)))
    ArticleFactory(published=at(datetime(year, 3, 2, 9, 0)))
    ArticleFactory(published=at(datetime(year, 12, 31, 23, 30)))
    ArticleFactory(published=at(datetime(year + 1, 1, 1, 0, 0)))  # the next year's
    ArticleFactory(title="下書き", slug="draft-in-may")  # a draft: no month
    assert listed_months(client, year) == [1, 3, 12]
    assert listed_months(client, year + 1) == [1]


def test_a_year_with_no_public_article_is_404(client):
    ArticleFactory(title="下書き")
    assert client.get(reverse("articles:archive_year", args=[2001])).status_code == 404
