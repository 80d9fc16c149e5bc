"""The desk's page for the site's own pages (about, contact…): chiefs' alone (roles.py)."""

from django.contrib import admin

from articles.desk.forms import MARKDOWN_EDITOR
from articles.models import SitePage


@admin.register(SitePage)
class SitePageAdmin(admin.ModelAdmin):
    formfield_overrides = MARKDOWN_EDITOR
    fields = ["title", "slug", "description", "body", "position"]
    list_display = ["title", "slug", "position", "updated_at"]
    list_editable = ["position"]
    search_fields = ["title", "slug", "body"]
