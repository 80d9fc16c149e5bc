"""Article.objects: the one definition of public, and what the pages read."""

from typing import NamedTuple

from django.db import models
from django.db.models import Case, Count, F, Max, Min, Prefetch, Q, Subquery, Value, When, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from articles.models.owners import Byline, Category, TaggedArticle


class Named(NamedTuple):
    """An author, tag or section as a page names it; `kind` is the route of its page."""

    kind: str
    name: str
    slug: str
    is_desk: bool = False  # an author that is a desk or a team


class Teaser(NamedTuple):
    """Another article as a link to it: the article page's previous, next and related ones."""

    title: str
    published_at: object  # datetime
    url: str
    pk: int
    language: str = ""  # its text's (Article.language)


class Links(NamedTuple):
    """What a page shows of an article's owners: its byline in order, its tags and sections by name."""

    byline: list[Named]
    tags: list[Named]
    sections: list[Named]


class ArticleQuerySet(models.QuerySet):
    def published(self):
        """The one definition of public: published, and its time has come."""
        return self.filter(status=self.model.Status.PUBLISHED, published_at__lte=timezone.now())

    def scheduled(self):
        """Published, with a time still to come: public when it comes."""
        return self.filter(status=self.model.Status.PUBLISHED, published_at__gt=timezone.now())

    def picked(self):
        """Articles an editor put at the top of the front page, whose time there has not ended:
        leads first, then the newest."""
        now = timezone.now()
        lead = Case(When(feature=self.model.Feature.LEAD, then=Value(0)), default=Value(1))
        return (
            self.exclude(feature="")
            .filter(Q(featured_until__isnull=True) | Q(featured_until__gt=now))
            .order_by(lead, "-published_at", "-pk")
        )

    def next_change(self):
        """When what is public changes by itself next: a scheduled publication, or a front-page pick
        of a public article ending. None when nothing is to come."""
        coming = self.scheduled().aggregate(at=Min("published_at"))["at"]
        ending = self.published().picked().filter(featured_until__gt=timezone.now())
        ending = ending.aggregate(at=Min("featured_until"))["at"]
        return min((at for at in (coming, ending) if at is not None), default=None)

    def newest_by_section(self, per_section: int):
        """Up to `per_section` of these articles per section they are in, by section in the chiefs'
        order then newest first, each with its section's `section_id`, `section_name` and
        `section_slug`: one query (ranked in the database, whatever the number of
        sections)."""
        rank = Window(
            RowNumber(),
            partition_by=F("categories"),
            order_by=[F("published_at").desc(), F("pk").desc()],
        )
        ranked = self.filter(categories__isnull=False).annotate(
            section_id=F("categories"),
            section_name=F("categories__name"),
            section_slug=F("categories__slug"),
            section_position=F("categories__position"),
            rank=rank,
        )
        return ranked.filter(rank__lte=per_section).order_by("section_position", "section_name", "rank")

    def with_links(self, *, sections: bool = True):
        """Each article with its Author, Tag and Category rows (bylines in order, tags and
        sections by name): a query each, read by Article.byline(), tag_list() and sections() (the
        desk and exports; the public pages read names with show())."""
        links = [
            Prefetch("bylines", Byline.objects.select_related("author"), to_attr="shown_bylines"),
            # Through the tag links: taggit's manager takes no queryset of its own to prefetch.
            Prefetch(
                "taggedarticle_set",
                TaggedArticle.objects.select_related("tag").order_by("tag__name"),
                to_attr="shown_tag_links",
            ),
        ]
        if sections:
            links.append(Prefetch("categories", Category.objects.order_by("name"), to_attr="shown_sections"))
        return self.prefetch_related(*links)

    def show(self, articles, *, sections: bool = False) -> list:
        """`articles` (instances), each given `links` (Links), as a page or a list shows them: one
        query (links()), whatever their number."""
        articles = list(articles)
        found = self.links([article.pk for article in articles], sections=sections) if articles else {}
        for article in articles:
            article.links = found.get(article.pk) or Links([], [], [])
        return articles

    def links(self, ids: list[int], *, sections: bool = False) -> dict[int, Links]:
        """{article id: Links} for the articles of `ids`, in one query: their byline, tag and (with
        `sections`) section links, read as names and slugs (UNION ALL of the link tables, each
        read as (article, kind, place, link, name, slug, desk))."""
        bylines = Byline.objects.filter(article__in=ids).values_list(
            "article", Value("author"), "position", "pk", "author__name", "author__slug", "author__is_desk"
        )
        tags = TaggedArticle.objects.filter(content_object__in=ids).values_list(
            "content_object", Value("tag"), Value(0), "pk", "tag__name", "tag__slug", Value(False)
        )
        parts = [tags.order_by()]
        if sections:
            through = self.model.categories.through.objects.filter(article__in=ids)
            parts.append(
                through.values_list(
                    "article",
                    Value("category"),
                    Value(0),
                    "pk",
                    "category__name",
                    "category__slug",
                    Value(False),
                ).order_by()
            )
        found: dict[int, Links] = {}
        # By name (the database's collation, as order_by("name") elsewhere); bylines then by place.
        rows = bylines.order_by().union(*parts, all=True).order_by("author__name")
        for of, kind, place, link, name, slug, desk in rows:
            links = found.setdefault(of, Links([], [], []))
            shown = Named(kind, name, slug, bool(desk))
            if kind == "author":
                links.byline.append((place, link, shown))
            else:
                (links.tags if kind == "tag" else links.sections).append(shown)
        for links in found.values():
            links.byline[:] = [shown for _place, _link, shown in sorted(links.byline)]
        return found

    def for_listing(self):
        """Whole articles as an article page or a preview shows them, newest first: only the
        fields those show (not the Markdown, nor what search, the desk and imports keep), and the
        same story in the other language (Article.counterpart()). Their byline, tags and sections
        come with show(..., sections=True)."""
        counterpart = ("title", "slug", "status", "published_at", "language")
        return (
            self.select_related("translation", "translated_from")
            .only(
                *self.model.SHOWN_FIELDS,
                *(f"{link}__{field}" for link in ("translation", "translated_from") for field in counterpart),
            )
            .order_by("-published_at", "-pk")
        )

    def for_feed(self):
        """Articles as a feed item shows them, newest first: the fields it writes (their byline
        and tags come with show())."""
        shown = ("title", "slug", "excerpt", "body_html", "published_at", "revised_at", "guid", "language")
        return self.only(*shown).order_by("-published_at", "-pk")

    def summarized(self):
        """What a list of articles shows of each and no more: title, date, excerpt, image (its byline
        and tags come with show(); templates/articles/_summary.html draws each)."""
        listed = self.only(
            *("title", "slug", "published_at", "created_at", "excerpt", "reading_time", "language"),
            "translation",  # a list may show one story once, in one language
            *("hero_image", "hero_renditions", "hero_image_url", "hero_alt"),
        )
        return listed.order_by("-published_at", "-pk")

    def around(self, article, *, related: int = 4) -> tuple:
        """((the public article just before `article`, the one just after), up to `related` public
        articles sharing the most of its tags, newest first among equals), as Teasers: two queries.

        The related articles are picked from the tag links alone (their copy of the article's
        state, ArticleLink): the index on (tag, status, time) holds all that is counted, so no
        article row is read for the count. The second query reads the picked articles and the
        neighbours, each found by key (a bound on the time lets the index stop at the first one),
        through published(), which still decides: a pick that is not public is left out.
        """
        if article.published_at is None:
            return (None, None), []
        public = self.published()
        at, pk = article.published_at, article.pk
        earlier = public.filter(published_at__lte=at).filter(Q(published_at__lt=at) | Q(pk__lt=pk))
        later = public.filter(published_at__gte=at).filter(Q(published_at__gt=at) | Q(pk__gt=pk))
        picked = list(self._sharing_tags(article, related)) if related else []
        rows = public.filter(
            pk__in=[
                Subquery(earlier.order_by("-published_at", "-pk").values("pk")[:1]),
                Subquery(later.order_by("published_at", "pk").values("pk")[:1]),
                *picked,
            ]
        ).values_list("pk", "title", "slug", "published_at", "language")
        found = {
            key: (when, key, self._teaser(key, title, slug, when, language))
            for key, title, slug, when, language in rows
        }
        # No public article lies between `article` and a neighbour: each is the closest of its side.
        before = max((row for row in found.values() if row[:2] < (at, pk)), default=None)
        after = min((row for row in found.values() if row[:2] > (at, pk)), default=None)
        neighbours = (before[2] if before else None, after[2] if after else None)
        return neighbours, [found[key][2] for key in picked if key in found][:related]

    def _sharing_tags(self, article, count: int):
        """Ids of the public articles sharing the most tags with `article`, newest first among
        equals: `count` of them and a few more, in case a copy of a state lags (read from the tag
        links' copies alone)."""
        return (
            TaggedArticle.objects.filter(
                tag__in=TaggedArticle.objects.filter(content_object=article.pk).values("tag"),
                article_status=self.model.Status.PUBLISHED,
                article_published_at__lte=timezone.now(),
            )
            .exclude(content_object=article.pk)
            .values("content_object")
            .annotate(shared=Count("pk"), newest=Max("article_published_at"))
            .order_by("-shared", "-newest", "-content_object")
            .values_list("content_object", flat=True)[: count + 4]
        )

    def _teaser(self, pk, title: str, slug: str, published_at, language: str) -> "Teaser":
        return Teaser(title, published_at, self.model.address(published_at, slug), pk, language)

    def in_review(self):
        return self.filter(status=self.model.Status.IN_REVIEW)

    def with_submission_time(self):
        """Annotate `submitted_at`: when each article was last submitted for review."""
        return self.annotate(submitted_at=models.Max("events__created_at", filter=Q(events__action="submit")))

    def owned_by(self, user):
        """Articles the user created or writes under one of the bylines of."""
        return self.filter(Q(created_by=user) | Q(bylines__author__user=user)).distinct()

    def by_author(self, author):
        return self.filter(bylines__author=author)

    def tagged(self, tag):
        return self.filter(tags=tag)

    def in_category(self, category):
        return self.filter(categories=category)

    def listed_by_author(self, author):
        """The public articles of `author`, newest first, as the author's page lists them."""
        return self._listed("bylines", author=author)

    def listed_tagged(self, tag):
        """The public articles of `tag`, newest first, as the tag's page lists them."""
        return self._listed("taggedarticle", tag=tag)

    def listed_in_category(self, category):
        """The public articles of `category`, newest first, as the section's page lists them.

        Section links carry no copy of their article's state: the desk edits
        sections as Django's admin edits a many-to-many field, which it refuses
        for a link model of one's own. Sections are few and large, and the
        newest first walk of the public articles finds a page of one early.
        """
        return self.published().in_category(category).order_by("-published_at", "-pk")

    def counted_by_author(self, author):
        """The public articles of `author` as their byline links count them (see counted())."""
        return self.counted(Byline.objects.filter(author=author))

    def counted_tagged(self, tag):
        """The public articles of `tag` as their tag links count them (see counted())."""
        return self.counted(TaggedArticle.objects.filter(tag=tag))

    def counted(self, links):
        """`links` (an owner's byline or tag links) whose copy of their article's state says public:
        as many as the owner's public articles, counted from the index on (owner, status, time)
        alone, without reading an article row (a page's articles are still read through
        published())."""
        return links.filter(
            article_status=self.model.Status.PUBLISHED, article_published_at__lte=timezone.now()
        )

    def _listed(self, links: str, **owner):
        """Public articles of an owner, picked and ordered by their links' copy of the article's state
        (ArticleLink): the index on (owner, status, time) reads a page in order and stops, whatever
        the owner's size or age. published() still decides what is public."""
        copy = {f"{links}__{name}": value for name, value in owner.items()}
        copy[f"{links}__article_status"] = self.model.Status.PUBLISHED
        copy[f"{links}__article_published_at__lte"] = timezone.now()
        return self.published().filter(**copy).order_by(f"-{links}__article_published_at", "-pk")
