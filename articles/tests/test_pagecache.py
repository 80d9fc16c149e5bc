"""The anonymous page cache: served without rendering, never stale, never for staff."""

import time
from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import caches
from django.urls import reverse
from django.utils import timezone

from articles.desk import workflow
from articles.tests.conftest import redis_cache_settings
from articles.tests.factories import ArticleFactory, AuthorFactory, CategoryFactory

pytestmark = pytest.mark.django_db
HOME = reverse("articles:home")


@pytest.fixture(params=["locmem", "redis"])
def cache_backend(request, settings):
    """Each test runs with each cache: this process's memory, and Redis shared by app servers."""
    if request.param == "redis":
        settings.CACHES = redis_cache_settings(request.getfixturevalue("redis_server"))
    caches["default"].clear()
    yield request.param
    caches["default"].clear()


@pytest.fixture
def story(cache_backend):
    author = AuthorFactory(name="佐藤 花子", slug="sato")
    section = CategoryFactory(name="地域", slug="chiiki")
    return ArticleFactory(
        title="朝市が20年目", authors=[author], categories=[section], tags=["朝市"], published=True
    )


def get(client, url=HOME, **headers):
    return client.get(url, **headers)


def test_a_second_request_is_served_from_the_cache(client, story, cache_backend, django_assert_num_queries):
    first = get(client)
    assert first["X-Page-Cache"] == "miss"
    # Redis holds the mark: no query. Memory is this process's only: the mark is read from the database.
    with django_assert_num_queries(0 if cache_backend == "redis" else 1):
        second = get(client)
    assert second["X-Page-Cache"] == "hit" and second.content == first.content
    assert second["Last-Modified"] == first["Last-Modified"]


def test_a_conditional_get_is_answered_from_the_cache(
    client, story, cache_backend, django_assert_num_queries
):
    first = get(client)
    with django_assert_num_queries(0 if cache_backend == "redis" else 1):  # nothing rendered
        again = get(client, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    since = get(client, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert since.status_code == 304


def test_tracking_parameters_share_the_page_but_page_numbers_do_not(client, story):
    get(client)
    assert get(client, HOME + "?utm_source=x")["X-Page-Cache"] == "hit"
    assert get(client, HOME + "?page=1")["X-Page-Cache"] == "miss"


@pytest.mark.parametrize(
    "change",
    [
        "publish another",
        "unpublish",
        "correct the text",
        "rename the author",
        "rename the section",
        "rename the tag",
    ],
)
def test_every_public_change_shows_on_the_next_request(
    client, story, editor, change, django_capture_on_commit_callbacks
):
    pages = [HOME, story.get_absolute_url(), reverse("articles:feed")]
    for url in pages:
        get(client, url)
        assert get(client, url)["X-Page-Cache"] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        if change == "publish another":
            ArticleFactory(title="新しい記事", published=True)
            expected, url = "新しい記事", HOME
        elif change == "unpublish":
            workflow.perform(story, "unpublish", by=editor, comment="誤報")
            expected, url = None, HOME
        elif change == "correct the text":
            story.body += "\n\n訂正しました。"
            story.save()
            expected, url = "訂正しました。", story.get_absolute_url()
        elif change == "rename the author":
            author = story.byline()[0]
            author.name = "佐藤 はな子"
            author.save()
            expected, url = "佐藤 はな子", story.get_absolute_url()
        elif change == "rename the section":
            section = story.categories.get()
            section.name = "地域ニュース"
            section.save()
            expected, url = "地域ニュース", HOME
        else:
            tag = story.tags.get()
            tag.name = "朝いち"
            tag.save()
            expected, url = "朝いち", reverse("articles:feed")
    response = get(client, url)
    assert response["X-Page-Cache"] == "miss"
    html = response.content.decode().replace("<wbr>", "")  # headlines carry <wbr>s between phrases
    if expected:
        assert expected in html
    else:
        assert "朝市が20年目" not in html


def test_a_scheduled_article_appears_at_its_time(client, cache_backend):
    ArticleFactory(title="今ある記事", published=True)
    ArticleFactory(title="予約した記事", published=timezone.now() + timedelta(seconds=1))
    assert "予約した記事" not in get(client).content.decode().replace("<wbr>", "")
    assert get(client)["X-Page-Cache"] == "hit"
    time.sleep(1.2)
    response = get(client)
    assert (
        "予約した記事" in response.content.decode().replace("<wbr>", "")
        and response["X-Page-Cache"] == "miss"
    )


def test_staff_previews_and_errors_are_never_cached(client, story, editor):
    assert "X-Page-Cache" not in get(client, "/no/such/page/")
    client.force_login(editor)
    assert "X-Page-Cache" not in get(client)
    assert "X-Page-Cache" not in get(client, reverse("articles:preview", args=[story.pk]))
    assert "X-Page-Cache" not in get(client, reverse("admin:index"))


def test_the_cache_can_be_turned_off(client, story, settings):
    settings.PAGE_CACHE_SECONDS = 0
    get(client)
    assert "X-Page-Cache" not in get(client)


def test_a_kept_page_carries_the_headers_the_whole_stack_gave_it(client, story):
    """Hits are served before most middleware: the headers they added on the miss are kept."""
    first = get(client)
    second = get(client)
    assert second["X-Page-Cache"] == "hit"
    for name in ("Content-Type", "X-Frame-Options", "X-Content-Type-Options", "ETag", "Last-Modified"):
        assert second[name] == first[name], name


def test_the_admin_and_static_files_are_never_looked_up(client, story, monkeypatch, settings):
    from articles import caching

    def refuse(request):
        raise AssertionError(f"looked up {request.path}")

    monkeypatch.setattr(caching, "lookup", refuse)
    assert client.get(reverse("admin:login")).status_code == 200
    assert client.get(settings.STATIC_URL + "css/site.css").status_code == 200
    with pytest.raises(AssertionError):
        client.get(HOME)  # a public page is looked up


def test_a_restart_in_another_time_zone_or_language_gets_its_own_pages(client, cache_backend, settings):
    # 23:30 in UTC is the next morning in Tokyo: the list's date and the article's address differ.
    moment = datetime(2026, 3, 4, 23, 30, tzinfo=UTC)
    story = ArticleFactory(title="夜の港", published=moment)
    html = get(client).content.decode()
    assert "2026年3月5日" in html and f'href="{story.get_absolute_url()}"' in html
    settings.TIME_ZONE = "UTC"
    html = get(client).content.decode()
    assert "2026年3月4日" in html and f'href="{story.get_absolute_url()}"' in html
    settings.LANGUAGE_CODE = "en"
    assert "March 4, 2026" in get(client).content.decode()


@pytest.fixture
def redis_cache(settings, redis_server):
    settings.CACHES = redis_cache_settings(redis_server)
    yield caches["default"]
    caches["default"].clear()


def test_with_a_shared_cache_a_page_served_here_before_costs_only_its_purge_times(
    client, redis_cache, monkeypatch
):
    """A feed is 166 KB: a process that served the page keeps a copy and asks Redis only when the
    keys it carries were last purged."""
    ArticleFactory(title="朝市が20年目", published=True)
    first = get(client)
    assert first["X-Page-Cache"] == "miss"
    carried = first["Surrogate-Key"].split()
    asked = []
    for name in ("get", "get_many"):
        real = getattr(redis_cache, name)
        monkeypatch.setattr(
            redis_cache, name, lambda keys, *a, real=real, **k: asked.append(keys) or real(keys, *a, **k)
        )
    second = get(client)
    assert second["X-Page-Cache"] == "hit" and "朝市が20年目" in second.content.decode().replace("<wbr>", "")
    assert asked == [["purges-epoch", *(f"purged:{name}" for name in carried)]]


def test_a_copy_kept_here_is_not_served_once_another_server_has_made_the_page_anew(client, redis_cache):
    """Another server published and kept the page anew: this one serves that page, not its own copy."""
    from django.test import RequestFactory

    from articles import caching

    ArticleFactory(title="朝市が20年目", published=True)
    first = get(client)
    assert get(client)["X-Page-Cache"] == "hit"  # from this process's copy
    page_key = caching.key(RequestFactory().get(HOME))
    theirs = first.content.replace(b"<wbr>", b"").replace("朝市が20年目".encode(), "号外".encode())
    headers = [(name, value) for name, value in first.items() if name != caching.HEADER]
    caching.purge({"home"})  # another server's publication
    epoch = redis_cache.get(caching.EPOCH)
    redis_cache.set(
        page_key, (epoch, time.time(), ["all", "home"], 200, headers, theirs, time.time() + 60), 60
    )
    shown = get(client)
    assert shown["X-Page-Cache"] == "hit" and shown.content == theirs
    caching.purge({"home"})  # and another, nothing kept since
    fresh = get(client)
    assert fresh["X-Page-Cache"] == "miss" and "朝市が20年目" in fresh.content.decode().replace("<wbr>", "")


@pytest.mark.parametrize("change", ["an article published", "an author renamed"])
def test_a_page_made_while_something_changed_claims_the_time_before_it(rf, cache_backend, change):
    """A page reads the Last-Modified check before it is made: a change that comes while it is made
    may be in it or not, and it claims the time before the change, so a client asking
    If-Modified-Since fetches it again, and a copy kept under the old mark is never served."""
    from django.http import HttpResponse

    from articles.caching import public
    from articles.models import PublicChange

    author = AuthorFactory(name="佐藤 花子", slug="sato")
    ArticleFactory(title="前からある記事", authors=[author], published=True)

    def quiet(request):
        return HttpResponse("ページ")

    def busy(request):
        if change == "an article published":
            ArticleFactory(title="いま出た記事", published=timezone.now())
        else:
            author.name = "佐藤 華子"
            author.save()
        return HttpResponse("ページ")

    calm = public(quiet)(rf.get("/quiet/"))
    assert calm.public_page is True and calm["Last-Modified"]
    before = PublicChange.state()
    response = public(busy)(rf.get("/busy/"))
    assert response.status_code == 200 and response.content.decode() == "ページ"
    # Dated by the state read before it was made: never newer than what it may lack.
    assert response["Last-Modified"] == calm["Last-Modified"]
    assert PublicChange.state() != before  # so a copy kept under the old mark is never served


def test_with_the_cache_off_a_page_tells_the_last_change_and_lists_the_sections(client, story, settings):
    """Every public page and feed is dated by the last public change; the menu is by name."""
    from django.utils.http import http_date

    from articles.models import PublicChange

    settings.PAGE_CACHE_SECONDS = 0
    # Made after 地域, before it in the menu (by name); a section of a public article, or it is in none.
    ArticleFactory(categories=[CategoryFactory(name="あさひ", slug="asahi")], published=True)
    changed_at, _upcoming = PublicChange.state()
    for url in [HOME, story.get_absolute_url(), reverse("articles:feed")]:
        response = get(client, url)
        assert response["Last-Modified"] == http_date(changed_at.timestamp()), url
        assert "X-Page-Cache" not in response
    html = get(client, story.get_absolute_url()).content.decode()
    assert html.index('href="/categories/asahi/"') < html.index('href="/categories/chiiki/"')
