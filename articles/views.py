from django.conf import settings
from django.shortcuts import get_object_or_404
from django.views.decorators.http import condition
from django.views.generic import DetailView, ListView, MonthArchiveView, YearArchiveView

from .models import Article, Author, Category, Tag


def _last_change(request, *args, **kwargs):
    return Article.objects.last_change()


# Every public page and feed answers conditional GETs: Last-Modified from the
# newest change to any article (a 304 before any rendering), and an ETag of
# the body from ConditionalGetMiddleware.
public = condition(last_modified_func=_last_change)


class ArticleListView(ListView):
    queryset = Article.objects.published().for_listing()
    paginate_by = settings.ARTICLES_PER_PAGE
    template_name = "articles/article_list.html"


class ArticleDetailView(DetailView):
    template_name = "articles/article_detail.html"

    def get_queryset(self):
        return (
            Article.objects.published()
            .for_listing()
            .filter(
                published_at__year=self.kwargs["year"],
                published_at__month=self.kwargs["month"],
                published_at__day=self.kwargs["day"],
            )
        )


class FilteredArticleList(ListView):
    """Published articles of one author, tag or section: `filter_by` names the QuerySet method."""

    paginate_by = settings.ARTICLES_PER_PAGE
    owner_model = None
    filter_by = ""

    def get_queryset(self):
        self.owner = get_object_or_404(self.owner_model, slug=self.kwargs["slug"])
        listing = Article.objects.published().for_listing()
        return getattr(listing, self.filter_by)(self.owner).distinct()

    def get_context_data(self, **kwargs):
        return super().get_context_data(owner=self.owner, **kwargs)


class AuthorView(FilteredArticleList):
    owner_model, filter_by = Author, "by_author"
    template_name = "articles/author_detail.html"


class TagView(FilteredArticleList):
    owner_model, filter_by = Tag, "tagged"
    template_name = "articles/tag_detail.html"


class CategoryView(FilteredArticleList):
    owner_model, filter_by = Category, "in_category"
    template_name = "articles/category_detail.html"


class ArchiveMixin:
    queryset = Article.objects.published().for_listing()
    date_field = "published_at"
    paginate_by = settings.ARTICLES_PER_PAGE
    make_object_list = True
    month_format = "%m"


class YearArchive(ArchiveMixin, YearArchiveView):
    template_name = "articles/archive_year.html"


class MonthArchive(ArchiveMixin, MonthArchiveView):
    template_name = "articles/archive_month.html"
