"""The article: its text, what is derived from it on save, and its revisions."""

import uuid
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.db.models import F, Q
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from markdownx.models import MarkdownxField
from simple_history.manager import HistoryManager
from simple_history.models import HistoricalRecords

from articles import images
from articles.models.fields import GramsField, HeroImageField
from articles.models.owners import Author, Category, FoldingTaggableManager, Tag, TaggedArticle
from articles.models.querysets import ArticleQuerySet
from articles.text import rendering


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


def revision_author(instance, request=None, **kwargs):
    """Who a revision names (django-simple-history's get_user): the article's `saved_by`, set by
    code that saves for someone (a restore, an import), else the logged-in user of the request."""
    if instance.saved_by is not None:
        return instance.saved_by
    return request.user if request is not None else None


def default_language() -> str:
    """The site's language (LANGUAGE_CODE): what an article is written in unless it says otherwise."""
    return settings.LANGUAGE_CODE


class Article(models.Model):
    class Feature(models.TextChoices):
        """Where an editor put an article on the front page."""

        LEAD = "lead", _("Lead story")
        SECONDARY = "secondary", _("Secondary story")

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
    hero_image = HeroImageField(_("hero image"), upload_to="heroes/%Y/%m/", blank=True)
    # What was made of it (articles/images.py): made on save, read by pages without opening a file.
    hero_renditions = models.JSONField(_("hero image renditions"), default=dict, blank=True, editable=False)
    hero_alt = models.CharField(
        _("hero image alt text"),
        max_length=300,
        blank=True,
        help_text=_("What the image shows, for readers who cannot see it."),
    )
    hero_caption = models.CharField(
        _("hero image caption"),
        max_length=300,
        blank=True,
        help_text=_("Shown under the image: what readers should know about it."),
    )
    hero_credit = models.CharField(
        _("hero image credit"),
        max_length=200,
        blank=True,
        help_text=_("Who made the image (photographer, agency), shown after the caption."),
    )
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=settings.LANGUAGES,
        default=default_language,
        help_text=_("The language of the text: it sets how pages, feeds and search engines present it."),
    )
    translation = models.OneToOneField(
        "self",
        verbose_name=_("translation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="translated_from",
        help_text=_("The same story in the other language: each page links to the other."),
    )
    feature = models.CharField(
        _("front page"),
        max_length=10,
        choices=Feature.choices,
        blank=True,
        default="",
        help_text=_(
            "Put it at the top of the front page. Without a pick, the newest articles are shown there."
        ),
    )
    featured_until = models.DateTimeField(
        _("featured until"),
        null=True,
        blank=True,
        help_text=_("When it leaves its place at the top of the front page (empty: until it is unpicked)."),
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
    # For PostgreSQL's indexes (empty elsewhere): the text's short pieces, and its Latin words whole
    # with its title's words and pieces (rendering.grams(), words()).
    search_grams = GramsField(blank=True, editable=False)
    search_words = GramsField(blank=True, editable=False)
    # What the copy desk found at the last save (see copydesk.py); the counts serve the desk's lists.
    # (None: not read by the copy desk yet; `manage.py check_copy` reads every article.)
    findings = models.JSONField(_("copy desk findings"), null=True, default=None, blank=True, editable=False)
    blocking_findings = models.PositiveSmallIntegerField(_("blocking findings"), default=0, editable=False)
    warning_findings = models.PositiveSmallIntegerField(_("warnings"), default=0, editable=False)
    guid = models.UUIDField(_("permanent id"), default=uuid.uuid4, unique=True, editable=False)

    objects = ArticleQuerySet.as_manager()
    # The text readers see: what a save compares to tell readers of an update.
    TEXT_FIELDS = ("title", "excerpt", "body", "hero_alt", "hero_caption", "hero_credit", "correction_note")
    # What a save keeps a revision for: the text, and the address and image readers see with it
    # (whoever changes any of them changed what a reviewer approves: workflow._text_writers()).
    REVISED_FIELDS = (*TEXT_FIELDS, "slug", "hero_image", "hero_image_url")
    # What an article page and its preview read (for_listing()): not the Markdown,
    # nor what search, the copy desk and imports derive and keep.
    SHOWN_FIELDS = (
        *("title", "slug", "body_html", "excerpt", "reading_time", "hero_image", "hero_alt"),
        *("hero_image_url", "status", "published_at", "created_at", "revised_at", "correction_note"),
        *("guid", "created_by", "hero_caption", "hero_credit", "language", "translation"),
        "hero_renditions",
    )

    # Every save keeps a revision of the text (not of the derived HTML).
    history = HistoricalRecords(
        history_manager=RevisionManager,
        get_user=revision_author,
        excluded_fields=[
            "body_html",
            "excerpt_is_derived",
            "source_fingerprint",
            "front_matter",
            "search_text",
            "search_title",
            "search_grams",
            "search_words",
            "findings",
            "blocking_findings",
            "warning_findings",
            "withdrawn_at",  # a step of the workflow, in the log with the others
            "hero_renditions",  # made again from the image a revision names
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
            models.CheckConstraint(condition=~Q(translation=F("pk")), name="translation_is_another_article"),
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A new article has loaded nothing: an excerpt given to it is typed.
        self._loaded_excerpt, self._loaded_text, self._loaded_state = None, {}, None
        self.prerendered = None  # the body rendered ahead of the save (rendering.Rendered), if it was
        self.saved_by = None  # who saves it, named in its revision (else the request's user)

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
        update_fields = kwargs.get("update_fields")
        if self._hero_image_changed(update_fields):
            # Here, where the image changes, so that no reader's request waits for them.
            self.hero_renditions = images.make(self.hero_image)
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "hero_renditions"}
        super().save(*args, **kwargs)
        self.__dict__.pop("skip_history_when_saving", None)
        if self._state_saved(kwargs.get("update_fields")):
            self.copy_state_to_links()
        self._loaded_excerpt = self.excerpt
        self._loaded_text = self._public_text()
        self._loaded_state = self._link_state()

    def get_absolute_url(self):
        """Its local date of publication (or of creation, before it is published) and its slug."""
        return self.address(self.published_at or self.created_at or timezone.now(), self.slug)

    @staticmethod
    def address(moment, slug: str, *, remembered: bool = True) -> str:
        """The address of an article of `slug` published at `moment` (its local date); remembered
        for the next page that draws it, unless not `remembered` (a sitemap passing the whole
        archive through once would push out the few hundred that lists and feeds draw again)."""
        local = timezone.localtime(moment)
        make = remembered_address if remembered else article_address
        return make(get_script_prefix(), local.year, local.month, local.day, slug)

    @classmethod
    def from_db(cls, db, field_names, values):
        article = super().from_db(db, field_names, values)
        article.remember_loaded()
        return article

    def remember_loaded(self):
        """Keep the text and state as loaded (absent when a field is deferred), to tell what a save changes."""
        self._loaded_excerpt = self.__dict__.get("excerpt")
        self._loaded_text = self._public_text()
        self._loaded_state = self._link_state()

    def _link_state(self) -> tuple:
        return self.__dict__.get("status"), self.__dict__.get("published_at")

    def _state_saved(self, update_fields) -> bool:
        """This save wrote a new status or publication time to a row that may have links already."""
        if self._loaded_state is None:  # a new article: its links come after its first save
            return False
        if update_fields is not None and not {"status", "published_at"} & set(update_fields):
            return False
        return self._link_state() != self._loaded_state

    def copy_state_to_links(self) -> None:
        """Write this article's status and publication time on its bylines and tag links (ArticleLink)."""
        state = {"article_status": self.status, "article_published_at": self.published_at}
        self.bylines.update(**state)
        TaggedArticle.objects.filter(content_object=self).update(**state)

    def _public_text(self) -> dict:
        shown = {name: self.__dict__.get(name) for name in self.REVISED_FIELDS}
        if shown["hero_image"] is not None:  # a file (loaded, uploaded or cleared), by its name
            shown["hero_image"] = str(shown["hero_image"])
        return shown

    def _changed(self, names) -> bool:
        """Any of the fields `names` differs from what was loaded (see remember_loaded())."""
        shown = self._public_text()
        return any(shown[name] != self._loaded_text.get(name) for name in names)

    def _hero_image_changed(self, update_fields) -> bool:
        """This save writes another hero image (uploaded, restored or cleared) than was loaded."""
        if update_fields is not None and "hero_image" not in update_fields:
            return False
        return (self._public_text()["hero_image"] or "") != (self._loaded_text.get("hero_image") or "")

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
            self.search_words = rendering.words(self.search_text, self.search_title)

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

    def is_owned_by(self, user) -> bool:
        """The user wrote it: created it, or writes under one of its bylines."""
        if not user.is_authenticated:
            return False
        if self.pk is None:
            return True  # being written by whoever is writing it
        return self.created_by_id == user.pk or any(
            author.user_id == user.pk for author in self.byline() if author.user_id
        )

    def clean(self):
        """A translation is another article, in the other language, that names no other one."""
        super().clean()
        other = self.translation
        if other is None:
            return
        if other.pk == self.pk:
            raise ValidationError({"translation": _("An article cannot be its own translation.")})
        if other.language == self.language:
            raise ValidationError(
                {
                    "translation": _("A translation is in another language: both are in %(language)s.")
                    % {"language": other.get_language_display()}
                }
            )
        if other.translation_id not in (None, self.pk) or (
            Article.objects.filter(translation=other).exclude(pk=self.pk).exists()
        ):
            raise ValidationError(
                {"translation": _("That article is paired with another translation already.")}
            )
        earlier = self.counterpart(public=False)
        if earlier is not None and earlier.pk != other.pk:
            raise ValidationError(
                {
                    "translation": _("“%(title)s” names this article as its translation already.")
                    % {"title": earlier.title}
                }
            )

    def counterpart(self, *, public: bool = True):
        """The same story in the other language: the translation this article names, or the article
        that names it (read with the article by for_listing()); only a public one unless not
        `public`. None when there is none."""
        try:
            named_by = self.translated_from
        except Article.DoesNotExist:
            named_by = None
        for other in (self.translation, named_by):
            if other is not None and (other.is_public or not public):
                return other
        return None

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

    @staticmethod
    def text_modified_at(published_at, revised_at):
        """When the public text last changed: its revision after publication, else its publication
        (an article's dateModified, and its sitemap's lastmod)."""
        return revised_at if revised_at and published_at and revised_at > published_at else published_at


def article_address(script_prefix: str, year: int, month: int, day: int, slug: str) -> str:
    """An article's address (`script_prefix`, the one reverse() puts in front, keys the memo below)."""
    return reverse("articles:detail", kwargs={"year": year, "month": month, "day": day, "slug": slug})


# Remembered by the script prefix the site is served under: lists and feeds draw the same articles
# again and again, and Django's reverse() is a large part of drawing a list.
remembered_address = lru_cache(maxsize=10_000)(article_address)
