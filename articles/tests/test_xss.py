"""No script from content, anywhere: every vector of the corpus in every field, on every surface.

Each output is parsed: no script element but JSON data and our own files, no
event-handler attribute, no frame, object or meta refresh, and no URL outside
http, https and mailto (relative addresses are our own). A real browser then
opens the pages with alert, confirm and prompt hooked, and counts calls.
"""

import html
import re
import xml.etree.ElementTree as ElementTree
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from articles.models import PreviewLink
from articles.tests.factories import ArticleFactory, AuthorFactory, CategoryFactory
from articles.tests.xss_corpus import VECTORS

SAFE_SCHEMES = {"http", "https", "mailto"}
URL_ATTRIBUTES = {
    "href",
    "src",
    "action",
    "formaction",
    "xlink:href",
    "poster",
    "data",
    "background",
    "cite",
    "ping",
}
FORBIDDEN_TAGS = {"iframe", "frame", "frameset", "object", "embed", "applet", "base"}
SEARCH_WORD = "検証"


class Audit(HTMLParser):
    """What in an HTML document could run a script."""

    def __init__(self, document: str):
        super().__init__(convert_charrefs=True)
        self.problems = []
        self.feed(document)
        self.close()

    def handle_starttag(self, tag, attrs):
        attributes = {name.lower(): value or "" for name, value in attrs}
        if tag == "script":
            kind = attributes.get("type", "").lower()
            source = attributes.get("src", "")
            is_data = kind in {"application/ld+json", "application/json"}
            is_ours = source.startswith(settings.STATIC_URL) or source == reverse("admin:jsi18n")
            if not (is_data or is_ours):
                self.problems.append(f"<script {attributes}>")
        if tag in FORBIDDEN_TAGS:
            self.problems.append(f"<{tag}>")
        if tag == "meta" and attributes.get("http-equiv", "").lower() == "refresh":
            self.problems.append("<meta http-equiv=refresh>")
        for name, value in attributes.items():
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=…>")
            if name in {"style", "values", "to", "from", "by"} and _scripted(value):
                self.problems.append(f"<{tag} {name}={value!r}>")
            urls = (
                [part.split()[0] for part in value.split(",") if part.strip()]
                if name == "srcset"
                else [value]
            )
            if name in URL_ATTRIBUTES | {"srcset"}:
                self.problems += [f"<{tag} {name}={url!r}>" for url in urls if not _safe_url(url)]

    handle_startendtag = handle_starttag


def _safe_url(value: str) -> bool:
    """Relative, or http, https or mailto, as a browser reads it.

    As the URL standard has it: entities decoded, controls and spaces stripped from both ends,
    tabs and newlines removed anywhere ("java&#x09;script:" is javascript:).
    """
    cleaned = re.sub(r"[\t\n\r]", "", html.unescape(value).strip("".join(map(chr, range(0x21))))).lower()
    scheme = re.match(r"([a-z][a-z0-9+.\-]*):", cleaned)
    return scheme is None or scheme.group(1) in SAFE_SCHEMES


def _scripted(value: str) -> bool:
    """A style or an SVG animation value that names a script URL or a CSS expression."""
    cleaned = re.sub(r"[\x00-\x20]", "", html.unescape(value)).lower()
    return "javascript:" in cleaned or "vbscript:" in cleaned or "expression(" in cleaned


def problems_in(document: str) -> list[str]:
    return Audit(document).problems


def problems_in_feed(document: bytes) -> list[str]:
    """A feed is XML; its HTML is in descriptions and contents, read as a feed reader would."""
    found = []
    for element in ElementTree.fromstring(document).iter():  # noqa: S314 - our own feed
        name = element.tag.rsplit("}", 1)[-1]
        if name in {"script"}:
            found.append("<script> in the XML")
        if name in {"description", "encoded", "content", "summary"} and element.text:
            found += problems_in(element.text)
        for attribute, value in element.attrib.items():
            if attribute in {"href", "src"} and not _safe_url(value):
                found.append(f"{name} {attribute}={value!r}")
    return found


@pytest.fixture
def corpus(db):
    """One article per vector, the vector in every field a person types; all of them in each body."""
    section = CategoryFactory(name="検証", slug="kensho")
    body = "\n\n".join(VECTORS)
    articles = []
    for number, vector in enumerate(VECTORS):
        author = AuthorFactory(
            name=f"{vector[:80]} {number}", slug=f"xss-{number}", bio=f"{vector}\n\n{body}"
        )
        articles.append(
            ArticleFactory(
                title=f"{vector[:150]} {SEARCH_WORD}{number}",
                slug=f"xss-{number}",
                excerpt=f"{vector} {SEARCH_WORD}",
                body=body,
                hero_image_url="https://img.example.jp/hero.png",
                hero_alt=vector[:200],
                authors=[author],
                tags=[f"{vector[:60]} {number}"],
                categories=[section],
                published=True,
            )
        )
    return articles


def public_pages(articles) -> list[str]:
    section = articles[0].categories.get()
    pages = 1 + (len(articles) - 1) // 20
    urls = []
    for article in articles:
        urls += [
            article.get_absolute_url(),
            article.byline()[0].get_absolute_url(),
            article.tag_list()[0].get_absolute_url(),
        ]
    for page in range(1, pages + 1):
        urls += [f"{reverse('articles:latest')}?page={page}", f"{section.get_absolute_url()}?page={page}"]
        urls.append(f"{reverse('articles:search')}?q={SEARCH_WORD}&page={page}")
    moment = timezone.localtime(articles[0].published_at)
    urls.append(reverse("articles:archive_year", args=[moment.year]))
    urls.append(reverse("articles:archive_month", args=[moment.year, moment.month]))
    return urls


def test_no_surface_carries_a_script_from_content(client, corpus, chief):
    assert len(VECTORS) >= 60
    found = {}
    for url in public_pages(corpus):
        response = client.get(url)
        assert response.status_code == 200, url
        found[url] = problems_in(response.content.decode())
    feeds = [reverse("articles:feed"), reverse("articles:feed_atom")]
    section = corpus[0].categories.get()
    feeds += [reverse("articles:category_feed", args=[section.slug])]
    feeds += [reverse("articles:category_feed_atom", args=[section.slug])]
    for article in corpus:
        author, tag = article.byline()[0], article.tag_list()[0]
        feeds += [
            reverse("articles:author_feed", args=[author.slug]),
            reverse("articles:author_feed_atom", args=[author.slug]),
            reverse("articles:tag_feed", args=[tag.slug]),
            reverse("articles:tag_feed_atom", args=[tag.slug]),
        ]
    for url in feeds:
        response = client.get(url)
        assert response.status_code == 200, url
        found[url] = problems_in_feed(response.content)
    for article in corpus:
        link = PreviewLink.objects.create(article=article, created_by=chief)
        found[f"shared preview {article.pk}"] = problems_in(
            client.get(link.get_absolute_url()).content.decode()
        )
    client.force_login(chief)
    changelist = client.get(reverse("admin:articles_article_changelist"))
    assert changelist.status_code == 200 and f"{SEARCH_WORD}63" in changelist.content.decode()
    found["admin change list"] = problems_in(changelist.content.decode())
    for listing in ("admin:articles_author_changelist", "admin:articles_tag_changelist"):
        found[listing] = problems_in(client.get(reverse(listing)).content.decode())
    for article in corpus:
        form = client.get(reverse("admin:articles_article_change", args=[article.pk]))
        assert form.status_code == 200
        found[f"admin change form {article.pk}"] = problems_in(form.content.decode())
        staff = client.get(reverse("articles:preview", args=[article.pk]))
        found[f"staff preview {article.pk}"] = problems_in(staff.content.decode())
        author, tag = article.byline()[0], article.tag_list()[0]
        for name, url in {
            "author form": reverse("admin:articles_author_change", args=[author.pk]),
            "tag form": reverse("admin:articles_tag_change", args=[tag.pk]),
            "revisions": reverse("admin:articles_article_revisions", args=[article.pk]),
            "history": reverse("admin:articles_article_history", args=[article.pk]),
            "delete confirmation": reverse("admin:articles_article_delete", args=[article.pk]),
        }.items():
            response = client.get(url)
            assert response.status_code == 200, url
            found[f"admin {name} {article.pk}"] = problems_in(response.content.decode())
    for number, vector in enumerate(VECTORS):
        preview = client.post(reverse("editor:preview"), {"content": vector})
        assert preview.status_code == 200
        found[f"editor preview {number}"] = problems_in(preview.content.decode())
    assert len(found) > 700
    assert {where: problems for where, problems in found.items() if problems} == {}


def test_titles_reach_the_feeds_as_text(client, corpus):
    tree = ElementTree.fromstring(client.get(reverse("articles:feed")).content)  # noqa: S314 - our own feed
    titles = {item.findtext("title") for item in tree.iter("item")}
    assert titles <= {article.title for article in corpus} and len(titles) == 20


def test_the_checker_finds_what_it_looks_for():
    """The audit is only worth its silence if it speaks up when something is there."""
    assert problems_in("<p><script>alert(1)</script></p>")
    assert problems_in('<img src="x" onerror="alert(1)">')
    assert problems_in('<a href=" jav&#x09;ascript:alert(1)">x</a>')
    assert problems_in('<a href="data:text/html,x">x</a>')
    assert problems_in('<iframe src="/x"></iframe>')
    assert problems_in('<meta http-equiv="Refresh" content="0;url=/">')
    assert problems_in('<script src="/\\evil.example/x.js"></script>')
    assert problems_in('<p style="background:url(java&#x09;script:alert(1))">x</p>')
    assert problems_in('<svg><animate attributeName="href" values="javascript:alert(1)"/></svg>')
    assert not problems_in('<script type="application/ld+json">{}</script><a href="/x">x</a>')
    assert not problems_in('<a href="mailto:desk@example.jp">x</a><img src="https://img.example.jp/x.png">')
    assert problems_in_feed(
        b"<rss><channel><item><description>&lt;img src=x onerror=alert(1)&gt;</description></item></channel></rss>"
    )


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_browser_runs_no_script_from_content(live_server, browser):
    articles = []
    body = "\n\n".join(VECTORS)
    author = AuthorFactory(name="検証記者", slug="kensho", bio=body)
    for number, vector in enumerate(VECTORS):
        articles.append(
            ArticleFactory(
                title=f"{vector[:150]} {SEARCH_WORD}{number}",
                slug=f"xss-{number}",
                excerpt=vector,
                body=body if number % 8 == 0 else vector,
                hero_image_url="https://img.example.jp/hero.png",
                hero_alt=vector[:200],
                authors=[author],
                tags=[f"{vector[:60]} {number}"],
                published=True,
            )
        )
    context = browser.new_context()
    context.add_init_script(
        "window.__violations = 0;"
        "document.addEventListener('securitypolicyviolation', () => { window.__violations += 1; });"
        "window.__calls = 0;"
        "for (const name of ['alert', 'confirm', 'prompt', 'print']) {"
        "  window[name] = () => { window.__calls += 1; };"
        "}"
    )
    page = context.new_page()
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    urls = [article.get_absolute_url() for article in articles]
    urls += [
        author.get_absolute_url(),
        reverse("articles:home"),
        f"{reverse('articles:search')}?q={SEARCH_WORD}",
    ]
    urls += [article.tag_list()[0].get_absolute_url() for article in articles[:8]]
    page.goto(live_server.url + urls[0])
    page.evaluate("() => alert('the hook counts')")  # the hook itself works
    assert page.evaluate("() => window.__calls") == 1 and not dialogs
    calls = violations = 0
    for url in urls:
        page.goto(live_server.url + url)
        page.mouse.move(200, 200)  # for handlers that wait for a pointer
        page.wait_for_timeout(20)
        calls += page.evaluate("() => window.__calls")
        # Markup that got through would be stopped by the CSP and reported: none may be.
        violations += page.evaluate("() => window.__violations")
        assert page.url.startswith(live_server.url), url  # nothing navigated away
    context.close()
    assert (len(urls), calls, violations, dialogs) == (len(VECTORS) + 3 + 8, 0, 0, [])
