import itertools
from datetime import datetime

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.generic import DetailView, ListView, MonthArchiveView, YearArchiveView

from articles.models import Article, ArticleQuerySet, Author, Category, Tag
from articles.site import search, seo
from articles.site.context_processors import site_root
from articles.site.drawing import Drawing


class CappedPaginator(Paginator):
    """At most MAX_LIST_PAGES pages: deeper pages would cost a long OFFSET; the archives go further.

    The count stops one past the last page, so that it reads an index for as
    many rows as can be shown, not the whole archive.
    """

    @property
    def max_pages(self) -> int:
        return settings.MAX_LIST_PAGES

    @cached_property
    def limit(self) -> int:
        return self.max_pages * self.per_page

    @cached_property
    def count(self):
        if hasattr(self.object_list, "count_up_to"):  # search.Results
            return self.object_list.count_up_to(self.limit + 1)
        # In any order: counting needs no sort.
        return self.object_list.order_by()[: self.limit + 1].count()

    @property
    def is_capped(self) -> bool:
        """Are there more articles than the pages show?"""
        return self.count > self.limit

    @cached_property
    def num_pages(self):
        return min(super().num_pages, self.max_pages)


class SearchPaginator(CappedPaginator):
    """Fewer pages for a search: each match counted costs a check of its text."""

    @property
    def max_pages(self) -> int:
        return settings.MAX_SEARCH_PAGES


class Summaries:
    """A ListView of articles whose page shows each as templates/articles/_summary.html draws it:
    the page's articles, with their bylines and tags (one query), as Drawing.summary() dicts."""

    def paginate_queryset(self, queryset, page_size):
        paginator, page, articles, is_paginated = super().paginate_queryset(queryset, page_size)
        drawing = Drawing()
        page.object_list = [drawing.summary(article) for article in Article.objects.show(articles)]
        return paginator, page, page.object_list, is_paginated


class ArticleListView(Summaries, ListView):
    paginate_by = settings.ARTICLES_PER_PAGE
    paginator_class = CappedPaginator
    template_name = "articles/article_list.html"

    def get_queryset(self):
        return Article.objects.published().summarized()


class ArticleDetailView(DetailView):
    template_name = "articles/article_detail.html"

    def get_queryset(self):
        return Article.objects.published().for_listing()

    def get_object(self, queryset=None):
        """The public article of the slug, if the address carries its date of publication (local time)."""
        article = super().get_object(queryset)
        Article.objects.show([article], sections=True)
        local = timezone.localtime(article.published_at)
        if (local.year, local.month, local.day) != (
            self.kwargs["year"],
            self.kwargs["month"],
            self.kwargs["day"],
        ):
            raise Http404("No article at this date with this slug.")
        return article

    def get_context_data(self, **kwargs):
        root, drawing = site_root(self.request), Drawing()
        neighbours, related = Article.objects.around(self.object)
        return super().get_context_data(
            structured_data=seo.news_article(self.object, site_root=root, drawing=drawing),
            og=seo.open_graph(self.object, site_root=root, drawing=drawing),
            **drawing.article(self.object, neighbours=neighbours, related=related),
            **kwargs,
        )


class FilteredArticleList(Summaries, ListView):
    """Published articles of one author, tag or section (`owner_model`).

    An owner with no public article is not public either (its page would tell
    who is writing about what before anything is out): its first page is
    empty, and the page answers 404, from the count the paginator makes anyway.
    """

    paginate_by = settings.ARTICLES_PER_PAGE
    paginator_class = CappedPaginator
    owner_model = None

    def paginate_queryset(self, queryset, page_size):
        paginated = super().paginate_queryset(queryset, page_size)
        if not paginated[0].count:
            raise Http404(f"No public article of this {self.owner_model._meta.verbose_name}.")
        return paginated

    def get_queryset(self):
        self.owner = get_object_or_404(self.owner_model, slug=self.kwargs["slug"])
        return self.articles_of(Article.objects.summarized(), self.owner)

    def get_context_data(self, **kwargs):
        return super().get_context_data(owner=self.owner, **kwargs)


class AuthorView(FilteredArticleList):
    owner_model = Author
    articles_of = staticmethod(ArticleQuerySet.listed_by_author)
    template_name = "articles/author_detail.html"


class TagView(FilteredArticleList):
    owner_model = Tag
    articles_of = staticmethod(ArticleQuerySet.listed_tagged)
    template_name = "articles/tag_detail.html"


class CategoryView(FilteredArticleList):
    owner_model = Category
    articles_of = staticmethod(ArticleQuerySet.listed_in_category)
    template_name = "articles/category_detail.html"


class SearchView(Summaries, ListView):
    """/search/?q=: published articles with every word of the query (see search.py)."""

    paginate_by = settings.ARTICLES_PER_PAGE
    paginator_class = SearchPaginator
    template_name = "articles/search.html"

    def get_queryset(self):
        self.query = search.shown(self.request.GET.get("q", ""))
        self.too_long = len(self.query) > search.MAX_QUERY
        self.words = [] if self.too_long else search.terms(self.query)
        if not self.words:
            return Article.objects.none()
        return search.Results(self.words)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            query=self.query.strip(), words=self.words, too_long=self.too_long, **kwargs
        )


class ArchiveMixin(Summaries):
    date_field = "published_at"
    paginate_by = settings.ARTICLES_PER_PAGE
    paginator_class = CappedPaginator
    make_object_list = True
    month_format = "%m"

    def get_queryset(self):
        # Also where the previous and next periods are looked for: only their dates are read there.
        return Article.objects.published().only("published_at")

    def get_dated_items(self):
        dates, articles, extra = super().get_dated_items()
        return dates, articles.summarized(), extra


class YearArchive(ArchiveMixin, YearArchiveView):
    template_name = "articles/archive_year.html"

    def get_date_list(self, queryset, date_type=None, ordering="ASC"):
        """The months of the year with a public article, as Django lists them (the first moment of
        each, local time), told by each month's first article: twelve one-row reads in one query.
        Django's own reads every article of the year (20,000 in an archive of 100,000)."""
        year = int(self.get_year())
        starts = [timezone.make_aware(datetime(year + month // 12, month % 12 + 1, 1)) for month in range(13)]
        firsts = [
            Article.objects.filter(pk__in=self._first(queryset, since, until))
            .order_by()
            .values_list("published_at", flat=True)
            for since, until in itertools.pairwise(starts)
        ]
        found = {timezone.localtime(moment).month for moment in firsts[0].union(*firsts[1:], all=True)}
        months = [start for start in starts[:12] if start.month in found]
        if not months:
            raise Http404("No article this year.")
        return months if ordering == "ASC" else months[::-1]

    @staticmethod
    def _first(queryset, since, until):
        in_month = queryset.filter(published_at__gte=since, published_at__lt=until)
        return in_month.order_by("published_at").values("pk")[:1]


class MonthArchive(ArchiveMixin, MonthArchiveView):
    template_name = "articles/archive_month.html"
