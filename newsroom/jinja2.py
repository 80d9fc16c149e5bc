"""The Jinja2 environment of the public site's templates (templates/jinja2/).

Public pages are rendered with Jinja2, which compiles each template to Python
once. Django's engine walks its node tree on every render, and on the article
page that walk cost as much CPU as the rest of the request together. The
admin, the sitemaps and robots.txt keep Django's templates (templates/).
"""

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.template.defaultfilters import date, linebreaksbr
from django.urls import reverse
from django.utils import translation
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import trans_real
from jinja2 import Environment, pass_context
from markupsafe import Markup

from articles import links, listing, seo

# As django.utils.html.json_script escapes: nothing in the data can end the script element.
_JSON_ESCAPES = {">": "\\u003E", "<": "\\u003C", "&": "\\u0026"}


def environment(**options) -> Environment:
    # Django's backend asks for autoescaping already; said here too, as no page may go without it.
    env = Environment(autoescape=options.pop("autoescape", True), extensions=["jinja2.ext.i18n"], **options)
    # Jinja2's "new style" gettext (see below): {% trans %} blocks compile to calls with keywords.
    env.newstyle_gettext = True
    env.globals.update(
        _=gettext,
        gettext=gettext,
        ngettext=ngettext,
        pgettext=pgettext,
        npgettext=npgettext,
        address=links.address,
        url=url,
        static=links.static_address,
        page_url=page_url,
        summaries=summaries,
        json_ld=json_ld,
    )
    env.filters.update(
        date=local_date,
        iso=iso,
        linebreaksbr=linebreaksbr,
    )
    return env


# The i18n extension's "new style" gettext, as it wraps gettext functions, without its two layers
# of context calls: a page has a dozen strings to translate, and the layers cost more than
# Django's lookup. The text is markup (the template's own), its %(variables)s escaped.
def gettext(message: str, **variables) -> Markup:
    return Markup(translation.gettext(message)) % variables  # noqa: S704 - see above


def translations(request) -> dict:
    """gettext() and ngettext() for one page, bound to the active language's catalog (a context processor).

    Django's gettext finds the active language anew on each call, in a
    request-local variable: 2.3 µs a string against 0.2 µs for the catalog's
    own, and an article page asks for thirty-odd strings. Templates that are
    imported rather than included get the global functions above.
    """
    catalog = trans_real.catalog()

    def page_gettext(message: str, **variables) -> Markup:
        return Markup(catalog.gettext(message) if message else "") % variables  # noqa: S704 - as gettext()

    def page_ngettext(singular: str, plural: str, number: int, **variables) -> Markup:
        variables.setdefault("num", number)
        return Markup(catalog.ngettext(singular, plural, number)) % variables  # noqa: S704 - as gettext()

    return {"_": page_gettext, "gettext": page_gettext, "ngettext": page_ngettext}


def ngettext(singular: str, plural: str, number: int, **variables) -> Markup:
    variables.setdefault("num", number)
    return Markup(translation.ngettext(singular, plural, number)) % variables  # noqa: S704 - see above


def pgettext(context: str, message: str, **variables) -> Markup:
    variables.setdefault("context", context)
    return Markup(translation.pgettext(context, message)) % variables  # noqa: S704 - see above


def npgettext(context: str, singular: str, plural: str, number: int, **variables) -> Markup:
    variables.setdefault("context", context)
    variables.setdefault("num", number)
    return Markup(translation.npgettext(context, singular, plural, number)) % variables  # noqa: S704 - see above


def url(name: str, *args, **kwargs) -> str:
    """`{% url %}`: the address of a route."""
    return reverse(name, args=args, kwargs=kwargs)


def local_date(value, arg=None) -> str:
    """Django's `date` filter, given the time in the site's zone as Django's engine gives it."""
    return date(template_localtime(value), arg)


def iso(moment) -> str:
    """A time as HTML's datetime attribute takes it: local, to the second, with its offset."""
    return seo.iso(moment) if moment else ""


@pass_context
def page_url(context, number) -> str:
    """This list's address at page `number` (the first page without ?page=), other parameters kept."""
    request = context["request"]
    params = request.GET.copy()
    params.pop("page", None)
    if int(number) > 1:
        params["page"] = number
    query = params.urlencode()
    return f"{request.path}?{query}" if query else request.path


def summaries(articles, words=None) -> SafeString:
    """Each article of a list as a summary (see listing.py), search words marked."""
    return listing.summaries(articles, words or ())


def json_ld(data: dict) -> SafeString:
    """Structured data for search engines, as json_script writes it but typed application/ld+json."""
    payload = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)
    for (
        character,
        escaped,
    ) in _JSON_ESCAPES.items():  # replace() is many times faster than translate() on non-ASCII
        payload = payload.replace(character, escaped)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(payload))  # noqa: S308
