"""Bad bytes never crash: random files to the importer, random Markdown to the renderer and copy desk.

Every input ends in a clean result or a clean refusal (hypothesis generates them).
"""

import itertools

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from articles.models import Article
from articles.text import copydesk, rendering
from articles.transfer import posts as transfer

pytestmark = pytest.mark.django_db
EXAMPLES = settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
_numbers = itertools.count()

# Markdown's own punctuation, HTML, Japanese, controls and lone surrogates' neighbours.
MARKDOWNISH = st.text(
    alphabet=st.one_of(
        st.sampled_from(list("#*_`[]()!<>|-=+~:\\\"'&;{}\n\t 　。、「」（）")),
        st.characters(codec="utf-8"),
    ),
    max_size=600,
)
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=40))
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=8,
)
KEYS = st.sampled_from(
    [
        "title",
        "date",
        "tags",
        "categories",
        "published",
        "author",
        "authors",
        "excerpt",
        "slug",
        "permalink",
        "redirect_from",
        "image",
        "layout",
        "lang",
    ]
)


def _import(tmp_path, chief, content: bytes):
    path = tmp_path / f"2026-01-02-post-{next(_numbers)}.md"
    path.write_bytes(content)
    result = transfer.import_post(path=path, user=chief)
    assert result.outcome in transfer.Outcome
    if result.outcome == transfer.Outcome.REFUSED:
        assert result.message and str(path.name) in result.message
    else:
        assert Article.objects.filter(pk=result.article.pk).exists()
    return result


@EXAMPLES
@given(data=st.binary(max_size=2000))
def test_random_bytes_are_imported_or_refused(tmp_path, chief, data):
    _import(tmp_path, chief, data)


@EXAMPLES
@given(front=st.dictionaries(KEYS, VALUES, max_size=6), body=MARKDOWNISH)
def test_random_front_matter_is_imported_or_refused(tmp_path, chief, front, body):
    text = "---\n" + yaml.safe_dump(front, allow_unicode=True) + "---\n" + body
    _import(tmp_path, chief, text.encode("utf-8", "surrogatepass"))


@EXAMPLES
@given(raw=st.text(max_size=300), body=MARKDOWNISH)
def test_front_matter_that_is_not_yaml_is_refused_cleanly(tmp_path, chief, raw, body):
    _import(tmp_path, chief, f"---\n{raw}\n---\n{body}".encode("utf-8", "surrogatepass"))


@EXAMPLES
@given(text=MARKDOWNISH)
def test_random_markdown_renders_to_safe_html(text):
    rendered = rendering.render(text)
    assert isinstance(rendered.html, str) and rendered.reading_time >= 1
    lowered = rendered.html.lower()
    assert "<script" not in lowered and "javascript:" not in lowered and " on" not in _tags_only(lowered)


@EXAMPLES
@given(title=st.text(max_size=120), body=MARKDOWNISH, excerpt=st.text(max_size=200))
def test_the_copy_desk_reads_any_text(title, body, excerpt):
    findings = copydesk.check(Article(title=title, body=body, excerpt=excerpt))
    assert all(finding.code and finding.severity and finding.message for finding in findings)


def _tags_only(html: str) -> str:
    """The insides of the tags of an HTML fragment (where an event handler would be)."""
    inside, out = False, []
    for char in html:
        if char == "<":
            inside = True
        elif char == ">":
            inside = False
        elif inside:
            out.append(char)
    return "".join(out)
