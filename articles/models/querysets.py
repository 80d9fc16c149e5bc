"""Article.objects: the one definition of public, and what the pages read."""

from django.db import models
from django.db.models import Count, Prefetch, Q, Subquery
from django.utils import timezone

from articles.models.owners import Byline, Category, TaggedArticle


class ArticleQuerySet(models.QuerySet):
    def published(self):
        """The one definition of public: published, and its time has come."""
        return self.filter(status=self.model.Status.PUBLISHED, published_at__lte=timezone.now())

    def scheduled(self):
        """Published, with a time still to come: public when it comes."""
        return self.filter(status=self.model.Status.PUBLISHED, published_at__gt=timezone.now())

    def with_links(self, *, sections: bool = True):
        """Each article with its byline (in byline order), tags and sections (by name): a query each
        for a whole page, read by Article.byline(), tag_list() and sections()."""
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

    def for_listing(self):
        """Whole articles as an article page or a preview shows them, newest first: only the
        fields those show (not the Markdown, nor what search, the desk and imports keep), with their
        byline, tags and sections."""
        return self.only(*self.model.SHOWN_FIELDS).with_links().order_by("-published_at", "-pk")

    def for_feed(self):
        """Articles as a feed item shows them, newest first: the fields it writes, with their byline
        and tags (with_links())."""
        shown = ("title", "slug", "excerpt", "body_html", "published_at", "revised_at", "guid")
        return self.only(*shown).with_links(sections=False).order_by("-published_at", "-pk")

    def summarized(self):
        """What a list of articles shows and no more: title, date, excerpt, byline and tags
        (templates/articles/_summary.html draws each)."""
        listed = self.only("title", "slug", "published_at", "created_at", "excerpt", "reading_time")
        return listed.with_links(sections=False).order_by("-published_at", "-pk")

    def around(self, article, *, related: int = 4) -> tuple:
        """((the public article just before `article`, the one just after), up to `related` public
        articles sharing the most of its tags, newest first among equals): two queries.

        Before and after go by publication time, then id, as the lists order them. They are found by
        key: asked as `published() and (pk in (...) or pk in (...))`, both planners walked every
        public article (PostgreSQL, 100,000 articles: 245 ms, against half a millisecond).
        """
        if article.published_at is None:
            return (None, None), []
        public = self.published().only("title", "slug", "published_at")
        at, pk = article.published_at, article.pk
        earlier = public.filter(Q(published_at__lt=at) | Q(published_at=at, pk__lt=pk))
        later = public.filter(Q(published_at__gt=at) | Q(published_at=at, pk__gt=pk))
        sides = self.only("title", "slug", "published_at").filter(
            pk__in=[
                Subquery(earlier.order_by("-published_at", "-pk").values("pk")[:1]),
                Subquery(later.order_by("published_at", "pk").values("pk")[:1]),
            ]
        )
        found = {(side.published_at, side.pk) > (at, pk): side for side in sides}
        if not related:
            return (found.get(False), found.get(True)), []
        tags = TaggedArticle.objects.filter(content_object=article).values("tag")
        sharing = (
            public.filter(tags__in=tags)
            .exclude(pk=pk)
            .annotate(shared_tags=Count("pk"))
            .order_by("-shared_tags", "-published_at", "-pk")[:related]
        )
        return (found.get(False), found.get(True)), list(sharing)

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

    def _listed(self, links: str, **owner):
        """Public articles of an owner, picked and ordered by their links' copy of the article's state
        (ArticleLink): the index on (owner, status, time) reads a page in order and stops, whatever
        the owner's size or age. published() still decides what is public."""
        copy = {f"{links}__{name}": value for name, value in owner.items()}
        copy[f"{links}__article_status"] = self.model.Status.PUBLISHED
        copy[f"{links}__article_published_at__lte"] = timezone.now()
        return self.published().filter(**copy).order_by(f"-{links}__article_published_at", "-pk")
