"""What pages show of an article's hero image: the data of a <picture> (Picture, drawn by
templates/articles/_picture.html) from the renditions listed in its row (articles/images.py), and
the image given to social sites and search engines. No file is opened and no storage is asked:
an image without renditions is shown as it is (the upload, or the address an import kept)."""

from typing import TypedDict

from articles import images


# A dictionary, as drawing.py's values are: templates read keys first.
class Picture(TypedDict):
    """An image as templates/articles/_picture.html draws it."""

    src: str  # the <img>'s: a JPEG rendition, else the upload or the image's address
    width: int | None  # of `src` (None when not known): the box the page keeps for it while it loads
    height: int | None
    jpeg: str  # srcset of the JPEG renditions ("" without renditions)
    webp: str  # srcset of the WebP renditions
    alt: str


class Shared(TypedDict):
    """The image of an article's Open Graph and Twitter cards and of its JSON-LD."""

    url: str  # as the page has it (seo.absolute() makes it whole)
    width: int | None
    height: int | None


def picture(article) -> Picture | None:
    """The whole image, its largest rendition as the fallback (an article's hero, a front page's
    lead and secondary stories); None without an image."""
    made = renditions(article).get("full")
    return drawn(article, made, made[-1]) if made else as_it_is(article)


def thumbnail(article) -> Picture | None:
    """A small 3:2 crop of the image, at 1x as the fallback (a list item's); None without an image."""
    made = renditions(article).get("thumb")
    return drawn(article, made, made[0]) if made else as_it_is(article)


def shared(article) -> Shared | None:
    """The 1200×630 crop of the image, else the image as it is; None without an image."""
    social = renditions(article).get("social")
    if social:
        return Shared(url=images.url(social["jpeg"]), width=social["width"], height=social["height"])
    return Shared(url=article.hero_src, width=None, height=None) if article.hero_src else None


def renditions(article) -> images.Renditions:
    """What was made of the article's uploaded image ({} for none, or an image by address)."""
    return (article.hero_renditions or {}) if article.hero_image else {}


def drawn(article, made: list[images.Rendition], fallback: images.Rendition) -> Picture:
    return Picture(
        src=images.url(fallback["jpeg"]),
        width=fallback["width"],
        height=fallback["height"],
        jpeg=srcset(made, "jpeg"),
        webp=srcset(made, "webp"),
        alt=article.hero_alt,
    )


def as_it_is(article) -> Picture | None:
    src = article.hero_src
    return Picture(src=src, width=None, height=None, jpeg="", webp="", alt=article.hero_alt) if src else None


def srcset(made: list[images.Rendition], kind: str) -> str:
    return ", ".join(f"{images.url(rendition[kind])} {rendition['width']}w" for rendition in made)
