"""Newsroom's content model, the bottom floor: nothing here imports from the rooms above it."""

from articles.models.articles import Article, RevisionManager
from articles.models.fields import GramsField, HasGram
from articles.models.owners import (
    Author,
    Byline,
    Category,
    CategoryQuerySet,
    FoldingTaggableManager,
    Tag,
    TaggedArticle,
    TagQuerySet,
)
from articles.models.pages import SitePage, SitePageQuerySet
from articles.models.querysets import ArticleQuerySet, Links, Named
from articles.models.records import (
    PREVIEW_SALT,
    ArticleEvent,
    LegacyAddress,
    PreviewLink,
    PreviewVisit,
    PublicChange,
    PurgedKey,
    _in_a_week,
)

__all__ = [
    "PREVIEW_SALT",
    "Article",
    "ArticleEvent",
    "ArticleQuerySet",
    "Author",
    "Byline",
    "Category",
    "CategoryQuerySet",
    "FoldingTaggableManager",
    "GramsField",
    "HasGram",
    "LegacyAddress",
    "Links",
    "Named",
    "PreviewLink",
    "PreviewVisit",
    "PublicChange",
    "PurgedKey",
    "RevisionManager",
    "SitePage",
    "SitePageQuerySet",
    "Tag",
    "TagQuerySet",
    "TaggedArticle",
    "_in_a_week",
]
