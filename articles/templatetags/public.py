"""Filters and tags of the public site's templates: `{% load public %}`."""

import json

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from articles.site import search, seo
from articles.text import phrases as segmenting

register = template.Library()

# As django.utils.html.json_script escapes: nothing in the data can end the script element.
JSON_ESCAPES = str.maketrans({">": "\\u003E", "<": "\\u003C", "&": "\\u0026"})
WBR = mark_safe("<wbr>")  # noqa: S308 - a constant: where a line may break


@register.filter
def iso(moment) -> str:
    """A time as HTML's datetime attribute takes it: local, to the second, with its offset."""
    return seo.iso(moment) if moment else ""


@register.filter
def phrases(headline: str) -> SafeString:
    """A headline, escaped, with <wbr> between its phrases when it is Japanese (text/phrases.py):
    `{{ article.title|phrases }}` wherever a headline is shown; site.css breaks it only there."""
    return format_html_join(WBR, "{}", ((phrase,) for phrase in segmenting.phrases(headline)))


@register.filter
def highlight(text: str, words) -> SafeString:
    """`text`, escaped, with each search word marked (see search.highlight())."""
    return search.highlight(text, list(words))


@register.filter
def json_ld(data: dict) -> SafeString:
    """Structured data for search engines, as json_script writes it but typed application/ld+json."""
    payload = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(JSON_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(payload))  # noqa: S308


@register.simple_tag(takes_context=True)
def page_url(context, number) -> str:
    """This list's address at page `number` (the first page without ?page=), other parameters kept."""
    request = context["request"]
    params = request.GET.copy()
    params.pop("page", None)
    if int(number) > 1:
        params["page"] = number
    query = params.urlencode()
    return f"{request.path}?{query}" if query else request.path


@register.simple_tag
def page_numbers(page) -> list:
    """The numbers of the pages to link from `page`: the first and the last, and those next to it,
    with an ellipsis (its paginator's ELLIPSIS) for those left out: 1 … 4 5 6 … 21."""
    return list(page.paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1))
