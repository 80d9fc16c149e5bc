from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control
from django.utils.functional import cached_property
from django.utils.http import urlencode
from django.views.generic import DetailView, ListView, MonthArchiveView, TemplateView, YearArchiveView

from articles import keys
from articles.models import Article, ArticleQuerySet, Author, Category, Named, Tag
from articles.site import pictures, search, seo
from articles.site.addresses import REDIRECT_SECONDS
from articles.site.context_processors import archive_months, around, menu_mark, site_root
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

    def __init__(self, object_list, per_page, *args, counted=None, **kwargs):
        """`counted`: rows as many as object_list's, cheaper to count (an owner's links)."""
        super().__init__(object_list, per_page, *args, **kwargs)
        self.counted = counted

    @cached_property
    def count(self):
        if hasattr(self.object_list, "count_up_to"):  # search.Results
            return self.object_list.count_up_to(self.limit + 1)
        # In any order: counting needs no sort.
        counted = self.object_list if self.counted is None else self.counted
        return counted.order_by()[: self.limit + 1].count()

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
        keys.shows_articles(self.request, articles)
        return paginator, page, page.object_list, is_paginated


class ArticleListView(Summaries, ListView):
    paginate_by = settings.ARTICLES_PER_PAGE
    paginator_class = CappedPaginator
    template_name = "articles/article_list.html"

    def get_queryset(self):
        keys.shows(self.request, keys.HOME)
        return Article.objects.published().summarized()


class FrontPage(TemplateView):
    """The front page: the lead story, the secondary stories, the latest articles, then a block per
    section (in the chiefs' order). Editors pick the lead and secondary stories (Article.feature);
    without a pick the newest public articles take those places. Five queries, whatever the number
    of articles and sections: picks, newest, sections' newest, links, and the public state."""

    template_name = "articles/front.html"
    SECONDARY = 3
    LATEST = 10
    PER_SECTION = 4

    def get_context_data(self, **kwargs):
        keys.shows(self.request, keys.HOME)
        public = Article.objects.published().summarized()
        picks = list(public.picked()[: 1 + self.SECONDARY])
        newest = list(public[: 1 + self.SECONDARY + self.LATEST])
        stories = _stories(picks + newest)
        top = stories[: 1 + self.SECONDARY]
        latest = [article for article in stories[len(top) :] if article in newest][: self.LATEST]
        # Nor the top stories again in the sections' blocks, in either language.
        told = [a.pk for a in top] + [a.translation_id for a in top if a.translation_id]
        others = public.exclude(pk__in=told).exclude(translation__in=told)
        by_section = list(others.newest_by_section(self.PER_SECTION))
        shown = {article.pk: article for article in [*top, *latest, *by_section]}
        Article.objects.show(shown.values())
        keys.shows_articles(self.request, shown.values())
        drawing = Drawing()
        summary = {pk: drawing.summary(article) for pk, article in shown.items()}
        for article in top:  # shown large: the whole image, not a thumbnail
            summary[article.pk]["picture"] = pictures.picture(article)
        return super().get_context_data(
            lead=summary[top[0].pk] if top else None,
            secondary=[summary[article.pk] for article in top[1:]],
            latest=[summary[article.pk] for article in latest],
            sections=_section_blocks(by_section, summary),
            **kwargs,
        )


def _stories(articles: list) -> list:
    """`articles` in their order, each story once: without repeats, and without an article whose
    translation came before it (the same story in the other language)."""
    pairs = {article.pk: article.translation_id for article in articles if article.translation_id}
    pairs.update({other: pk for pk, other in list(pairs.items())})
    stories, seen = [], set()
    for article in articles:
        if article.pk not in seen:
            stories.append(article)
            seen.update({article.pk, pairs.get(article.pk)})
    return stories


def _section_blocks(articles: list, summary: dict) -> list[dict]:
    """A block per section of `articles` (newest_by_section(), in its order): the section as a
    link, and its articles."""
    blocks = {}
    for article in articles:
        section = Named("category", article.section_name, article.section_slug)
        blocks.setdefault(article.section_id, (section, []))[1].append(summary[article.pk])
    drawing = Drawing()
    return [{"section": drawing.links([section])[0], "articles": shown} for section, shown in blocks.values()]


def home(request, *args, **kwargs):
    """The front page. Its list of latest articles went on at ?page=2 and on before the front page
    had stories picked by editors: those addresses lead to the same page of the latest articles."""
    page = request.GET.get("page", "1")
    if page not in ("", "1"):
        response = HttpResponsePermanentRedirect(f"{reverse('articles:latest')}?{urlencode({'page': page})}")
        patch_cache_control(response, public=True, max_age=REDIRECT_SECONDS)
        return response
    return FrontPage.as_view()(request, *args, **kwargs)


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

    def get(self, request, *args, **kwargs):
        """The page in the article's language: its <html lang>, dates and words around the text."""
        self.object = self.get_object()
        with translation.override(self.object.language):
            return self.render_to_response(self.get_context_data(object=self.object)).render()

    def get_context_data(self, **kwargs):
        root, drawing = site_root(self.request), Drawing()
        other = self.object.counterpart()
        keys.shows_articles(self.request, [self.object, *([other] if other else [])])
        neighbours, related = around(self.request, self.object)
        drawn = drawing.article(self.object, neighbours=neighbours, related=related)
        return super().get_context_data(
            structured_data=seo.news_article(self.object, site_root=root, drawing=drawing),
            og=seo.open_graph(self.object, site_root=root, drawing=drawing),
            # The menu marks the article's section as where the reader is ("true"), not as this page.
            menu_mark=menu_mark(self.request, drawn["sections"], "true"),
            **drawn,
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
    kind = None  # its surrogate key's: author, tag or section
    counted_of = None  # the owner's links that count its public articles, when they carry a copy

    def paginate_queryset(self, queryset, page_size):
        paginated = super().paginate_queryset(queryset, page_size)
        if not paginated[0].count:
            raise Http404(f"No public article of this {self.owner_model._meta.verbose_name}.")
        return paginated

    def get_queryset(self):
        self.owner = get_object_or_404(self.owner_model, slug=self.kwargs["slug"])
        keys.shows(self.request, keys.owner(self.kind, self.owner.pk))
        return self.articles_of(Article.objects.summarized(), self.owner)

    def get_paginator(self, queryset, per_page, **kwargs):
        counted = self.counted_of(Article.objects.all(), self.owner) if self.counted_of else None
        return super().get_paginator(queryset, per_page, counted=counted, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(owner=self.owner, **kwargs)


class AuthorView(FilteredArticleList):
    owner_model = Author
    kind = "author"
    articles_of = staticmethod(ArticleQuerySet.listed_by_author)
    counted_of = staticmethod(ArticleQuerySet.counted_by_author)
    template_name = "articles/author_detail.html"


class TagView(FilteredArticleList):
    owner_model = Tag
    kind = "tag"
    articles_of = staticmethod(ArticleQuerySet.listed_tagged)
    counted_of = staticmethod(ArticleQuerySet.counted_tagged)
    template_name = "articles/tag_detail.html"


class CategoryView(FilteredArticleList):
    owner_model = Category
    kind = "section"
    articles_of = staticmethod(ArticleQuerySet.listed_in_category)
    template_name = "articles/category_detail.html"

    def get_context_data(self, **kwargs):
        # The menu marks this section's link as the page it leads to.
        mark = menu_mark(self.request, Drawing().links([self.owner]), "page")
        return super().get_context_data(menu_mark=mark, **kwargs)


class SearchView(Summaries, ListView):
    """/search/?q=: published articles with every word of the query (see search.py)."""

    paginate_by = settings.ARTICLES_PER_PAGE
    paginator_class = SearchPaginator
    template_name = "articles/search.html"

    def get_queryset(self):
        keys.shows(self.request, keys.SEARCH)
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
    """A year's or a month's public articles. Its months, and the periods before and after it, are
    read from archive_months() (every month with a public article, kept like the menu), not asked of
    the database each time; a period without a public article is a 404 (get_date_list())."""

    date_field = "published_at"
    paginate_by = settings.ARTICLES_PER_PAGE
    paginator_class = CappedPaginator
    make_object_list = True
    month_format = "%m"
    allow_empty = True  # not asked: get_date_list() answers 404 for a period without articles

    def get_queryset(self):
        return Article.objects.published()

    def get_dated_items(self):
        dates, articles, extra = super().get_dated_items()
        keys.shows(self.request, *self.period_keys())
        return dates, articles.summarized(), extra

    def months(self) -> list:
        return archive_months(self.request)

    def period_keys(self) -> list[str]:
        return keys.period(
            int(self.get_year()), int(self.get_month()) if hasattr(self, "get_month") else None
        )


class YearArchive(ArchiveMixin, YearArchiveView):
    template_name = "articles/archive_year.html"

    def get_date_list(self, queryset, date_type=None, ordering="ASC"):
        year = int(self.get_year())
        months = [month for month in self.months() if month.year == year]
        if not months:
            raise Http404("No article this year.")
        return months if ordering == "ASC" else months[::-1]

    def get_previous_year(self, date):
        earlier = [month for month in self.months() if month.year < date.year]
        return date.replace(year=earlier[-1].year, month=1, day=1) if earlier else None

    def get_next_year(self, date):
        later = [month for month in self.months() if month.year > date.year]
        return date.replace(year=later[0].year, month=1, day=1) if later else None


class MonthArchive(ArchiveMixin, MonthArchiveView):
    template_name = "articles/archive_month.html"

    def get_date_list(self, queryset, date_type=None, ordering="ASC"):
        """The page lists no days: only whether the month has a public article."""
        year, month = int(self.get_year()), int(self.get_month())
        if not any((found.year, found.month) == (year, month) for found in self.months()):
            raise Http404("No article this month.")
        return []

    def get_previous_month(self, date):
        earlier = [month for month in self.months() if (month.year, month.month) < (date.year, date.month)]
        return date.replace(year=earlier[-1].year, month=earlier[-1].month, day=1) if earlier else None

    def get_next_month(self, date):
        later = [month for month in self.months() if (month.year, month.month) > (date.year, date.month)]
        return date.replace(year=later[0].year, month=later[0].month, day=1) if later else None
