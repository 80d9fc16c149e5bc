"""The desk's pages for authors, sections, tags and people."""

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.db.models import Count
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from taggit.models import Tag as TaggitTag

from articles.desk.forms import MARKDOWN_EDITOR, TagForm
from articles.models import Author, Category, Tag

# Newsroom has its own tag model; taggit's stock one stays unused.
admin.site.unregister(TaggitTag)
admin.site.site_header = format_lazy(gettext_lazy("{site} editorial desk"), site=settings.SITE_NAME)
admin.site.site_title = format_lazy(gettext_lazy("{site} desk"), site=settings.SITE_NAME)
admin.site.index_title = gettext_lazy("Desk")


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    formfield_overrides = MARKDOWN_EDITOR
    list_display = ["name", "slug", "is_desk", "user"]
    list_filter = ["is_desk"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["user"]


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    # Chiefs set the order of the menu and the front page here, in the list.
    list_display = ["name", "slug", "position"]
    list_editable = ["position"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    form = TagForm
    list_display = ["name", "slug", "article_count"]
    search_fields = ["name", "slug"]
    actions = ["merge_tags"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(articles=Count("tagged_articles"))

    @admin.display(description=gettext_lazy("articles"), ordering="articles")
    def article_count(self, obj):
        return obj.articles

    @admin.action(
        description=gettext_lazy("Merge the selected tags into the most used one"), permissions=["delete"]
    )
    def merge_tags(self, request, queryset):
        tags = sorted(queryset, key=lambda tag: (-tag.articles, tag.pk))
        if len(tags) < 2:
            self.message_user(request, _("Select two or more tags to merge."), messages.WARNING)
            return
        keep, others = tags[0], tags[1:]
        keep.merge(others)
        self.message_user(
            request,
            _("Merged %(others)s into “%(keep)s”.")
            % {"others": "、".join(t.name for t in others), "keep": keep.name},
            messages.SUCCESS,
        )


class DeskUserAdmin(UserAdmin):
    """People and roles for the chief; only a superuser makes superusers or grants one-off permissions."""

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += ["is_superuser", "user_permissions"]
        return fields


admin.site.unregister(User)
admin.site.register(User, DeskUserAdmin)
