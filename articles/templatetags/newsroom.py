"""Template helpers of the public site."""

import json

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from .. import links, listing, search, seo

register = template.Library()

# As django.utils.html.json_script escapes: nothing in the data can end the script element.
_JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.simple_tag
def address(name: str, **kwargs) -> str:
    """`{% url %}` for the routes of every page (menu, feeds), reversed once per process (links.py)."""
    return links.address(name, **kwargs)


@register.filter
def highlight(text: str, words) -> SafeString:
    """The text with the searched words marked."""
    return search.highlight(text or "", list(words or []))


@register.simple_tag
def summaries(articles, words=None) -> SafeString:
    """Each article of a list as a summary (see listing.py), search words marked."""
    return listing.summaries(articles, words or ())


@register.simple_tag
def json_ld(data: dict) -> SafeString:
    """Structured data for search engines, as json_script writes it but typed application/ld+json."""
    payload = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(_JSON_ESCAPES)
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


@register.filter
def iso(moment) -> str:
    """A time as HTML's datetime attribute takes it: local, to the second, with its offset."""
    return seo.iso(moment) if moment else ""
