"""Renditions of an article's hero image, made once with Pillow when the image is saved.

Each upload gets the whole image at a few widths (never wider than the original) in WebP and
JPEG, a 3:2 crop for list items at 1x and 2x, and a 1200×630 crop for social sites and search
engines. They are stored under `renditions/` in the media storage, in a folder named by the
image's bytes (the same image always has the same renditions, and its addresses never change),
and listed in the article's row (Article.hero_renditions) with their sizes, so that a page draws
them without opening a file or asking the storage what exists. An image uploaded before them, or
one Pillow cannot read, has an empty list: pages show the original (`manage.py make_renditions`
makes the missing ones).

Pillow alone, rather than django-imagekit or sorl-thumbnail: both answer "what is this
rendition's address?" while the page is drawn (imagekit by asking the storage or trusting that
it exists, sorl from its key-value store, a cache or database read per thumbnail), and neither
keeps the sizes a page needs for `width`, `height` and `srcset`; the list in the row does, and
making the files is a few calls of Pillow's.
"""

import hashlib
import logging
from io import BytesIO
from typing import TypedDict

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageOps

logger = logging.getLogger(__name__)

# Raise it when what is made changes (sizes, crops, quality): make_renditions remakes older ones.
SPEC = 2  # 2: the social card always 1200×630
WIDTHS = (480, 800, 1200, 1600)  # the whole image: phones, tablets, the article column at 2x
THUMB_WIDTHS = (160, 320)  # a list item's thumbnail, at 1x and 2x
THUMB_RATIO = 3 / 2
SOCIAL = (1200, 630)  # Open Graph's and Twitter's large card, 1.91:1
SOCIAL_RATIO = SOCIAL[0] / SOCIAL[1]
FOLDER = "renditions"
JPEG = {"format": "JPEG", "quality": 82, "optimize": True, "progressive": True}
WEBP = {"format": "WEBP", "quality": 78, "method": 4}
# What Pillow raises for a file it cannot read (damaged, truncated, too large, not an image; its
# UnidentifiedImageError is an OSError).
UNREADABLE = (OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombError)
LANCZOS = Image.Resampling.LANCZOS


class Rendition(TypedDict):
    width: int
    height: int
    jpeg: str  # storage names
    webp: str  # "" for the social image (JPEG alone: what every social site reads)


class Renditions(TypedDict, total=False):
    """Article.hero_renditions: what was made of the hero image ({} when nothing was)."""

    spec: int
    width: int  # the original's, upright
    height: int
    full: list[Rendition]  # narrowest first
    thumb: list[Rendition]
    social: Rendition


def make(image_file, *, replace: bool = False) -> Renditions:
    """Make and store the renditions of `image_file` (an ImageField's file, stored or just
    uploaded) and describe them; {} when there is no image or Pillow cannot read it. Renditions
    already stored are kept unless `replace`."""
    if not image_file:
        return {}
    try:
        data = read(image_file)
        with Image.open(BytesIO(data)) as opened:
            # An RGB image's colour profile goes with it; a CMYK or grey one would not fit the RGB copies.
            icc = opened.info.get("icc_profile") if opened.mode in ("RGB", "RGBA", "P") else None
            image = upright_rgb(opened)
    except UNREADABLE as error:
        logger.warning("No renditions of the image %s: %s", image_file.name, error)
        return {}
    digest = hashlib.sha256(data + f"spec {SPEC}".encode()).hexdigest()[:24]
    store = Store(f"{FOLDER}/{digest[:2]}/{digest}", icc=icc, replace=replace)
    thumb_width = crop_size(image.size, THUMB_RATIO)[0]
    return Renditions(
        spec=SPEC,
        width=image.width,
        height=image.height,
        full=[store.both(resized(image, w), f"{w}w") for w in widths(WIDTHS, image.width)],
        thumb=[
            store.both(fitted(image, w, THUMB_RATIO), f"thumb-{w}w")
            for w in widths(THUMB_WIDTHS, thumb_width)
        ],
        # Always the card's own size, a small image enlarged: social sites show smaller ones small.
        social=store.jpeg(fitted(image, SOCIAL[0], SOCIAL_RATIO), "social"),
    )


def read(image_file) -> bytes:
    """The file's bytes, leaving it open or closed as it was (an upload is still to be stored)."""
    was_closed = image_file.closed
    image_file.open("rb")
    try:
        return image_file.read()
    finally:
        if was_closed:
            image_file.close()
        else:
            image_file.seek(0)


def upright_rgb(image: Image.Image) -> Image.Image:
    """The image turned as its camera says (EXIF), in RGB, transparency laid on white."""
    image = ImageOps.exif_transpose(image)
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        ground = Image.new("RGB", rgba.size, "white")
        ground.paste(rgba, mask=rgba.getchannel("A"))
        return ground
    return image.convert("RGB")


def widths(wanted: tuple[int, ...], available: int) -> list[int]:
    """The widths of `wanted` narrower than `available`, then the widest of `wanted` or
    `available` if it is narrower: never wider than the original."""
    widest = min(available, wanted[-1])
    return [w for w in wanted if w < widest] + [widest]


def crop_size(size: tuple[int, int], ratio: float) -> tuple[int, int]:
    """The largest width and height of `ratio` (width / height) that fit in `size`."""
    width, height = size
    if width / height > ratio:
        return round(height * ratio), height
    return width, round(width / ratio)


def resized(image: Image.Image, width: int) -> Image.Image:
    """The whole image, `width` wide."""
    if width == image.width:
        return image
    height = max(1, round(image.height * width / image.width))
    # reducing_gap: a large step down is halved by a cheap box filter first, as good to the eye.
    return image.resize((width, height), LANCZOS, reducing_gap=3.0)


def fitted(image: Image.Image, width: int, ratio: float) -> Image.Image:
    """The largest crop of `ratio` from the middle of the image, `width` wide."""
    crop_width, crop_height = crop_size(image.size, ratio)
    left, top = (image.width - crop_width) / 2, (image.height - crop_height) / 2
    size = (width, max(1, round(width / ratio)))
    return image.resize(
        size, LANCZOS, box=(left, top, left + crop_width, top + crop_height), reducing_gap=3.0
    )


class Store:
    """Where one image's renditions are written: `folder`, with its colour profile."""

    def __init__(self, folder: str, *, icc: bytes | None, replace: bool):
        self.folder, self.replace = folder, replace
        self.profile = {"icc_profile": icc} if icc else {}

    def both(self, image: Image.Image, stem: str) -> Rendition:
        return Rendition(
            width=image.width,
            height=image.height,
            jpeg=self.write(image, f"{stem}.jpg", JPEG),
            webp=self.write(image, f"{stem}.webp", WEBP),
        )

    def jpeg(self, image: Image.Image, stem: str) -> Rendition:
        return Rendition(
            width=image.width, height=image.height, jpeg=self.write(image, f"{stem}.jpg", JPEG), webp=""
        )

    def write(self, image: Image.Image, filename: str, options: dict) -> str:
        name = f"{self.folder}/{filename}"
        if default_storage.exists(name):
            if not self.replace:
                return name  # made from the same bytes, by the same SPEC
            default_storage.delete(name)
        out = BytesIO()
        image.save(out, **options, **self.profile)
        return default_storage.save(name, ContentFile(out.getvalue()))


def is_current(renditions: Renditions | None) -> bool:
    """Made by this SPEC (else make_renditions makes them again)."""
    return bool(renditions) and renditions.get("spec") == SPEC


def url(name: str) -> str:
    return default_storage.url(name)
