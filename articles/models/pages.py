"""The site's own pages (about, contact, editorial policy, privacy): written by chiefs in the desk,
linked from every page's footer."""

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import NoReverseMatch, get_script_prefix, resolve, reverse
from django.utils.encoding import uri_to_iri
from django.utils.translation import gettext_lazy as _
from markdownx.models import MarkdownxField

from articles.text import rendering


class SitePageQuerySet(models.QuerySet):
    def in_footer(self):
        """Every page, in the chiefs' order, with what a link to it needs."""
        return self.only("title", "slug").order_by("position", "title")


class SitePage(models.Model):
    """A page about the site itself. Its text is Markdown, rendered and sanitised on save as an
    article's is: no HTML of its own reaches a reader."""

    title = models.CharField(
        _("title"), max_length=100, help_text=_("As readers see it in the footer and at the top of the page.")
    )
    slug = models.SlugField(
        _("slug"),
        max_length=100,
        unique=True,
        allow_unicode=True,
        help_text=_("The page's address: about gives /about/. Japanese is allowed."),
    )
    description = models.CharField(
        _("description"),
        max_length=200,
        blank=True,
        help_text=_("A sentence for search engines and link previews."),
    )
    body = MarkdownxField(_("text"), help_text=_("Markdown, as in articles."))
    body_html = models.TextField(_("text (HTML)"), editable=False, blank=True)
    position = models.PositiveSmallIntegerField(
        _("order"), default=0, help_text=_("Pages with a lower number come first in the footer.")
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = SitePageQuerySet.as_manager()

    class Meta:
        ordering = ["position", "title"]
        verbose_name = _("site page")
        verbose_name_plural = _("site pages")

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.body_html = rendering.render_markdown(self.body)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("articles:site_page", kwargs={"slug": self.slug})

    def clean(self):
        """The address must lead here: /search/ or /latest/ belong to other pages of the site."""
        try:
            address = uri_to_iri(self.get_absolute_url()).removeprefix(get_script_prefix())
        except NoReverseMatch:
            return  # not a slug: the field says so
        leads_here = resolve(f"/{address}").url_name == "site_page"
        if not leads_here:
            raise ValidationError({"slug": _("This address belongs to another page of the site.")})
