"""What a reader and an editor see in a real browser (Debian's Chromium, headless)."""

import os
from pathlib import Path

import pytest
from django.urls import reverse

from articles.models import Article
from articles.tests.factories import ArticleFactory, AuthorFactory, StaffFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="ja-JP", viewport={"width": 390, "height": 844})
    page = context.new_page()
    yield page
    context.close()


def test_reader_goes_from_home_to_article_to_author(live_server, page):
    reporter = AuthorFactory(name="佐藤 花子", slug="sato", bio="港町の市政を担当する記者。")
    ArticleFactory(
        title="浜通りの朝市が20年目",
        body="浜通り商店街の朝市が、今年で20年目を迎えた。\n\n## 始まり\n\n数軒の店主が始めた。",
        authors=[reporter],
        tags=["朝市"],
        published=True,
    )
    page.goto(live_server.url + reverse("articles:home"))
    assert page.locator("html").get_attribute("lang") == "ja"
    assert page.get_by_role("heading", level=1).inner_text() == "Newsroom"  # the front page: the site
    page.locator(".lead-story").get_by_role("link", name="浜通りの朝市が20年目").click()

    assert page.get_by_role("heading", level=1).inner_text() == "浜通りの朝市が20年目"
    assert page.get_by_role("heading", name="始まり").is_visible()
    # No script runs: the one script element is JSON-LD data.
    assert page.evaluate("() => [...document.scripts].map(s => s.type)") == ["application/ld+json"]
    if os.environ.get("SCREENSHOT_DIR"):  # for a person to look at the page
        page.screenshot(path=str(Path(os.environ["SCREENSHOT_DIR"]) / "article.png"), full_page=True)
    page.locator(".byline").get_by_role("link", name="佐藤 花子").click()

    assert page.get_by_role("heading", level=1).inner_text() == "佐藤 花子"
    assert "港町の市政を担当する記者。" in page.locator(".bio").inner_text()


def test_skip_link_is_the_first_stop_and_moves_focus_to_the_content(live_server, page):
    ArticleFactory(published=True)
    page.goto(live_server.url + reverse("articles:home"))
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.className") == "skip-link"
    assert page.locator(".skip-link").is_visible()


def log_in(browser, live_server, user):
    context = browser.new_context(locale="ja-JP", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(live_server.url + reverse("admin:login"))
    page.fill("#id_username", user.username)
    page.fill("#id_password", "correct horse battery staple")
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/")
    return page


def test_an_article_goes_from_writer_to_editor_and_back_to_the_home_page(live_server, browser):
    AuthorFactory(name="高橋 健太", user=None)
    writer = StaffFactory(username="desk-writer", role="Writer")
    editor = StaffFactory(username="desk-editor", role="Editor")
    ArticleFactory(tags=["防災", "防犯"])

    # The writer drafts with a live preview, picks a byline and tags, and submits.
    desk = log_in(browser, live_server, writer)
    desk.goto(live_server.url + reverse("admin:articles_article_add"))
    desk.fill("#id_title", "防災アプリを刷新")
    body = desk.locator("textarea.markdownx-editor")
    body.fill(
        '## 新機能\n\n避難所の混雑を予測する。\n\n<img src=x onerror="window.pwned=1">[x](javascript:alert(1))'
    )
    body.dispatch_event("input")
    preview = desk.locator(".markdownx-preview")
    preview.locator("h2").wait_for()
    assert preview.locator("h2").inner_text() == "新機能"
    assert preview.locator("[onerror]").count() == 0 and preview.locator("a[href^='javascript']").count() == 0
    assert desk.evaluate("() => window.pwned === undefined")
    tags = desk.locator("#id_tags")
    tags.press_sequentially("港、防")
    desk.wait_for_function("() => document.querySelectorAll('#id_tags-suggestions option').length === 2")
    options = desk.locator("#id_tags-suggestions option").evaluate_all("els => els.map(e => e.value)")
    assert sorted(options) == sorted(["港, 防災", "港, 防犯"])
    tags.fill("港, 防災")
    desk.locator(".dynamic-bylines .select2-selection, #bylines-group .select2-selection").first.click()
    desk.locator(".select2-container--open .select2-search__field").fill("高橋")
    desk.locator(".select2-results__option", has_text="高橋 健太").click()
    desk.get_by_role("button", name="保存して審査に提出").click()
    desk.wait_for_url("**/change/")
    article = Article.objects.get(title="防災アプリを刷新")
    assert article.status == Article.Status.IN_REVIEW

    # The editor finds it in the review queue and asks for a change.
    review = log_in(browser, live_server, editor)
    review.goto(live_server.url + reverse("admin:index"))
    review.get_by_role("link", name="審査待ち（古い順）").click()
    review.get_by_role("link", name="防災アプリを刷新").click()
    review.fill("#id__comment", "見出しに「港町市」を入れてください。")
    review.get_by_role("button", name="修正を依頼").click()
    review.wait_for_url("**/change/")

    # The writer reads the comment, revises and resubmits.
    desk.goto(live_server.url + reverse("admin:articles_article_change", args=[article.pk]))
    assert "見出しに「港町市」を入れてください。" in desk.locator(".article-history").inner_text()
    desk.fill("#id_title", "港町市が防災アプリを刷新")
    desk.get_by_role("button", name="保存して審査に提出").click()
    desk.wait_for_url("**/change/")

    # The editor approves and publishes; the piece is on the home page.
    review.goto(live_server.url + reverse("admin:articles_article_change", args=[article.pk]))
    review.get_by_role("button", name="承認", exact=True).click()
    review.wait_for_url("**/change/")
    review.get_by_role("button", name="公開", exact=True).click()
    review.wait_for_url("**/change/")
    article.refresh_from_db()
    assert article.is_public and sorted(article.tags.names()) == ["港", "防災"]
    assert [step.action for step in article.events.all()] == [
        "submit",
        "request_changes",
        "submit",
        "approve",
        "publish",
    ]

    public = browser.new_page()
    public.goto(live_server.url + reverse("articles:home"))
    public.get_by_role("link", name="港町市が防災アプリを刷新").click()
    assert public.get_by_role("heading", name="新機能").is_visible()
    assert public.locator(".byline").inner_text() == "高橋 健太"


def test_the_editor_sees_the_copy_desk_report_and_cannot_publish_a_blocked_article(live_server, browser):
    from articles.desk import workflow
    from articles.text import copydesk

    editor = StaffFactory(username="desk-editor", role="Editor")
    chief = StaffFactory(username="desk-chief", role="Chief")
    article = ArticleFactory(
        title="港町の予算\ufffd", body="予算案を承認した。\n\n市長は「急ぐと述べた。\n\n---END---"
    )
    copydesk.review(article)
    article.save()
    workflow.perform(article, "submit", by=chief)
    workflow.perform(article, "approve", by=chief)

    desk = log_in(browser, live_server, editor)
    desk.goto(live_server.url + reverse("admin:articles_article_changelist"))
    assert "要修正 2 件" in desk.locator("#result_list").inner_text()
    desk.goto(live_server.url + reverse("admin:articles_article_change", args=[article.pk]))
    report = desk.locator(".copy-desk")
    assert report.locator(".findings-block li").count() == 2
    assert "---END---" in report.locator(".findings-block").inner_text()
    assert "本文、5 行目" in report.locator(".findings-block").inner_text()
    assert "「急ぐと述べた。" in report.locator(".findings-warn").inner_text()
    if os.environ.get("SCREENSHOT_DIR"):
        desk.screenshot(path=str(Path(os.environ["SCREENSHOT_DIR"]) / "copy-desk.png"), full_page=True)
    desk.get_by_role("button", name="公開", exact=True).click()
    desk.wait_for_url("**/change/")
    assert "校閲が公開を止めている箇所を直すまで公開できません" in desk.locator(".messagelist").inner_text()
    article.refresh_from_db()
    assert article.status == Article.Status.APPROVED and not article.is_public


def _shoot(page, name):
    """The page at a phone's width and a desk's, for a person to look at (SCREENSHOT_DIR)."""
    if not os.environ.get("SCREENSHOT_DIR"):
        return
    for width, height in [(375, 812), (1280, 900)]:
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(Path(os.environ["SCREENSHOT_DIR"]) / f"{name}-{width}.png"))


def test_an_editor_restores_an_old_version_of_a_published_article_through_the_form(live_server, browser):
    from articles.tests.test_restore import BARE, FIXED, rows

    editor = StaffFactory(username="desk-editor", role="Editor")
    article = ArticleFactory(title="港の朝", body=BARE, published=True)
    article.body, article.hero_alt = FIXED, "防波堤と灯台"
    article.saved_by = editor
    article.save()
    before = rows(article)

    desk = log_in(browser, live_server, editor)
    desk.context.route("https://example.com/**", lambda route: route.abort())  # the images: no network
    desk.goto(live_server.url + reverse("admin:articles_article_revisions", args=[article.pk]))
    _shoot(desk, "restore-revisions")
    desk.locator("tr", has_text="v1").get_by_role("link", name="復元").click()
    desk.wait_for_url("**/change/?restore=*")
    notice = desk.locator(".restore-notice")
    assert "バージョン 1 から読み込みました（まだ保存されていません）" in notice.inner_text()
    assert "+![](https://example.com/port.jpg)" in notice.locator(".diff-added").inner_text()
    assert "alt_text" in notice.locator(".findings-warn").inner_text()  # what the copy desk says of it
    assert desk.locator("#id_body").input_value() == BARE
    assert rows(article) == before  # opening it saved nothing
    _shoot(desk, "restore-form")

    desk.set_viewport_size({"width": 1280, "height": 900})
    desk.locator("fieldset.collapse summary").click()  # the correction note, folded away
    desk.fill("#id_correction_note", "写真の説明を初出時のものに戻しました。")
    desk.get_by_role("button", name="保存して編集を続ける").click()
    desk.wait_for_url("**/change/")
    article.refresh_from_db()
    assert article.body == BARE and article.is_public and article.was_updated
    assert article.history.first().history_change_reason == "restored v1"
    assert desk.locator(".restore-notice").count() == 0


def test_a_writer_restores_a_draft_after_seeing_what_differs(live_server, browser):
    from articles.tests.test_restore import draft_written_twice, rows

    writer = StaffFactory(username="desk-writer", role="Writer")
    article, first = draft_written_twice(writer)
    before = rows(article)

    desk = log_in(browser, live_server, writer)
    desk.goto(live_server.url + reverse("admin:articles_article_revisions", args=[article.pk]))
    desk.locator("tr", has_text="v1").get_by_role("link", name="復元").click()
    assert desk.get_by_role("heading", level=1).inner_text() == "バージョン 1 を復元しますか？"
    assert "+最初の本文。" in desk.locator(".restore-diff .diff-added").all_inner_texts()
    assert rows(article) == before
    _shoot(desk, "restore-confirm")

    desk.get_by_role("button", name="バージョン 1 を新しいバージョンとして復元").click()
    desk.wait_for_url("**/change/")
    assert "バージョン 1 を新しいバージョンとして復元しました。" in desk.locator(".messagelist").inner_text()
    article.refresh_from_db()
    assert (article.title, article.body, article.status) == ("初稿", "最初の本文。", Article.Status.DRAFT)
