"""Who and what an article belongs to: authors (its byline), sections and tags."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from markdownx.models import MarkdownxField
from taggit.managers import TaggableManager
from taggit.models import ItemBase, NaturalKeyManager, TagBase

from articles.text import rendering
from articles.text.tagging import normalize_tag_name, tag_key


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

    def get_absolute_url(self):
        return reverse("articles:author", kwargs={"slug": self.slug})


class CategoryQuerySet(models.QuerySet):
    def in_menu(self):
        """The sections with a public article, in the chiefs' order: a section whose articles are all drafts,
        in review, scheduled or withdrawn would tell readers what is being written."""
        articles = self.model._meta.get_field("articles").related_model  # Article, which links here
        public = articles.objects.published().filter(categories=OuterRef("pk"))
        return self.filter(Exists(public)).only("name", "slug").order_by("position", "name")


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
    position = models.PositiveSmallIntegerField(
        _("order"),
        default=0,
        help_text=_("Sections with a lower number come first, in the menu and on the front page."),
    )

    objects = CategoryQuerySet.as_manager()

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("section")
        verbose_name_plural = _("sections")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("articles:category", kwargs={"slug": self.slug})


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

    def get_absolute_url(self):
        return reverse("articles:tag", kwargs={"slug": self.slug})

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


class ArticleLinkQuerySet(models.QuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        """Insert links with their article's state (ArticleLink.copy_article_state()): the way
        Django's and taggit's managers add links in bulk too."""
        objs = list(objs)
        with transaction.atomic(using=self.db, savepoint=False):
            self.model.copy_article_state(objs, using=self.db)
            return super().bulk_create(objs, *args, **kwargs)


class ArticleLink(models.Model):
    """A link of an article to an owner (an author or a tag), carrying the article's status and
    publication time.

    An owner's page lists its public articles newest first. From the links
    alone the database finds every article of the owner and sorts them, or
    walks the whole archive newest first for the owner's: an author with one
    old article cost 1.1 s at 100,000 articles. With the copy, an index on
    (owner, status, publication time) reads a page in order and stops,
    whatever the owner's size or age (ArticleQuerySet.listed_by_author(),
    listed_tagged()). Article.objects.published() still decides what is public.

    The copy is written with each new link (save(), bulk_create()) and by
    Article.save() whenever the article's status or time changes, which every
    action of the workflow does through perform(); test_link_state holds the
    two equal after every way of writing either.
    """

    # The article's own status and publication time, copied.
    article_status = models.CharField(_("status"), max_length=20, blank=True, editable=False)
    article_published_at = models.DateTimeField(_("published at"), null=True, blank=True, editable=False)

    objects = ArticleLinkQuerySet.as_manager()
    ARTICLE = "article"  # the link's foreign key to its article

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        with transaction.atomic(using=kwargs.get("using"), savepoint=False):
            if self.pk is None:
                self.copy_article_state([self], using=kwargs.get("using"))
            super().save(*args, **kwargs)

    @classmethod
    def copy_article_state(cls, links, *, using=None) -> None:
        """Give each link its article's status and publication time, as the database has them.

        The articles' rows stay locked until the transaction ends: a change
        of their state (the workflow locks the row) waits for these links to
        be written and then copies itself onto them, or these wait for it.
        Call inside a transaction.
        """
        field = cls._meta.get_field(cls.ARTICLE)
        ids = {getattr(link, field.attname) for link in links}
        articles = field.related_model.objects.db_manager(using).select_for_update(no_key=True)
        states = articles.filter(pk__in=ids).order_by().values_list("pk", "status", "published_at")
        found = {pk: (status, published_at) for pk, status, published_at in states}
        for link in links:
            link.article_status, link.article_published_at = found.get(
                getattr(link, field.attname), ("", None)
            )


class TaggedArticle(ArticleLink, ItemBase):
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="tagged_articles")
    content_object = models.ForeignKey("Article", on_delete=models.CASCADE)

    objects = NaturalKeyManager.from_queryset(ArticleLinkQuerySet)()
    ARTICLE = "content_object"

    class Meta:
        constraints = [models.UniqueConstraint(fields=["content_object", "tag"], name="unique_article_tag")]
        indexes = [
            # A tag's public articles newest first (ArticleQuerySet.listed_tagged()).
            models.Index(
                fields=["tag", "article_status", "-article_published_at", "-content_object"],
                name="tagged_public_idx",
            ),
        ]

    def __str__(self):
        return super().__str__()  # taggit's: the article, tagged with the tag


class FoldingTaggableManager(TaggableManager):
    """taggit's field, with the names the desk's form gives resolved by their folded key.

    taggit matches names exactly or with the database's notion of case (ASCII
    only on SQLite); here ＡＩ, AI, ai, Über and über find their one tag anywhere.
    Code that tags an article gives it tags from Tag.objects.named().
    """

    def save_form_data(self, instance, value):
        getattr(instance, self.name).set(Tag.objects.named(value))


class Byline(ArticleLink):
    article = models.ForeignKey("Article", on_delete=models.CASCADE, related_name="bylines")
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
        indexes = [
            # An author's public articles newest first (ArticleQuerySet.listed_by_author()).
            models.Index(
                fields=["author", "article_status", "-article_published_at", "-article"],
                name="byline_public_idx",
            ),
        ]

    def __str__(self):
        return str(self.author)
