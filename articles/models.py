import uuid
from datetime import timedelta
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.db.models import Case, Count, Exists, OuterRef, Prefetch, Q, Subquery, When
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from markdownx.models import MarkdownxField
from simple_history.manager import HistoryManager
from simple_history.models import HistoricalRecords
from taggit.managers import TaggableManager
from taggit.models import ItemBase, TagBase

from . import links, rendering
from .tagging import normalize_tag_name, tag_key


class Author(models.Model):
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(
        _("slug"),
        max_length=200,
        unique=True,
        allow_unicode=True,
        help_text=_("The address of the author page. Japanese is allowed."),
    )
    is_desk = models.BooleanField(
        _("desk byline"),
        default=False,
        help_text=_("A desk or team (such as ○○編集部) rather than a person."),
    )
    bio = MarkdownxField(_("biography"), blank=True, help_text=_("Markdown."))
    search_name = models.CharField(max_length=250, blank=True, editable=False)  # folded, for search
    bio_html = models.TextField(_("biography (HTML)"), editable=False, blank=True)
    avatar = models.ImageField(_("avatar"), upload_to="avatars/", blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="author",
        help_text=_("The staff account that writes under this byline, if any."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("author")
        verbose_name_plural = _("authors")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.name, allow_unicode=True) or f"author-{uuid.uuid4().hex[:8]}"
        self.bio_html = rendering.render_markdown(self.bio)
        self.search_name = rendering.searchable(self.name)
        super().save(*args, **kwargs)

    def get_absolute_url(self, address=links.address):
        return address("articles:author", slug=self.slug)


class CategoryQuerySet(models.QuerySet):
    def in_menu(self):
        """The sections with a public article, by name: a section whose articles are all drafts,
        in review, scheduled or withdrawn would tell readers what is being written."""
        public = Article.objects.published().filter(categories=OuterRef("pk"))
        return self.filter(Exists(public)).only("name", "slug").order_by("name")


class Category(models.Model):
    name = models.CharField(_("name"), max_length=100, help_text=_("As readers see it in the menu."))
    slug = models.SlugField(
        _("slug"),
        max_length=100,
        unique=True,
        allow_unicode=True,
        help_text=_("The address of the section page. Japanese is allowed."),
    )
    description = models.TextField(
        _("description"), blank=True, help_text=_("A sentence or two shown on the section page.")
    )

    objects = CategoryQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("section")
        verbose_name_plural = _("sections")

    def __str__(self):
        return self.name

    def get_absolute_url(self, address=links.address):
        return address("articles:category", slug=self.slug)


class TagQuerySet(models.QuerySet):
    def named(self, names) -> list:
        """The tags of these names, in their order, each once, made when new: ＡＩ, AI and ai are
        one tag (their folded key); an empty name is no tag."""
        names = [name for name in map(normalize_tag_name, names) if name]
        known = {tag.key: tag for tag in self.filter(key__in={tag_key(name) for name in names})}
        for name in names:
            if tag_key(name) not in known:
                known[tag_key(name)], _made = self.get_or_create(key=tag_key(name), defaults={"name": name})
        return list({tag_key(name): known[tag_key(name)] for name in names}.values())


class Tag(TagBase):
    """A taggit tag whose name is folded (NFKC) and unique regardless of case."""

    key = models.CharField(_("folded name"), max_length=100, unique=True, editable=False)

    objects = TagQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def clean(self):
        self.name = normalize_tag_name(self.name)
        twin = Tag.objects.filter(key=tag_key(self.name)).exclude(pk=self.pk).first()
        if twin:
            raise ValidationError({"name": _("The tag “%(name)s” already exists.") % {"name": twin.name}})

    def save(self, *args, **kwargs):
        self.name = normalize_tag_name(self.name)
        self.key = tag_key(self.name)
        super().save(*args, **kwargs)

    def slugify(self, tag, i=None):
        # A name of punctuation alone (？！) still needs an address.
        slug = slugify(tag, allow_unicode=True) or "tag"
        return f"{slug}_{i}" if i is not None else slug

    def get_absolute_url(self, address=links.address):
        return address("articles:tag", slug=self.slug)

    def merge(self, others) -> int:
        """Give this tag the articles of `others`, then delete them; return how many links moved."""
        moved = 0
        with transaction.atomic():
            for other in others:
                if other.pk == self.pk:
                    continue
                for link in other.tagged_articles.select_for_update():
                    if self.tagged_articles.filter(content_object_id=link.content_object_id).exists():
                        link.delete()
                    else:
                        link.tag = self
                        link.save(update_fields=["tag"])
                        moved += 1
                other.delete()
        return moved


class TaggedArticle(ItemBase):
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="tagged_articles")
    content_object = models.ForeignKey("Article", on_delete=models.CASCADE)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["content_object", "tag"], name="unique_article_tag")]


class FoldingTaggableManager(TaggableManager):
    """taggit's field, with the names the desk's form gives resolved by their folded key.

    taggit matches names exactly or with the database's notion of case (ASCII
    only on SQLite); here ＡＩ, AI, ai, Über and über find their one tag anywhere.
    Code that tags an article gives it tags from Tag.objects.named().
    """

    def save_form_data(self, instance, value):
        getattr(instance, self.name).set(Tag.objects.named(value))


class RevisionManager(HistoryManager):
    """simple_history's manager, its class built once rather than at every `article.history`.

    (The library makes the class anew on each access, which costs more than
    the query it then runs.)
    """

    _classes: dict = {}

    @classmethod
    def from_queryset(cls, queryset_class, class_name=None):
        key = (cls, queryset_class, class_name)
        if key not in cls._classes:
            cls._classes[key] = super().from_queryset(queryset_class, class_name)
        return cls._classes[key]


class GramsField(models.TextField):
    """An article's short pieces for search: a tsvector on PostgreSQL (indexed), text elsewhere."""

    def db_type(self, connection):
        return "tsvector" if connection.vendor == "postgresql" else super().db_type(connection)


@GramsField.register_lookup
class HasGram(models.Lookup):
    """`search_grams__has="投資"`: the piece is among the article's grams (PostgreSQL)."""

    lookup_name = "has"

    def get_prep_lookup(self):
        return rendering.lexeme(self.rhs)

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} @@ ({rhs})::tsquery", [*lhs_params, *rhs_params]


class ArticleQuerySet(models.QuerySet):
    def published(self):
        """The one definition of public: published, and its time has come."""
        return self.filter(status=Article.Status.PUBLISHED, published_at__lte=timezone.now())

    def scheduled(self):
        """Published, with a time still to come: public when it comes."""
        return self.filter(status=Article.Status.PUBLISHED, published_at__gt=timezone.now())

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
        """Whole articles as an article page, a preview or a feed shows them, newest first: only the
        fields those show (not the Markdown, nor what search, the desk and imports keep), with their
        byline, tags and sections."""
        return self.only(*Article.SHOWN_FIELDS).with_links().order_by("-published_at", "-pk")

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
        articles sharing the most of its tags, newest first among equals), in one query.

        Before and after go by publication time, then id, as the lists order them.
        """
        if article.published_at is None:
            return (None, None), []
        public = self.published()
        at, pk = article.published_at, article.pk
        earlier = public.filter(Q(published_at__lt=at) | Q(published_at=at, pk__lt=pk))
        later = public.filter(Q(published_at__gt=at) | Q(published_at=at, pk__gt=pk))
        sides = Q(pk__in=earlier.order_by("-published_at", "-pk").values("pk")[:1]) | Q(
            pk__in=later.order_by("published_at", "pk").values("pk")[:1]
        )
        tags = TaggedArticle.objects.filter(content_object=article).values("tag")
        sharing = public.filter(tags__in=tags).exclude(pk=pk).values("pk").annotate(shared=Count("pk"))
        chosen = sharing.order_by("-shared", "-published_at", "-pk").values("pk")[:related]
        found = (
            public.filter(sides | Q(pk__in=chosen))
            .only("title", "slug", "published_at")
            .annotate(
                is_side=Case(When(sides, then=True), default=False),
                shared_tags=Subquery(sharing.filter(pk=OuterRef("pk")).values("shared")),
            )
        )
        rows = list(found) if related else list(found.filter(sides))
        side = {(row.published_at, row.pk) > (at, pk): row for row in rows if row.is_side}
        shared = [row for row in rows if row.shared_tags]
        shared.sort(key=lambda row: (row.shared_tags, row.published_at, row.pk), reverse=True)
        return (side.get(False), side.get(True)), shared[:related]

    def in_review(self):
        return self.filter(status=Article.Status.IN_REVIEW)

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


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        IN_REVIEW = "in_review", _("In review")
        CHANGES_REQUESTED = "changes_requested", _("Changes requested")
        APPROVED = "approved", _("Approved")
        PUBLISHED = "published", _("Published")
        UNPUBLISHED = "unpublished", _("Unpublished")

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(
        _("slug"),
        max_length=200,
        unique=True,
        allow_unicode=True,
        blank=True,
        help_text=_(
            "The last part of the address. Left empty, it is made from the title. Once the article "
            "has been public, a new slug gives it a new address; the old one redirects to it."
        ),
    )
    body = MarkdownxField(_("body"), help_text=_("Markdown."))
    body_html = models.TextField(_("body (HTML)"), editable=False, blank=True)
    excerpt = models.TextField(
        _("excerpt"),
        blank=True,
        help_text=_("Shown in lists, feeds and search results. Left empty, the first paragraph is used."),
    )
    excerpt_is_derived = models.BooleanField(
        _("excerpt from the first paragraph"), default=True, editable=False
    )
    reading_time = models.PositiveSmallIntegerField(_("reading time (minutes)"), default=1, editable=False)
    hero_image = models.ImageField(_("hero image"), upload_to="heroes/%Y/%m/", blank=True)
    hero_alt = models.CharField(
        _("hero image alt text"),
        max_length=300,
        blank=True,
        help_text=_("What the image shows, for readers who cannot see it."),
    )
    authors = models.ManyToManyField(
        Author, through="Byline", related_name="articles", verbose_name=_("authors")
    )
    categories = models.ManyToManyField(
        Category, blank=True, related_name="articles", verbose_name=_("sections")
    )
    tags = FoldingTaggableManager(through=TaggedArticle, blank=True, verbose_name=_("tags"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, editable=False
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, db_index=True)
    # Kept apart from the log: a withdrawn article scheduled again has a later published_at than its
    # unpublishing, and it was seen all the same (has_been_public()).
    withdrawn_at = models.DateTimeField(
        _("withdrawn at"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("When it was last unpublished after readers had seen it."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    correction_note = models.TextField(
        _("correction note"),
        blank=True,
        help_text=_("Shown to readers at the end of the article when a published piece was corrected."),
    )
    revised_at = models.DateTimeField(
        _("revised at"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("When the public text last changed after publication; shown to readers as “updated”."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    hero_image_url = models.CharField(
        _("hero image address"),
        max_length=500,
        blank=True,
        help_text=_("An image elsewhere (kept from an import); the uploaded hero image wins."),
    )
    source_key = models.CharField(
        _("imported from"),
        max_length=250,
        unique=True,
        null=True,
        blank=True,
        editable=False,
        help_text=_("The date and slug of the file this article was imported from."),
    )
    front_matter = models.TextField(
        _("other front matter"),
        blank=True,
        editable=False,
        help_text=_(
            "Front-matter keys of an imported file that have no field here (YAML); written back on export."
        ),
    )
    source_fingerprint = models.CharField(max_length=64, blank=True, editable=False)
    # Title, excerpt and body as plain text, folded for search (see search.py); the title alone, to rank.
    search_text = models.TextField(blank=True, editable=False)
    search_title = models.TextField(blank=True, editable=False)
    # Its short pieces, for PostgreSQL's index of words too short for trigrams (empty elsewhere).
    search_grams = GramsField(blank=True, editable=False)
    # What the copy desk found at the last save (see copydesk.py); the counts serve the desk's lists.
    # (None: not read by the copy desk yet; `manage.py check_copy` reads every article.)
    findings = models.JSONField(_("copy desk findings"), null=True, default=None, blank=True, editable=False)
    blocking_findings = models.PositiveSmallIntegerField(_("blocking findings"), default=0, editable=False)
    warning_findings = models.PositiveSmallIntegerField(_("warnings"), default=0, editable=False)
    guid = models.UUIDField(_("permanent id"), default=uuid.uuid4, unique=True, editable=False)

    objects = ArticleQuerySet.as_manager()
    # The text readers see: what a save compares to tell readers of an update.
    TEXT_FIELDS = ("title", "excerpt", "body", "hero_alt", "correction_note")
    # What a save keeps a revision for: the text, and the address and image readers see with it
    # (whoever changes any of them changed what a reviewer approves: workflow._text_writers()).
    REVISED_FIELDS = (*TEXT_FIELDS, "slug", "hero_image", "hero_image_url")
    # What an article page and its preview read (for_listing(), PublicList): not the Markdown,
    # nor what search, the copy desk and imports derive and keep.
    SHOWN_FIELDS = (
        *("title", "slug", "body_html", "excerpt", "reading_time", "hero_image", "hero_alt"),
        *("hero_image_url", "status", "published_at", "created_at", "revised_at", "correction_note"),
        *("guid", "created_by"),
    )

    # Every save keeps a revision of the text (not of the derived HTML).
    history = HistoricalRecords(
        history_manager=RevisionManager,
        excluded_fields=[
            "body_html",
            "excerpt_is_derived",
            "source_fingerprint",
            "front_matter",
            "search_text",
            "search_title",
            "search_grams",
            "findings",
            "blocking_findings",
            "warning_findings",
            "withdrawn_at",  # a step of the workflow, in the log with the others
        ],
    )

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        permissions = [
            ("submit_article", _("Can submit articles for review")),
            ("review_article", _("Can request changes to and approve articles")),
            ("approve_own_article", _("Can approve own articles")),
            ("publish_article", _("Can publish articles")),
            ("unpublish_article", _("Can unpublish articles")),
            ("edit_others_article", _("Can edit other people's articles")),
            ("correct_published_article", _("Can correct published articles")),
        ]
        indexes = [
            models.Index(fields=["status", "-published_at"], name="article_public_idx"),
            models.Index(fields=["-updated_at"], name="article_updated_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="published_article_has_date",
            ),
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A new article has loaded nothing: an excerpt given to it is typed.
        self._loaded_excerpt, self._loaded_text = None, {}
        self.prerendered = None  # the body rendered ahead of the save (rendering.Rendered), if it was

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = self._unique_slug()
        # Browsers send CRLF; files and diffs want LF.
        self.body = self.body.replace("\r\n", "\n").replace("\r", "\n")
        loaded_body = self._loaded_text.get("body")
        body_changed = self._state.adding or not self.body_html or self.body != loaded_body
        rendered = None
        if body_changed:
            # Rendering is the costly part of a save; a status change needs none.
            rendered = self.prerendered
            if rendered is None or rendered.source != self.body:
                rendered = rendering.render(self.body)
            self.body_html, self.reading_time = rendered.html, rendered.reading_time
        if body_changed or self.excerpt != self._loaded_excerpt or not self.excerpt.strip():
            self._derive_excerpt(rendered)
        if body_changed or self._searched_text_changed():
            self._derive_search(rendered)
        if not self._state.adding:
            self.version += 1
            if self.is_public and self._loaded_text and self._changed(self.TEXT_FIELDS):
                self.revised_at = timezone.now()
        # A revision is kept for a change of what readers see, not for a save that changed none.
        # (django-simple-history skips a save whenever this attribute exists.)
        if not self._state.adding and self._loaded_text and not self._changed(self.REVISED_FIELDS):
            self.skip_history_when_saving = True
        super().save(*args, **kwargs)
        self.__dict__.pop("skip_history_when_saving", None)
        self._loaded_excerpt = self.excerpt
        self._loaded_text = self._public_text()

    def get_absolute_url(self, address=links.address, zone=None):
        """Its local date of publication and its slug; `address` and `zone` as a page's Drawing has them."""
        local = timezone.localtime(self.published_at or self.created_at or timezone.now(), zone)
        return links.article_address(local, self.slug, address)

    @classmethod
    def from_db(cls, db, field_names, values):
        article = super().from_db(db, field_names, values)
        article.remember_loaded()
        return article

    def remember_loaded(self):
        """Keep the text as loaded (absent when a field is deferred), to tell what a save changes."""
        self._loaded_excerpt = self.__dict__.get("excerpt")
        self._loaded_text = self._public_text()

    def _public_text(self) -> dict:
        shown = {name: self.__dict__.get(name) for name in self.REVISED_FIELDS}
        if shown["hero_image"] is not None:  # a file (loaded, uploaded or cleared), by its name
            shown["hero_image"] = str(shown["hero_image"])
        return shown

    def _changed(self, names) -> bool:
        """Any of the fields `names` differs from what was loaded (see remember_loaded())."""
        shown = self._public_text()
        return any(shown[name] != self._loaded_text.get(name) for name in names)

    def has_typed_excerpt(self) -> bool:
        """The excerpt is a person's own (a derived one merely follows the body)."""
        return bool(self.excerpt.strip()) and not (
            self.excerpt_is_derived and self.excerpt == self._loaded_excerpt
        )

    def _derive_excerpt(self, rendered: rendering.Rendered | None) -> None:
        if self.has_typed_excerpt():
            self.excerpt, self.excerpt_is_derived = self.excerpt.strip(), False
        else:
            derived = rendered.excerpt if rendered is not None else rendering.make_excerpt(self.body_html)
            self.excerpt, self.excerpt_is_derived = derived, True

    def _searched_text_changed(self) -> bool:
        # Search reads the title, excerpt and body; a change of status alone leaves it as it was.
        loaded = self._loaded_text
        return (
            not self.__dict__.get("search_text")
            or self.title != loaded.get("title")
            or self.excerpt != loaded.get("excerpt")
        )

    def _derive_search(self, rendered: rendering.Rendered | None) -> None:
        body_text = rendered.text if rendered is not None else None
        self.search_text = rendering.article_searchable(
            self.title, self.excerpt, self.body_html, body_text=body_text
        )
        self.search_title = rendering.searchable(self.title)
        if connection.vendor == "postgresql":
            self.search_grams = rendering.grams(self.search_text)

    def _unique_slug(self) -> str:
        base = slugify(self.title, allow_unicode=True)[:190] or "article"
        slug, n = base, 1
        while Article.objects.filter(slug=slug).exclude(pk=self.pk).exists():
            n += 1
            slug = f"{base}-{n}"
        return slug

    @property
    def hero_src(self) -> str:
        """The hero image's address: the upload, else an absolute address kept from an import."""
        if self.hero_image:
            return self.hero_image.url
        return self.hero_image_url if self.hero_image_url.startswith(("https://", "http://")) else ""

    def byline(self) -> list[Author]:
        """The authors in byline order (as read with the article by with_links(), when they were)."""
        bylines = getattr(self, "shown_bylines", None)
        if bylines is None:
            bylines = self.bylines.select_related("author")
        return [byline.author for byline in bylines]

    def tag_list(self) -> list[Tag]:
        """The tags in name order (as read with the article by with_links(), when they were)."""
        if hasattr(self, "shown_tag_links"):
            return [link.tag for link in self.shown_tag_links]
        return list(self.tags.order_by("name"))

    def sections(self) -> list[Category]:
        """The sections in name order (as read with the article by with_links(), when they were)."""
        if hasattr(self, "shown_sections"):
            return self.shown_sections
        return list(self.categories.order_by("name"))

    @cached_property
    def neighbours(self) -> tuple:
        """(previous, next): the public articles just before and after this one, or None."""
        return Article.objects.around(self, related=0)[0]

    def previous_public(self):
        return self.neighbours[0]

    def next_public(self):
        return self.neighbours[1]

    def is_owned_by(self, user) -> bool:
        """The user wrote it: created it, or writes under one of its bylines."""
        if not user.is_authenticated:
            return False
        if self.pk is None:
            return True  # being written by whoever is writing it
        return self.created_by_id == user.pk or any(
            author.user_id == user.pk for author in self.byline() if author.user_id
        )

    @property
    def is_public(self) -> bool:
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )

    def has_been_public(self) -> bool:
        """Public now, or once: unpublished after its time had come (the workflow notes `withdrawn_at`).

        An article scheduled and withdrawn before its time was never public.
        """
        return self.is_public or self.withdrawn_at is not None

    def is_withdrawn(self) -> bool:
        """Seen by readers and not public now: its addresses answer 410 Gone until it is public again.

        Whatever its status: unpublished, back in the review to be fixed, or scheduled again.
        """
        return not self.is_public and self.has_been_public()

    @property
    def is_scheduled(self) -> bool:
        return self.status == self.Status.PUBLISHED and not self.is_public

    @property
    def was_updated(self) -> bool:
        """The text changed after publication (worth telling readers)."""
        return bool(self.revised_at and self.published_at and self.revised_at > self.published_at)


class Byline(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="bylines")
    author = models.ForeignKey(
        Author, on_delete=models.PROTECT, related_name="bylines", verbose_name=_("author")
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("byline")
        verbose_name_plural = _("bylines")
        constraints = [
            models.UniqueConstraint(fields=["article", "author"], name="unique_byline_author"),
        ]

    def __str__(self):
        return str(self.author)


class ArticleEvent(models.Model):
    """One entry of an article's log: a status change or an import, by whom and when."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("by")
    )
    action = models.CharField(_("action"), max_length=30)
    from_status = models.CharField(_("from"), max_length=20)
    to_status = models.CharField(_("to"), max_length=20)
    comment = models.TextField(_("comment"), blank=True)
    via = models.CharField(_("via"), max_length=20, default="admin")
    created_at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    own_changes = models.BooleanField(
        _("approved own changes"),
        default=False,
        help_text=_("A chief approved text they wrote or changed since its last approval."),
    )

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("event")
        verbose_name_plural = _("events")

    def __str__(self):
        return f"{self.action}: {self.from_status} → {self.to_status}"

    def get_action_display(self) -> str:
        from .workflow import ACTIONS, NOTES

        label = ACTIONS[self.action].label if self.action in ACTIONS else NOTES.get(self.action, self.action)
        return str(label)


class LegacyAddress(models.Model):
    """An address the article had, on the old site or here; it redirects permanently to the article.

    Imports bring the old site's (permalinks, aliases); a public article that
    changes slug or date leaves its address here (addresses.py). The record
    points at the article, not at an address, so it always leads to where the
    article is now.
    """

    path = models.CharField(_("old address"), max_length=500, unique=True)
    original = models.CharField(_("as written"), max_length=500, blank=True)
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="legacy_addresses")
    left_at = models.DateTimeField(
        _("left at"),
        null=True,
        blank=True,
        help_text=_("When the article left this address here; empty for an address of the old site."),
    )

    class Meta:
        ordering = ["pk"]
        verbose_name = _("old address")
        verbose_name_plural = _("old addresses")

    def __str__(self):
        return self.path

    @staticmethod
    def normalize(address: str) -> str:
        """One form for every way of writing an old address, for look-ups.

        `https://old.example.com/a/b.html?x=1`, `/a/b/index.html`, `a/b/`,
        `/a/b` and `/a/%E8%A8%98` (decoded) all become `/a/b` (or `/a/記`).
        """
        path = unquote(urlsplit(address.strip()).path)
        path = "/" + path.strip("/")
        for ending in ("/index.html", "/index.htm", ".html", ".htm"):
            path = path.removesuffix(ending)
        return path.rstrip("/") or "/"


class PublicChange(models.Model):
    """One row: when anything a public page or feed shows was last saved or deleted.

    It gives every public response a Last-Modified that moves when an author
    is renamed or an article deleted, not only when an article is saved.
    """

    changed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("public change")

    def __str__(self):
        return str(self.changed_at)

    @classmethod
    def state(cls) -> tuple:
        """(last change, newest publication that has come, next scheduled one), in one query.

        What every public response is dated by (its Last-Modified, the page cache's mark), and
        how long a kept page may live (until the next scheduled publication).
        """
        newest = Article.objects.published().order_by("-published_at").values("published_at")[:1]
        upcoming = Article.objects.scheduled().order_by("published_at").values("published_at")[:1]
        found = (
            cls.objects.filter(pk=1)
            .annotate(released=Subquery(newest), upcoming=Subquery(upcoming))
            .values_list("changed_at", "released", "upcoming")
            .first()
        )
        return found if found is not None else (None, None, None)


def _in_a_week():
    return timezone.now() + timedelta(days=7)


class PreviewLink(models.Model):
    """A signed address that shows an unpublished article to someone without a login."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="preview_links")
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"), default=_in_a_week)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("preview link")

    def __str__(self):
        return f"{self.article} ({self.expires_at:%Y-%m-%d})"

    def get_absolute_url(self):
        signed = signing.dumps(str(self.token), salt=PREVIEW_SALT)
        return reverse("articles:shared_preview", kwargs={"signed": signed})

    @property
    def is_valid(self) -> bool:
        return self.revoked_at is None and timezone.now() < self.expires_at


PREVIEW_SALT = "articles.preview"


class PreviewVisit(models.Model):
    """Every use of a preview link, for the record."""

    link = models.ForeignKey(PreviewLink, on_delete=models.CASCADE, related_name="visits")
    at = models.DateTimeField(default=timezone.now)
    address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-at"]

    def __str__(self):
        return f"{self.link_id} at {self.at}"
