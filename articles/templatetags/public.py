"""Filters and tags of the public site's templates: `{% load public %}`."""

import json

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from articles.site import search, seo

register = template.Library()

# As django.utils.html.json_script escapes: nothing in the data can end the script element.
JSON_ESCAPES = str.maketrans({">": "\\u003E", "<": "\\u003C", "&": "\\u0026"})


@register.filter
def iso(moment) -> str:
    """A time as HTML's datetime attribute takes it: local, to the second, with its offset."""
    return seo.iso(moment) if moment else ""


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
