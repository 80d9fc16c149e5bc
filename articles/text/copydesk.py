"""The copy desk: checks that catch broken text before readers see it.

`check(article)` reads an article's title, excerpt, body, tags, hero alt
text and correction note and returns findings, blocking ones first. A
`block` finding (lost characters, mojibake, tool leftovers, a repeated
paragraph) stops publication; a `warn` finding is shown to the editor.
What the text alone tells is read in `proofreading.py`; links to the site's
own articles are looked up here.
"""

import re
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.urls import Resolver404, resolve
from django.utils.translation import gettext_lazy as _

from articles.models import Article, LegacyAddress
from articles.text import proofreading as read
from articles.text import reading
from articles.text.reading import BLOCK, QUOTE_LENGTH, WARN, Finding  # noqa: F401 - the copy desk's vocabulary

# Findings of one code kept, at most: the rest of a pathological text says nothing new.
MAX_PER_CODE = 50
_FIELD_ORDER = {"title": 0, "excerpt": 1, "body": 2, "tags": 3, "hero_alt": 4, "correction_note": 5}


def check(article: Article, *, tags: list[str] | None = None, database: bool = True) -> list[Finding] | None:
    """Every finding on the article's text, blocking ones first.

    `tags` are the tag names as about to be saved; by default, the article's own.
    With `database=False` (ahead of a save, in another process) nothing is read
    from the database: None when the text links to the site's own pages, since
    only the database knows whether those lead anywhere.
    """
    if tags is None and not database:
        raise ValueError("without the database, give the tags")
    if tags is None:
        tags = list(article.tags.names()) if article.pk else []
    body = reading.Body(article.body or "")
    excerpt = article.excerpt if article.has_typed_excerpt() else ""
    texts = [(name, _lf(text)) for name, text in _fields(article, excerpt)]
    fields = reading.field_scan(texts + [("tags", name) for name in tags])
    findings = read.title_and_excerpt(article.title or "", excerpt)
    findings += read.encoding(fields) + read.markers(fields) + read.controls(fields)
    for name, text in texts:
        findings += read.brackets(name, [(None, text)])
    findings += read.encoding(body.prose_scan, everywhere=body.full_scan) + read.controls(body.full_scan)
    findings += read.markers(body.prose_scan) + body.structure() + read.duplicates(body)
    for block in body.blocks:
        findings += read.brackets("body", block.lines, continued=block.continued)
    own_links = _own_links(body)
    if own_links and not database:
        return None
    has_hero = bool(article.hero_image or article.hero_image_url)
    findings += read.images(body, has_hero=has_hero, hero_alt=article.hero_alt or "")
    findings += _link_findings(body.linked_scan, own_links)
    findings += read.widths([reading.field_scan(texts), body.prose_scan])
    findings.sort(key=lambda f: (f.severity != BLOCK, _FIELD_ORDER.get(f.field, 9), f.line or 0))
    return _at_most(MAX_PER_CODE, findings)


def check_tag_name(name: str) -> list[Finding]:
    """What the copy desk finds in a tag's name alone (for a tag renamed in the desk)."""
    scan = reading.field_scan([("tags", name)])
    return read.encoding(scan) + read.markers(scan) + read.controls(scan)


def _fields(article: Article, excerpt: str) -> list[tuple[str, str]]:
    return [
        ("title", article.title or ""),
        ("excerpt", excerpt),
        ("hero_alt", article.hero_alt or ""),
        ("correction_note", article.correction_note or ""),
    ]


def _lf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _at_most(limit: int, findings: list[Finding]) -> list[Finding]:
    kept, counts = [], {}
    for finding in findings:
        counts[finding.code] = counts.get(finding.code, 0) + 1
        if counts[finding.code] <= limit:
            kept.append(finding)
    return kept


def review(article: Article, *, tags: list[str] | None = None) -> list[Finding]:
    """Check the article and keep the findings on it (saved with its next save)."""
    return keep(article, check(article, tags=tags))


def keep(article: Article, findings: list[Finding]) -> list[Finding]:
    """Put the findings on the article, to be saved with it."""
    article.findings = [finding.as_dict() for finding in findings]
    article.blocking_findings = sum(finding.is_blocking for finding in findings)
    article.warning_findings = len(findings) - article.blocking_findings
    return findings


def stored(article: Article) -> list[Finding]:
    """The findings kept with the article at its last save."""
    return [Finding.from_dict(data) for data in article.findings or []]


def blocking(findings: list[Finding]) -> list[Finding]:
    return [finding for finding in findings if finding.is_blocking]


def introduced(before: list[Finding], after: list[Finding]) -> list[Finding]:
    """The blocking findings of `after` that `before` did not have (a change must not add any)."""
    known = {finding.key() for finding in before}
    return [finding for finding in blocking(after) if finding.key() not in known]


def summary(findings: list[Finding], limit: int = 5) -> str:
    """ "encoding (title); duplicate (body, line 40)" — for refusals and reports."""
    listed = "; ".join(f"{finding.code} ({finding.where()})" for finding in findings[:limit])
    if len(findings) > limit:
        listed += "; " + str(_("and %(n)s more") % {"n": len(findings) - limit})
    return listed


# --- link -------------------------------------------------------------------------

_LINKS = re.compile(
    r"(?<!!)\[[^\]\n]{0,300}\]\([ \t]*<?([^\s)>]+)"
    r"|^[ \t]{0,3}\[[^\]\n]{1,300}\]:[ \t]*<?([^\s>]+)"
    r"|\bhref[ \t]*=[ \t]*[\"']([^\"'\n]+)"
    r"|<(https?://[^>\s]+)>",
    re.IGNORECASE | re.MULTILINE,
)


def _own_links(body: reading.Body) -> list[tuple[int, str, str, dict | None]]:
    """Links to this site's articles (or to no page of it): (position, url, path, the article route's kwargs)."""
    wanted = []
    for match in _LINKS.finditer(body.linked_scan.text):
        url = next(group for group in match.groups() if group)
        path = _own_path(url)
        if path is not None:
            route = _article_route(path)
            if route != {}:  # {}: a page of the site other than an article
                wanted.append((match.start(), url, path, route))
    return wanted


def _link_findings(scan: reading.Scan, wanted: list) -> list[Finding]:
    """Of `wanted` (see _own_links), those that lead nowhere, or to an article readers cannot see."""
    if not wanted:
        return []
    slugs = {route["slug"] for _p, _u, _path, route in wanted if route}
    articles = {
        a.slug: a for a in Article.objects.filter(slug__in=slugs).only("slug", "status", "published_at")
    }
    # An old address (of the old site, or one an article left here) leads to its article.
    unresolved = {
        LegacyAddress.normalize(path)
        for _p, _u, path, route in wanted
        if route is None or route["slug"] not in articles
    }
    legacy = {}
    if unresolved:
        addresses = LegacyAddress.objects.filter(path__in=unresolved).select_related("article")
        legacy = {address.path: address.article for address in addresses}
    found = []
    for position, url, path, route in wanted:
        target = articles.get(route["slug"]) if route else None
        target = target or legacy.get(LegacyAddress.normalize(path))
        quote = url[:QUOTE_LENGTH]
        if target is None:
            found.append(
                scan.finding("link", "link_missing", position, {"url": url}, quote=quote, severity=WARN)
            )
        elif not target.is_public:
            params = {"url": url, "status": "scheduled" if target.is_scheduled else target.status}
            found.append(
                scan.finding("link", "link_unpublished", position, params, quote=quote, severity=WARN)
            )
        elif route is not None and target.get_absolute_url() != _article_path(route):
            params = {"url": url, "right": target.get_absolute_url()}
            found.append(scan.finding("link", "link_moved", position, params, quote=quote, severity=WARN))
    return found


def _own_path(url: str) -> str | None:
    """The path of a link into this site (absolute or site-relative), else None."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    own_host = urlsplit(settings.SITE_URL).netloc.lower()
    if parts.scheme in ("http", "https") and parts.netloc.lower() == own_host:
        path = parts.path or "/"
    elif not parts.scheme and not parts.netloc and parts.path.startswith("/"):
        path = parts.path
    else:
        return None
    path = unquote(path)
    if path.startswith((settings.STATIC_URL, settings.MEDIA_URL)):
        return None
    return path


def _article_route(path: str) -> dict | None:
    """The article route's kwargs when `path` is an article's address; {} for other pages; None for none."""
    try:
        match = resolve(path if path.endswith("/") else path + "/")
    except Resolver404:
        return None
    return match.kwargs if match.view_name == "articles:detail" else {}


def _article_path(route: dict) -> str:
    return f"/{route['year']:04d}/{route['month']:02d}/{route['day']:02d}/{route['slug']}/"
