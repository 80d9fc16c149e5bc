"""A published address never breaks: a moved article's old address redirects, a withdrawn one answers 410.

Over HTTP, as a reader, a writer, an editor and a chief would send it, with the
rows of old addresses before and after.
"""

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.cache import caches
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import uri_to_iri

from articles.desk import workflow
from articles.models import Article, LegacyAddress
from articles.tests.conftest import redis_cache_settings
from articles.tests.factories import ArticleFactory, StaffFactory, UserFactory
from articles.tests.test_admin import change_form

pytestmark = pytest.mark.django_db
S = Article.Status
WITHDRAWN = "この記事は取り下げられました"
WARNING = "記事のURLが変わります"


@pytest.fixture
def anonymous():
    """A reader, a feed reader or a search engine: no login."""
    return Client()


def logged_in(role: str) -> Client:
    client = Client()
    if role == "reader":
        client.force_login(UserFactory(username="a-reader"))
    elif role != "anonymous":
        client.force_login(StaffFactory(username=f"actor-{role}", role=role))
    return client


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def rename(client, article, slug, *, confirm=True):
    """Post the desk's change form with a new slug (confirming the move, when the desk asks)."""
    article.refresh_from_db()
    data = change_form(article, title=article.title, body=article.body, slug=slug)
    if confirm:
        data["confirm_new_address"] = "on"
    return client.post(change_url(article), data)


def old_addresses():
    return list(LegacyAddress.objects.values_list("path", "article_id").order_by("path"))


def path_of(address: str) -> str:
    return LegacyAddress.normalize(address)


def published_article(**kwargs):
    return ArticleFactory(title="港の防波堤が完成", **kwargs, published=True)


# --- A public article that moves leaves a permanent redirect --------------------------------


def test_a_new_slug_on_a_public_article_makes_its_old_address_redirect_permanently(editor_client, anonymous):
    article = published_article(slug="bouhatei")
    old = article.get_absolute_url()
    assert old_addresses() == []

    assert rename(editor_client, article, "bouhatei-kansei").status_code == 302

    article.refresh_from_db()
    new = article.get_absolute_url()
    assert new.endswith("/bouhatei-kansei/") and new != old
    assert old_addresses() == [(path_of(old), article.pk)]
    response = anonymous.get(old)
    assert response.status_code == 301 and response["Location"] == new
    # Browsers keep it an hour; shared caches not at all (nothing would purge it if it changed).
    assert set(response["Cache-Control"].split(", ")) == {"max-age=3600", "s-maxage=0"}
    assert anonymous.get(old.rstrip("/"))["Location"] == new  # without the slash too, in one hop
    assert "港の防波堤が完成" in anonymous.get(new).content.decode()


def test_publishing_again_at_another_date_redirects_the_address_it_had(editor_client, anonymous):
    article = ArticleFactory(slug="asaichi", published=timezone.now() - timedelta(days=3))
    old = article.get_absolute_url()
    workflow.perform(article, "unpublish", by=StaffFactory(role="Editor"), comment="確認のため")

    url = reverse("admin:articles_article_workflow", args=[article.pk])
    now = timezone.localtime().replace(tzinfo=None).isoformat(timespec="seconds")
    assert editor_client.post(url, {"_workflow": "publish", "_publish_at": now}).status_code == 302

    article.refresh_from_db()
    assert article.is_public and article.get_absolute_url() != old
    assert old_addresses() == [(path_of(old), article.pk)]
    response = anonymous.get(old)
    assert response.status_code == 301 and response["Location"] == article.get_absolute_url()


def test_a_reimported_file_with_another_date_redirects_the_address_it_had(chief, tmp_path, anonymous):
    from articles.tests.conftest import run_import

    path = tmp_path / "2025-11-16-minato.md"
    path.write_text("---\ntitle: 港の話\ndate: 2025-11-16 09:00:00 +0900\n---\n本文。\n", encoding="utf-8")
    run_import(path)
    article = Article.objects.get()
    old = article.get_absolute_url()
    assert old == "/2025/11/16/minato/"

    path.write_text(
        path.read_text(encoding="utf-8").replace("2025-11-16 09", "2025-11-18 09"), encoding="utf-8"
    )
    code, out, _err = run_import(path)

    assert code == 0 and "1 updated" in out
    article.refresh_from_db()
    assert article.get_absolute_url() == "/2025/11/18/minato/"
    assert old_addresses() == [("/2025/11/16/minato", article.pk)]
    assert anonymous.get(old)["Location"] == "/2025/11/18/minato/"


def test_a_reimport_never_moves_a_public_article_to_a_future_date(chief, tmp_path, anonymous):
    from articles.tests.conftest import run_import

    path = tmp_path / "2025-11-16-港の話.md"
    path.write_text("---\ntitle: 港の話\ndate: 2025-11-16 09:00:00 +0900\n---\n本文。\n", encoding="utf-8")
    run_import(path)
    article = Article.objects.get()
    address, before = article.get_absolute_url(), (article.published_at, article.version, article.body)
    events = article.events.count()
    later = timezone.localtime(timezone.now() + timedelta(days=10))
    path.write_text(
        f"---\ntitle: 港の話\ndate: {later:%Y-%m-%d %H:%M:%S %z}\n---\n本文を直した。\n", encoding="utf-8"
    )

    code, out, err = run_import(path)

    assert code == 1 and "1 refused" in out
    assert str(path) in err and "2025-11-16 09:00" in err and f"{later:%Y-%m-%d %H:%M}" in err
    article.refresh_from_db()
    assert (article.published_at, article.version, article.body) == before  # nothing of the file
    assert article.events.count() == events and old_addresses() == []
    assert article.is_public and anonymous.get(address).status_code == 200


def test_the_desk_has_no_way_to_move_a_public_article_to_a_later_time(editor_client, editor):
    article = published_article(slug="ima")
    before = article.published_at
    later = timezone.now() + timedelta(days=10)

    with pytest.raises(workflow.NotAllowed):  # publishing again is for an approved or unpublished one
        workflow.perform(article, "publish", by=editor, publish_at=later)
    form = change_form(article, title=article.title, body=article.body)
    editor_client.post(change_url(article), {**form, "published_at": later.isoformat()})  # read-only

    article.refresh_from_db()
    assert article.published_at == before and article.is_public


def test_an_export_writes_the_old_sites_permalink_not_an_address_the_article_left(editor_client):
    from articles.transfer.export import export_post

    article = published_article(slug="before")
    LegacyAddress.objects.create(path="/old/site/page", original="/old/site/page.html", article=article)
    rename(editor_client, article, "after")
    article.refresh_from_db()
    assert len(old_addresses()) == 2
    assert export_post(article).permalink == "/old/site/page.html"


def test_an_article_that_was_never_public_moves_without_a_redirect_or_a_warning(editor_client, anonymous):
    scheduled = ArticleFactory(slug="yotei", published=timezone.now() + timedelta(days=2))
    withdrawn_in_time = ArticleFactory(slug="torisage", published=timezone.now() + timedelta(days=2))
    workflow.perform(withdrawn_in_time, "unpublish", by=StaffFactory(role="Editor"), comment="中止")
    draft = ArticleFactory(slug="shitagaki")
    addresses = [a.get_absolute_url() for a in (scheduled, withdrawn_in_time, draft)]

    # (A scheduled article's text is frozen until its time: it is renamed once taken back to draft.)
    response = rename(editor_client, draft, "shitagaki-2", confirm=False)
    assert response.status_code == 302  # saved at once: there was nothing to warn about
    withdrawn_in_time.refresh_from_db()
    assert not withdrawn_in_time.has_been_public()

    assert old_addresses() == []
    assert [anonymous.get(address).status_code for address in addresses] == [404, 404, 404]


def test_the_change_form_lists_the_old_addresses_for_the_desk(editor_client):
    article = published_article(slug="mae")
    left = article.get_absolute_url()
    LegacyAddress.objects.create(path="/2019/04/01/kyuu", original="/2019/04/01/kyuu.html", article=article)
    rename(editor_client, article, "ato")

    html = editor_client.get(change_url(article)).content.decode()

    assert "旧URL" in html
    assert "<code>/2019/04/01/kyuu</code> · 旧サイトのURL" in html
    assert f"<code>{path_of(left)}</code> · " in html and "に移転" in html
    assert "remove-address-" not in html  # an editor reads them; only a chief removes one


REMOVE_MATRIX = {"anonymous": "no", "reader": "no", "Writer": "no", "Editor": "no", "Chief": "yes"}


@pytest.mark.parametrize("role", REMOVE_MATRIX)
def test_only_a_chief_removes_an_old_address(role, editor_client, anonymous):
    article = published_article(slug="moto")
    old = article.get_absolute_url()
    rename(editor_client, article, "ima")
    kept = LegacyAddress.objects.get()
    client = logged_in(role)
    before = old_addresses()

    response = client.post(
        reverse("admin:articles_article_addresses", args=[article.pk]), {"remove": kept.pk}
    )

    if REMOVE_MATRIX[role] == "yes":
        assert response.status_code == 302 and response["Location"] == change_url(article)
        assert old_addresses() == []
        assert anonymous.get(old).status_code == 404
        page = client.get(change_url(article)).content.decode()
        assert f"{kept.path} はこの記事へ転送されなくなりました。" in page
    else:
        assert response.status_code in (302, 403)  # to the login page, or refused
        assert old_addresses() == before
        assert anonymous.get(old).status_code == 301


def test_a_chief_sees_a_remove_button_for_each_old_address(editor_client):
    article = published_article(slug="ichi")
    rename(editor_client, article, "ni")
    kept = LegacyAddress.objects.get()

    html = logged_in("Chief").get(change_url(article)).content.decode()

    assert f'<form id="remove-address-{kept.pk}"' in html
    assert f'form="remove-address-{kept.pk}"' in html and ">削除</button>" in html


# --- Chains collapse; an address taken over serves its new article ----------------------------


def test_a_chain_of_moves_collapses_to_one_hop(editor_client, anonymous):
    article = published_article(slug="a")
    a = article.get_absolute_url()
    rename(editor_client, article, "b")
    article.refresh_from_db()
    b = article.get_absolute_url()
    rename(editor_client, article, "c")
    article.refresh_from_db()
    c = article.get_absolute_url()

    for old in (a, b):
        response = anonymous.get(old)
        assert response.status_code == 301 and response["Location"] == c
        assert anonymous.get(response["Location"]).status_code == 200  # one hop
    assert old_addresses() == sorted([(path_of(a), article.pk), (path_of(b), article.pk)])


def test_an_address_taken_over_by_another_public_article_serves_that_article(editor_client, anonymous):
    first = published_article(slug="kaigi")
    taken = first.get_absolute_url()
    rename(editor_client, first, "kaigi-2025")
    second = ArticleFactory(title="新しい会議の記事", slug="kaigi", published=first.published_at)
    assert second.get_absolute_url() == taken

    response = anonymous.get(taken)

    assert response.status_code == 200 and "新しい会議の記事" in response.content.decode()
    # When the newcomer moves on too, the address leads to the article that held it last.
    rename(editor_client, second, "kaigi-2026")
    second.refresh_from_db()
    assert anonymous.get(taken)["Location"] == second.get_absolute_url()
    assert old_addresses() == [(path_of(taken), second.pk)]


def test_an_address_taken_over_and_then_withdrawn_answers_410_not_the_first_articles_redirect(
    editor_client, anonymous
):
    first = published_article(slug="aaa")
    taken = first.get_absolute_url()
    rename(editor_client, first, "bbb")
    second = ArticleFactory(title="後から来た記事", slug="aaa", published=first.published_at)
    assert anonymous.get(taken).status_code == 200

    workflow.perform(second, "unpublish", by=StaffFactory(role="Editor"), comment="誤り")

    assert anonymous.get(taken).status_code == 410  # readers last saw the second article there
    first.refresh_from_db()
    assert anonymous.get(first.get_absolute_url()).status_code == 200


def test_taking_an_old_slug_back_removes_its_redirect(editor_client, anonymous):
    article = published_article(slug="moto")
    first = article.get_absolute_url()
    rename(editor_client, article, "betsu")
    article.refresh_from_db()
    second = article.get_absolute_url()

    rename(editor_client, article, "moto")

    assert old_addresses() == [(path_of(second), article.pk)]
    assert anonymous.get(first).status_code == 200
    assert anonymous.get(second)["Location"] == first


# --- The desk warns before a public article moves ----------------------------------------------


def test_the_desk_warns_before_a_new_slug_moves_a_public_article_and_saves_once_confirmed(editor_client):
    article = published_article(slug="keikaku")
    old = article.get_absolute_url()
    before = (article.slug, article.version)

    first = rename(editor_client, article, "keikaku-shounin", confirm=False)

    html = first.content.decode()
    assert first.status_code == 200
    assert WARNING in html and old in html and old.replace("keikaku", "keikaku-shounin") in html
    assert 'name="confirm_new_address"' in html
    assert "このスラッグにすると記事のURLが変わります" in html
    article.refresh_from_db()
    assert (article.slug, article.version) == before and old_addresses() == []

    second = rename(editor_client, article, "keikaku-shounin")

    assert second.status_code == 302
    article.refresh_from_db()
    assert article.slug == "keikaku-shounin" and old_addresses() == [(path_of(old), article.pk)]


def test_the_desk_warning_shows_the_addresses_as_readers_read_them(editor_client):
    article = published_article(slug="浜辺の清掃")
    old = uri_to_iri(article.get_absolute_url())
    assert old.endswith("/浜辺の清掃/")

    html = rename(editor_client, article, "浜辺の清掃-続報", confirm=False).content.decode()

    start = html.index('class="address-change"')
    warning = html[start : html.index("</section>", start)]
    assert f"<code>{old}</code>" in warning
    assert f"<code>{old.replace('浜辺の清掃', '浜辺の清掃-続報')}</code>" in warning
    assert "%E6" not in warning


def test_an_emptied_slug_on_a_public_article_is_warned_about_too(editor_client):
    article = published_article(slug="custom-slug")
    response = rename(editor_client, article, "", confirm=False)
    assert response.status_code == 200 and WARNING in response.content.decode()
    article.refresh_from_db()
    assert article.slug == "custom-slug"


def test_the_confirmation_keeps_the_protection_against_lost_updates(editor_client):
    article = published_article(slug="hogo")
    article.refresh_from_db()
    opened = change_form(article, title=article.title, body=article.body, slug="hogo-2")
    assert editor_client.post(change_url(article), opened).status_code == 200  # the warning
    colleague = Client()
    colleague.force_login(StaffFactory(username="tanaka", role="Editor"))
    assert (
        colleague.post(
            change_url(article), change_form(article, title="田中さんの見出し", slug="hogo")
        ).status_code
        == 302
    )

    response = editor_client.post(change_url(article), {**opened, "confirm_new_address": "on"})

    assert response.status_code == 200 and "tanaka" in response.content.decode()
    article.refresh_from_db()
    assert article.slug == "hogo" and article.title == "田中さんの見出し" and old_addresses() == []


def test_the_slug_field_says_a_new_slug_redirects_the_old_address(editor_client):
    html = editor_client.get(change_url(published_article())).content.decode()
    assert "古いURLは新しいURLへ転送されます" in html


def test_the_copy_desk_gives_the_new_address_for_a_link_to_an_old_one(editor_client):
    from articles.text import copydesk

    article = published_article(slug="kyuu-slug")
    old = article.get_absolute_url()
    rename(editor_client, article, "shin-slug")
    article.refresh_from_db()

    found = copydesk.check(Article(title="関連記事", body=f"前回の[記事]({old})を参照。"))

    assert [f.kind for f in found if f.code == "link"] == ["link_moved"]  # not "leads nowhere"
    assert article.get_absolute_url() in found[0].message


# --- A withdrawn article answers 410 Gone ----------------------------------------------------


def test_an_unpublished_article_answers_410_gone_with_a_page_in_the_sites_design(anonymous):
    article = published_article(slug="torikeshi")
    workflow.perform(article, "unpublish", by=StaffFactory(role="Editor"), comment="誤り")

    response = anonymous.get(article.get_absolute_url())

    html = response.content.decode().replace("<wbr>", "")  # headlines carry <wbr>s between phrases
    assert response.status_code == 410
    assert f'<h1 class="page-title">{WITHDRAWN}</h1>' in html
    assert "港の防波堤が完成" not in html  # what was withdrawn is not repeated
    assert '<meta name="robots" content="noindex' in html and response["X-Robots-Tag"] == "noindex"
    assert f'href="{reverse("articles:home")}"' in html and f'href="{reverse("articles:search")}"' in html
    assert 'class="site-header"' in html  # the public base template


def test_a_redirect_and_a_410_carry_the_security_headers_of_every_page(editor_client, anonymous):
    article = published_article(slug="anzen")
    old = article.get_absolute_url()
    rename(editor_client, article, "anzen-2")
    moved = anonymous.get(old)
    workflow.perform(article, "unpublish", by=StaffFactory(role="Editor"), comment="誤り")
    gone = anonymous.get(old)

    assert (moved.status_code, gone.status_code) == (301, 410)
    for response in (moved, gone):
        assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
        assert response["X-Frame-Options"] == "DENY" and response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin" and "camera=()" in response["Permissions-Policy"]


def test_an_old_address_of_an_unpublished_article_answers_410(editor_client, anonymous):
    article = published_article(slug="kyuu")
    old = article.get_absolute_url()
    rename(editor_client, article, "shin")
    workflow.perform(article, "unpublish", by=StaffFactory(role="Editor"), comment="誤り")
    article.refresh_from_db()

    assert anonymous.get(old).status_code == 410
    assert anonymous.get(article.get_absolute_url()).status_code == 410


def test_a_withdrawn_article_answers_410_while_it_is_reworked_until_it_is_public_again(
    editor_client, editor, anonymous
):
    article = published_article(slug="moto")
    old = article.get_absolute_url()
    rename(editor_client, article, "ato")
    article.refresh_from_db()
    new = article.get_absolute_url()
    workflow.perform(article, "unpublish", by=editor, comment="誤り")
    assert [anonymous.get(a).status_code for a in (old, new)] == [410, 410]

    chief = StaffFactory(role="Chief")  # who may approve text an editor changed
    for action in ("revert_to_draft", "submit", "approve"):
        workflow.perform(article, action, by=chief)
        assert [anonymous.get(a).status_code for a in (old, new)] == [410, 410], article.status
        assert article.has_been_public() and article.is_withdrawn()

    workflow.perform(article, "publish", by=editor)
    assert anonymous.get(new).status_code == 200
    assert anonymous.get(old)["Location"] == new


def test_a_withdrawn_article_rescheduled_for_later_answers_410_until_it_comes_out(
    editor, anonymous, monkeypatch
):
    article = ArticleFactory(slug="saikai", published=timezone.now() - timedelta(days=3))
    old = article.get_absolute_url()
    workflow.perform(article, "unpublish", by=editor, comment="確認")
    coming_out = timezone.now() + timedelta(days=2)
    workflow.perform(article, "publish", by=editor, publish_at=coming_out)
    new = article.get_absolute_url()

    assert new != old and article.is_scheduled and article.has_been_public()
    assert [anonymous.get(a).status_code for a in (old, new)] == [410, 410]

    later = coming_out + timedelta(minutes=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert anonymous.get(new).status_code == 200
    assert anonymous.get(old)["Location"] == new


def test_scheduled_draft_and_mistyped_addresses_stay_404(anonymous):
    scheduled = ArticleFactory(slug="yotei", published=timezone.now() + timedelta(days=1))
    draft = ArticleFactory(slug="shitagaki")
    withdrawn = published_article(slug="torikeshi")
    workflow.perform(withdrawn, "unpublish", by=StaffFactory(role="Editor"), comment="誤り")
    day_before = timezone.localtime(withdrawn.published_at) - timedelta(days=1)
    wrong_day = reverse(
        "articles:detail",
        kwargs={
            "year": day_before.year,
            "month": day_before.month,
            "day": day_before.day,
            "slug": "torikeshi",
        },
    )

    for address in (
        scheduled.get_absolute_url(),
        draft.get_absolute_url(),
        wrong_day,
        "/2020/01/01/nothing/",
    ):
        response = anonymous.get(address)
        assert response.status_code == 404, address
        assert WITHDRAWN not in response.content.decode()


def test_an_article_published_again_answers_200_where_it_answered_410(anonymous):
    article = published_article(slug="fukkatsu")
    editor = StaffFactory(role="Editor")
    workflow.perform(article, "unpublish", by=editor, comment="確認")
    assert anonymous.get(article.get_absolute_url()).status_code == 410
    workflow.perform(article, "publish", by=editor)
    assert anonymous.get(article.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("articles", [3, 30])
def test_the_410_page_runs_a_fixed_number_of_queries(anonymous, articles, django_assert_num_queries):
    for _ in range(articles - 1):
        ArticleFactory(published=True)
    article = published_article(slug="kotei")
    workflow.perform(article, "unpublish", by=StaffFactory(role="Editor"), comment="誤り")
    url = article.get_absolute_url()
    anonymous.get(url)
    # The public state, the article page's look-up and the article at the address, withdrawn: no old
    # address is read (the menu is kept under the public state's mark).
    with django_assert_num_queries(3):
        assert anonymous.get(url).status_code == 410


# --- With the page cache on, nothing stale ------------------------------------------------------


@pytest.fixture(params=["locmem", "redis"])
def page_cache(request, settings):
    settings.PAGE_CACHE_SECONDS = 600
    if request.param == "redis":
        settings.CACHES = redis_cache_settings(request.getfixturevalue("redis_server"))
    caches["default"].clear()
    yield request.param
    caches["default"].clear()


def test_with_the_page_cache_a_move_and_a_withdrawal_show_on_the_next_request(
    page_cache, editor_client, anonymous, django_capture_on_commit_callbacks
):
    article = published_article(slug="cache")
    old = article.get_absolute_url()
    anonymous.get(old)
    assert anonymous.get(old)["X-Page-Cache"] == "hit"

    with django_capture_on_commit_callbacks(execute=True):
        rename(editor_client, article, "cache-2")
    moved = anonymous.get(old)
    assert moved.status_code == 301 and "X-Page-Cache" not in moved
    article.refresh_from_db()
    new = article.get_absolute_url()
    assert anonymous.get(new)["X-Page-Cache"] == "miss"
    assert anonymous.get(new)["X-Page-Cache"] == "hit"

    with django_capture_on_commit_callbacks(execute=True):
        url = reverse("admin:articles_article_workflow", args=[article.pk])
        editor_client.post(url, {"_workflow": "unpublish", "_comment": "誤り"})
    for address in (new, old):
        gone = anonymous.get(address)
        assert gone.status_code == 410 and "X-Page-Cache" not in gone
    assert anonymous.get(new).status_code == 410  # and again: a 410 is never kept

    with django_capture_on_commit_callbacks(execute=True):
        editor_client.post(url, {"_workflow": "publish"})
    assert anonymous.get(new).status_code == 200
    assert anonymous.get(old)["Location"] == new


# --- In a browser: the desk's warning and list, the reader's redirect and 410 -----------------------


def _shoot(page, name: str) -> None:
    """Both widths, for a person to look at (SCREENSHOT_DIR=/tmp/shots)."""
    if not os.environ.get("SCREENSHOT_DIR"):
        return
    for width, height in ((375, 812), (1280, 900)):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(
            path=str(Path(os.environ["SCREENSHOT_DIR"]) / f"addr-{name}-{width}.png"), full_page=True
        )


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_chief_moves_a_public_article_and_readers_follow_it_until_it_is_withdrawn(live_server, browser):
    from articles.tests.test_browser import log_in

    article = ArticleFactory(title="港の防波堤が完成", slug="bouhatei", published=True)
    LegacyAddress.objects.create(
        path="/2019/04/01/bouhatei", original="/2019/04/01/bouhatei.html", article=article
    )
    old = article.get_absolute_url()
    chief = StaffFactory(username="desk-chief", role="Chief")

    desk = log_in(browser, live_server, chief)
    desk.goto(live_server.url + change_url(article))
    desk.fill("#id_slug", "bouhatei-kansei")
    desk.get_by_role("button", name="保存", exact=True).click()
    warning = desk.get_by_role("alert").filter(has_text=WARNING)
    assert old in warning.inner_text() and "/bouhatei-kansei/" in warning.inner_text()
    _shoot(desk, "warning")
    assert Article.objects.get(pk=article.pk).slug == "bouhatei"

    desk.get_by_label("URLを変更する（古いURLは新しいURLへ転送されます）").check()
    desk.get_by_role("button", name="保存", exact=True).click()
    desk.wait_for_url("**/admin/articles/article/")
    desk.goto(live_server.url + change_url(article))
    listed = desk.locator(".old-addresses").inner_text()
    assert LegacyAddress.normalize(old) in listed and "/2019/04/01/bouhatei" in listed
    desk.locator(".old-addresses").scroll_into_view_if_needed()
    _shoot(desk, "old-addresses")

    reader = browser.new_page()
    reader.goto(live_server.url + old)
    assert reader.url.endswith("/bouhatei-kansei/")
    assert reader.get_by_role("heading", level=1).inner_text() == "港の防波堤が完成"

    workflow.perform(article, "unpublish", by=chief, comment="誤りがあったため")
    # A browser may reuse the page it has for a minute (Cache-Control max-age): a reader who
    # comes now, or reloads, asks the site.
    reader.close()
    reader = browser.new_context().new_page()
    response = reader.goto(live_server.url + old)
    assert response.status == 410
    assert reader.get_by_role("heading", level=1).inner_text() == WITHDRAWN
    reader.get_by_role("link", name="最新記事へ").wait_for()
    _shoot(reader, "410")
    reader.close()
