"""Export: an article as the Markdown file with YAML front matter it would be imported from."""

import dataclasses
import logging

from articles.models import Article
from articles.text.tagging import normalize_tag_name, tag_key
from articles.transfer import jekyll

log = logging.getLogger(__name__)


def export_post(article: Article) -> jekyll.Post:
    """The article as a post, ready for jekyll.format_post()."""
    extra = jekyll.load_extra(article.front_matter)
    hugo = {extra.get("url")} | set(extra.get("aliases") or [])
    # The old site's address, not one the article left here (which the new site redirects).
    permalinks = [a for a in article.legacy_addresses.all() if a.original not in hugo and a.left_at is None]
    return jekyll.Post(
        title=article.title,
        date=article.published_at or article.created_at,
        slug=article.slug,
        body=article.body,
        authors=[author.name for author in article.byline()],
        categories=sorted(c.name for c in article.sections()),
        tags=sorted((tag.name for tag in article.tag_list()), key=str.lower),
        excerpt="" if article.excerpt_is_derived else article.excerpt,
        permalink=(permalinks[-1].original or permalinks[-1].path) if permalinks else "",
        published=article.status == Article.Status.PUBLISHED,
        image=article.hero_image_url or (article.hero_image.url if article.hero_image else ""),
        image_alt=article.hero_alt,
        reading_time=article.reading_time,
        language=article.language,
        extra=extra,
    )


def as_stored(post: jekyll.Post, article: Article) -> jekyll.Post:
    """The post as export_post() would give it back once imported (for 'unchanged')."""
    return jekyll.Post(
        title=post.title,
        date=post.date,
        slug=post.slug,
        body=post.body.replace("\r\n", "\n"),
        authors=post.authors,
        categories=sorted(post.categories),
        tags=folded(post.tags),
        excerpt=post.excerpt,
        permalink=post.permalink,
        published=article.status == Article.Status.PUBLISHED,  # status is settled apart
        image=post.image,
        image_alt=post.image_alt,
        reading_time=article.reading_time,
        language=article.language,  # the site's when the file gives none
        extra=post.extra,
    )


def folded(tags: list[str]) -> list[str]:
    """Tag names as the tag model keeps them: folded, one per name whatever its case."""
    kept = {}
    for name in map(normalize_tag_name, tags):
        kept.setdefault(tag_key(name), name)
    return list(kept.values())


def comparable(post: jekyll.Post) -> jekyll.Post:
    # An existing tag keeps the case it was first written in.
    return dataclasses.replace(
        post, tags=sorted(tag_key(name) for name in post.tags), source="", fingerprint=""
    )
