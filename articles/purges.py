"""What a change touches, purged once it commits.

Saving or deleting an article, a byline, a tag or section link, an author, a
tag or a section is followed by a purge of the keys (keys.py) of every public
response it changes, after its transaction commits, in the page cache of
every app server and in Varnish (caching.purge()):

- an article that is public before or after the change: its own key, the
  home page, its authors', tags' and sections' pages and feeds, its archive
  year and month, the feeds, the sitemaps, search, the pages of the articles
  just before and after it (their previous and next links) and of its
  translation (their link to the other language), the list of
  months when its month gains or loses its only article (and every page's
  footer, which lists the years, when its year does), and the menu when a
  section does;
- an article newly scheduled, or for another time: every page (`all`), once.
  A kept page lives no longer than until the next scheduled publication
  (caching.lifetime()), but pages kept before it was scheduled would outlive
  it. Purging only the pages it will be on would tell who and what is coming,
  by which pages miss;
- a draft, an article in review, or a scheduled article otherwise changed:
  nothing (no public response shows it);
- an author, tag or section renamed or moved: its pages and feeds, the
  sitemaps, search (it matches their names), and the pages of its public
  articles (the only pages that name it), the menu for a section; its other
  details (a biography): its own pages alone; a section given another place
  in the order: its pages and the menu;
- a site page (about, contact…): its own page, and the footer of every page
  when what the footer shows of it (its title, address or place) changed.

An article joins other articles' related lists (published, or given a tag)
when their pages are next made (within PAGE_CACHE_SECONDS): working out which
of them would pick it costs more than the change. It leaves them at once when
withdrawn or corrected (its key is on them).

Receivers are used here because this is bookkeeping for caches, not part of any
editorial flow. Bulk work (one_change()) purges everything once, at its end.
"""

import threading
from contextlib import contextmanager
from datetime import timedelta
from functools import partial

from django.db import transaction
from django.db.models import Q, Value
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.utils import timezone

from articles import caching, keys
from articles.models import Article, Author, Byline, Category, PublicChange, SitePage, Tag, TaggedArticle

OWNERS = {Author: "author", Tag: "tag", Category: "section"}
Sections = Article.categories.through

_batch = threading.local()


@contextmanager
def one_change():
    """Count everything saved inside as one change, purging everything on the way out (for bulk
    work: imports, generated articles).

    Nothing is purged when nothing was saved, or when the block fails: it is
    taken to be rolled back (it runs inside transaction.atomic), and so a failed
    block inside another one leaves the outer one as it was.
    """
    depth = getattr(_batch, "depth", 0)
    before = _batch.changed if depth else False
    _batch.changed = before
    _batch.depth = depth + 1
    try:
        yield
    except BaseException:
        _batch.changed = before
        raise
    finally:
        _batch.depth = depth
    if not depth and _batch.changed:
        changed({keys.ALL})


def everything_changed() -> None:
    """Work that sends no signals (bulk inserts) changed what is public: purge every page."""
    changed({keys.ALL})


def batched() -> bool:
    """Inside one_change(): noted, purged at its end."""
    if getattr(_batch, "depth", 0):
        _batch.changed = True
        return True
    return False


def changed(touched: set[str]) -> None:
    """Something public changed: date it (PublicChange), and purge `touched` once it commits."""
    if not touched:
        return
    PublicChange.record(timezone.now())
    when_committed(partial(caching.purge, frozenset(touched)))


def when_committed(callback) -> None:
    transaction.on_commit(callback)


def footprint(pk) -> set[str]:
    """The keys of every response an article is on: none unless it is public. Read from the
    database as it is now."""
    at = Article.objects.published().filter(pk=pk).values_list("published_at", flat=True).first()
    if at is None:
        return set()
    owners = _owners(pk)
    return {
        keys.article(pk),
        keys.HOME,
        keys.FEED,
        keys.SITEMAP,
        keys.SEARCH,
        *keys.archive(at),
        *(keys.owner(kind, owner) for owner, kind in owners),
        *(keys.around(neighbour) for neighbour in _neighbours(pk, at)),
        *(keys.article(other) for other in _counterparts(pk)),
        *_firsts_and_lasts(pk, at, [owner for owner, kind in owners if kind == "section"]),
    }


def _owners(pk) -> list[tuple[int, str]]:
    """(id, kind) of the article's authors, tags and sections."""
    bylines = Byline.objects.filter(article=pk).values_list("author", Value("author")).order_by()
    tags = TaggedArticle.objects.filter(content_object=pk).values_list("tag", Value("tag")).order_by()
    sections = Sections.objects.filter(article=pk).values_list("category", Value("section")).order_by()
    return list(bylines.union(tags, sections, all=True))


def _counterparts(pk) -> list[int]:
    """The articles that name it as their translation, or that it names: their pages link to it."""
    named = Article.objects.filter(pk=pk).values("translation")
    return list(Article.objects.filter(Q(translation=pk) | Q(pk__in=named)).values_list("pk", flat=True))


def _neighbours(pk, at) -> list[int]:
    """The public articles just before and after it, whose pages link to it."""
    others = Article.objects.published().exclude(pk=pk)
    earlier = others.filter(Q(published_at__lt=at) | Q(published_at=at, pk__lt=pk))
    later = others.filter(Q(published_at__gt=at) | Q(published_at=at, pk__gt=pk))
    found = (
        earlier.order_by("-published_at", "-pk").values_list("pk", flat=True).first(),
        later.order_by("published_at", "pk").values_list("pk", flat=True).first(),
    )
    return [neighbour for neighbour in found if neighbour is not None]


def _firsts_and_lasts(pk, at, sections: list[int]) -> set[str]:
    """The list of months, the years of the footer and the menu, when the article is its month's,
    year's or one of its sections' only public one (as archive_months() and
    Category.objects.in_menu() count them)."""
    others = Article.objects.published().exclude(pk=pk)
    month = timezone.localtime(at).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    following = (month + timedelta(days=32)).replace(day=1)
    touched = set()
    if not others.filter(published_at__gte=month, published_at__lt=following).exists():
        touched.add(keys.MONTHS)
        year = month.replace(month=1)
        if not others.filter(
            published_at__gte=year, published_at__lt=year.replace(year=year.year + 1)
        ).exists():
            touched.add(keys.YEARS)
    if sections and others.filter(categories__in=sections).values("categories").distinct().count() < len(
        sections
    ):
        touched.add(keys.MENU)
    return touched


def touched_by_owner(model, pk) -> set[str]:
    """An author, tag or section changed (renamed, a new address): its own pages and feeds, and
    every response that names it: those that show one of its articles."""
    links = {
        Author: Byline.objects.filter(author=pk).values("article"),
        Tag: TaggedArticle.objects.filter(tag=pk).values("content_object"),
        Category: Sections.objects.filter(category=pk).values("article"),
    }[model]
    published = Article.objects.published().filter(pk__in=links)
    touched = {keys.owner(OWNERS[model], pk), keys.SITEMAP, keys.SEARCH}
    touched.update(keys.article(found) for found in published.values_list("pk", flat=True))
    if model is Category:
        touched.add(keys.MENU)
    return touched


# The receivers. What a change touched before it is read before it (pre_save, pre_delete,
# pre_add…), kept on the instance being changed until the change is done.


def _remember(instance, found) -> None:
    instance.purges_before = found


def _recall(instance, default=frozenset()):
    return vars(instance).pop("purges_before", default)


def coming(pk):
    """When a scheduled article comes out; None for any other."""
    return Article.objects.scheduled().filter(pk=pk).values_list("published_at", flat=True).first()


def article_saving(sender, instance, **kwargs):
    if instance.pk is not None and not batched():
        _remember(instance, (footprint(instance.pk), coming(instance.pk)))


def article_saved(sender, instance, **kwargs):
    if batched():
        return
    before, was_coming = _recall(instance, (frozenset(), None))
    touched = set(before) | footprint(instance.pk)
    now_coming = coming(instance.pk)
    if now_coming is not None and now_coming != was_coming:
        touched.add(keys.ALL)  # see the module's text
    changed(touched)


def article_deleting(sender, instance, **kwargs):
    if not batched():
        _remember(instance, footprint(instance.pk))


def article_deleted(sender, instance, **kwargs):
    if not batched():
        changed(_recall(instance))


# What other pages show of an author, tag or section (a link: its name and address), and what
# places a section in the menu (which every page shows) and on the front page.
NAMED = {Author: ("name", "slug", "is_desk"), Tag: ("name", "slug"), Category: ("name", "slug")}
PLACED = {Category: ("position",)}


def _seen(model, instance) -> tuple:
    return tuple(getattr(instance, field) for field in NAMED[model] + PLACED.get(model, ()))


def owner_saving(sender, instance, **kwargs):
    if instance.pk is not None and not batched():
        seen = NAMED[sender] + PLACED.get(sender, ())
        _remember(instance, sender.objects.filter(pk=instance.pk).values_list(*seen).first())


def owner_saved(sender, instance, created=False, **kwargs):
    """An owner's own pages show all of it (a biography); the others, its name and address; the
    menu, a section's place."""
    if created or batched():
        return
    before, now, named = _recall(instance, None), _seen(sender, instance), len(NAMED[sender])
    if before is None or before[:named] != now[:named]:
        changed(touched_by_owner(sender, instance.pk))
    elif before != now:
        changed({keys.owner(OWNERS[sender], instance.pk), keys.MENU})
    else:
        changed({keys.owner(OWNERS[sender], instance.pk)})


def owner_deleting(sender, instance, **kwargs):
    if not batched():
        _remember(instance, touched_by_owner(sender, instance.pk))


def owner_deleted(sender, instance, **kwargs):
    if not batched():
        changed(_recall(instance))


# What the footer of every page shows of a site page (a link: its title and address, in its place).
FOOTED = ("title", "slug", "position")


def site_page_saving(sender, instance, **kwargs):
    if instance.pk is not None and not batched():
        _remember(instance, sender.objects.filter(pk=instance.pk).values_list(*FOOTED).first())


def site_page_saved(sender, instance, **kwargs):
    """A site page's own page shows all of it; every page's footer, its title, address and place."""
    if batched():
        return
    touched = {keys.site_page(instance.pk)}
    if _recall(instance, None) != tuple(getattr(instance, field) for field in FOOTED):
        touched.add(keys.FOOTER)  # new, or its link changed
    changed(touched)


def site_page_deleted(sender, instance, **kwargs):
    if not batched():
        changed({keys.site_page(instance.pk), keys.FOOTER})


LINKS = {Byline: ("article_id", "author", "author_id"), TaggedArticle: ("content_object_id", "tag", "tag_id")}


def link_saving(sender, instance, **kwargs):
    """A byline or tag link about to change: the owner it had is touched too."""
    if instance.pk is not None and not batched():
        _article, kind, owner_field = LINKS[sender]
        was = sender.objects.filter(pk=instance.pk).values_list(owner_field, flat=True).first()
        _remember(instance, {keys.owner(kind, was)} if was is not None else set())


def link_changed(sender, instance, **kwargs):
    """A byline or tag link saved or deleted (taggit saves and deletes its links one by one): its
    article's pages, and its owner's."""
    if batched():
        return
    article_field, kind, owner_field = LINKS[sender]
    before = _recall(instance)
    touched = footprint(getattr(instance, article_field))
    if touched:
        changed(touched | before | {keys.owner(kind, getattr(instance, owner_field))})


def sections_changing(sender, instance, action, reverse, pk_set, **kwargs):
    """An article's sections changed (m2m_changed: Django adds them in bulk, without post_save)."""
    if batched() or action not in (
        "pre_add",
        "pre_remove",
        "pre_clear",
        "post_add",
        "post_remove",
        "post_clear",
    ):
        return
    if action.startswith("pre_"):
        if not reverse:
            articles = [instance.pk]
        elif pk_set is not None:
            articles = list(pk_set)
        else:
            articles = list(Sections.objects.filter(category=instance.pk).values_list("article", flat=True))
        touched = set().union(*(footprint(pk) for pk in articles))
        _remember(instance, touched)
        return
    touched = _recall(instance)
    if touched:  # a published article's (its footprint before holds the sections it had)
        sections = [instance.pk] if reverse else list(pk_set or ())
        changed(touched | {keys.owner("section", pk) for pk in sections} | {keys.MENU})


def connect() -> None:
    uid = "purges"
    pre_save.connect(article_saving, sender=Article, dispatch_uid=f"{uid}-article-saving")
    post_save.connect(article_saved, sender=Article, dispatch_uid=f"{uid}-article-saved")
    pre_delete.connect(article_deleting, sender=Article, dispatch_uid=f"{uid}-article-deleting")
    post_delete.connect(article_deleted, sender=Article, dispatch_uid=f"{uid}-article-deleted")
    for model in OWNERS:
        pre_save.connect(owner_saving, sender=model, dispatch_uid=f"{uid}-owner-saving-{model.__name__}")
        post_save.connect(owner_saved, sender=model, dispatch_uid=f"{uid}-owner-saved-{model.__name__}")
        pre_delete.connect(
            owner_deleting, sender=model, dispatch_uid=f"{uid}-owner-deleting-{model.__name__}"
        )
        post_delete.connect(owner_deleted, sender=model, dispatch_uid=f"{uid}-owner-deleted-{model.__name__}")
    for model in LINKS:
        pre_save.connect(link_saving, sender=model, dispatch_uid=f"{uid}-link-saving-{model.__name__}")
        post_save.connect(link_changed, sender=model, dispatch_uid=f"{uid}-link-saved-{model.__name__}")
        post_delete.connect(link_changed, sender=model, dispatch_uid=f"{uid}-link-deleted-{model.__name__}")
    m2m_changed.connect(sections_changing, sender=Sections, dispatch_uid=f"{uid}-sections")
    pre_save.connect(site_page_saving, sender=SitePage, dispatch_uid=f"{uid}-site-page-saving")
    post_save.connect(site_page_saved, sender=SitePage, dispatch_uid=f"{uid}-site-page-saved")
    post_delete.connect(site_page_deleted, sender=SitePage, dispatch_uid=f"{uid}-site-page-deleted")
