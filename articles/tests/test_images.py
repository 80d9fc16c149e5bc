"""Hero images: renditions made once on save, drawn as <picture> with srcset, sizes and their box,
a caption and a credit under the hero, thumbnails on lists, and the 1200×630 crop for social sites."""

import json
import re
from html.parser import HTMLParser
from io import BytesIO, StringIO
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image, ImageDraw

from articles import caching, images
from articles.demo import drawings
from articles.models import Article
from articles.tests.factories import ArticleFactory, AuthorFactory, CategoryFactory
from articles.tests.test_admin import article_form

pytestmark = pytest.mark.django_db


def photo(size=(2000, 1200), fmt="JPEG", **options) -> bytes:
    """An image with something in it (a flat one compresses to nothing)."""
    image = Image.new("RGB", size, (40, 90, 140))
    draw = ImageDraw.Draw(image)
    for n in range(0, size[0], 50):
        draw.rectangle((n, n % size[1], n + 40, size[1]), fill=(200, n % 255, 90))
    out = BytesIO()
    image.save(out, format=fmt, **options)
    return out.getvalue()


def upload(name="harbour.jpg", data=None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data if data is not None else photo(), "image/jpeg")


def with_image(**fields) -> Article:
    """A public article whose hero image was uploaded (and saved, as the desk saves it)."""
    article = ArticleFactory(published=True, **fields)
    article.hero_image = upload()
    article.hero_alt = "朝の港に並ぶ漁船"
    article.hero_caption = "朝の港。漁船が並ぶ"
    article.hero_credit = "佐藤 花子"
    article.save()
    return Article.objects.get(pk=article.pk)


def stored(media_root, url: str) -> Image.Image:
    """The image a page's address points to, opened from MEDIA_ROOT."""
    path = urlsplit(url).path
    assert path.startswith("/media/"), url
    return Image.open(media_root / path.removeprefix("/media/"))


class Elements(HTMLParser):
    """Each element's name and attributes, with the names of the elements it is in; and the text of
    each figcaption."""

    def __init__(self, html: str):
        super().__init__()
        self.found, self.open, self.captions = [], [], []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs), list(self.open)))
        if tag not in ("img", "source", "meta", "link", "wbr", "input", "br"):
            self.open.append(tag)

    def handle_endtag(self, tag):
        if tag in self.open:
            del self.open[len(self.open) - 1 - self.open[::-1].index(tag) :]

    def handle_data(self, data):
        if "figcaption" in self.open:
            self.captions.append(data)

    def all(self, tag, inside=None) -> list[dict]:
        return [
            attrs for name, attrs, within in self.found if name == tag and (inside in within or not inside)
        ]


def meta(html: str, name: str) -> list[str]:
    return re.findall(rf'<meta (?:property|name)="{re.escape(name)}" content="([^"]*)">', html)


def json_ld(html: str) -> dict:
    [data] = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.DOTALL)
    return json.loads(data)


def widths(srcset: str) -> list[int]:
    return [int(candidate.split()[1].removesuffix("w")) for candidate in srcset.split(", ")]


def test_saving_an_uploaded_image_makes_its_renditions_once_in_webp_and_jpeg(media_root):
    article = with_image()
    made = article.hero_renditions
    assert (made["width"], made["height"]) == (2000, 1200)
    assert [(r["width"], r["height"]) for r in made["full"]] == [
        (480, 288),
        (800, 480),
        (1200, 720),
        (1600, 960),
    ]
    assert [(r["width"], r["height"]) for r in made["thumb"]] == [(160, 107), (320, 213)]
    for rendition in made["full"] + made["thumb"]:
        for kind, image_format in (("webp", "WEBP"), ("jpeg", "JPEG")):
            with Image.open(media_root / rendition[kind]) as image:
                assert image.format == image_format
                assert image.size == (rendition["width"], rendition["height"])
    with Image.open(media_root / made["social"]["jpeg"]) as social:
        assert (social.format, social.size) == ("JPEG", (1200, 630))
    files = sorted(p for p in (media_root / "renditions").rglob("*") if p.is_file())
    assert len(files) == 4 * 2 + 2 * 2 + 1
    article.title = "見出しを直した"
    article.save()  # the image is the same: nothing is made again
    assert sorted(p for p in (media_root / "renditions").rglob("*") if p.is_file()) == files


def test_an_image_narrower_than_the_widths_is_never_upscaled_but_for_the_social_card(media_root):
    article = ArticleFactory(hero_image=upload(data=photo((700, 500))))
    made = article.hero_renditions
    assert [r["width"] for r in made["full"]] == [480, 700]
    assert [r["width"] for r in made["thumb"]] == [160, 320]
    assert (made["social"]["width"], made["social"]["height"]) == (1200, 630)  # the card's own size


def test_a_photo_is_turned_upright_as_its_camera_says(media_root):
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: turned a quarter to the right
    article = ArticleFactory(hero_image=upload(data=photo((1000, 500), exif=exif.tobytes())))
    assert [(r["width"], r["height"]) for r in article.hero_renditions["full"]] == [(480, 960), (500, 1000)]


def test_a_transparent_image_is_laid_on_white(media_root):
    clear = Image.new("RGBA", (600, 400), (0, 0, 0, 0))
    out = BytesIO()
    clear.save(out, "PNG")
    article = ArticleFactory(hero_image=upload("logo.png", out.getvalue()))
    with Image.open(media_root / article.hero_renditions["full"][0]["jpeg"]) as jpeg:
        assert jpeg.convert("RGB").getpixel((10, 10)) == (255, 255, 255)


def test_the_article_page_draws_the_hero_as_a_picture_with_its_caption_and_credit(client):
    article = with_image()
    page = Elements(client.get(article.get_absolute_url()).content.decode())
    [source] = page.all("source", inside="figure")
    [img] = page.all("img", inside="figure")
    assert source["type"] == "image/webp" and widths(source["srcset"]) == [480, 800, 1200, 1600]
    assert all(".webp " in candidate for candidate in source["srcset"].split(", "))
    assert widths(img["srcset"]) == [480, 800, 1200, 1600] and ".jpg 480w" in img["srcset"]
    assert source["sizes"] == img["sizes"] and "43.5rem" in img["sizes"]
    assert (img["width"], img["height"]) == ("1600", "960") and img["src"].endswith("/1600w.jpg")
    assert img["alt"] == "朝の港に並ぶ漁船"
    # The first image of the page: fetched at once, not when it nears the screen.
    assert "loading" not in img and img["fetchpriority"] == "high"
    caption = " ".join("".join(page.captions).split())
    assert caption == "朝の港。漁船が並ぶ 画像：佐藤 花子"


def test_list_items_show_a_small_lazy_thumbnail_with_its_box_and_no_query_each(client):
    section = CategoryFactory(slug="港")
    url = reverse("articles:category", args=["港"])
    with_image(categories=[section])
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for _ in range(3):
        with_image(categories=[section])
    ArticleFactory(published=True, categories=[section])  # and one without an image
    cache.clear()  # a miss, as the first was
    caching.HERE.clear()
    with CaptureQueriesContext(connection) as five:
        page = Elements(client.get(url).content.decode())
    assert len(five) == len(one)
    images = page.all("img", inside="article")
    assert len(images) == 4
    for img in images:
        assert img["loading"] == "lazy" and "fetchpriority" not in img
        assert (img["width"], img["height"]) == ("160", "107") and widths(img["srcset"]) == [160, 320]
        assert img["sizes"] == "(min-width: 48rem) 10rem, 6.5rem"
    sources = page.all("source", inside="article")
    assert len(sources) == 4 and all(widths(source["srcset"]) == [160, 320] for source in sources)


def test_social_sites_and_search_engines_get_the_1200_by_630_crop(client, media_root):
    article = with_image()
    html = client.get(article.get_absolute_url()).content.decode()
    [image] = meta(html, "og:image")
    assert image.startswith("http://testserver/media/renditions/")
    with stored(media_root, image) as social:
        assert social.size == (1200, 630)
    assert meta(html, "og:image:width") == ["1200"] and meta(html, "og:image:height") == ["630"]
    assert meta(html, "twitter:image") == [image] and meta(html, "twitter:card") == ["summary_large_image"]
    assert json_ld(html)["image"] == [image]


def test_an_image_kept_by_address_is_still_shown_by_its_address(client):
    article = ArticleFactory(
        published=True, hero_image_url="https://images.example.com/port.jpg", hero_alt="港の朝"
    )
    html = client.get(article.get_absolute_url()).content.decode()
    page = Elements(html)
    assert page.all("source", inside="figure") == []
    [img] = page.all("img", inside="figure")
    assert img["src"] == "https://images.example.com/port.jpg" and img["alt"] == "港の朝"
    assert "srcset" not in img and "width" not in img
    assert meta(html, "og:image") == ["https://images.example.com/port.jpg"]
    assert meta(html, "og:image:width") == []


def test_an_article_without_an_image_gives_social_sites_the_logo(client):
    article = ArticleFactory(published=True)
    html = client.get(article.get_absolute_url()).content.decode()
    assert Elements(html).all("picture") == []
    [image] = meta(html, "og:image")
    assert image.startswith("http://testserver/static/") and image.endswith(".png")
    assert json_ld(html)["image"] == [image] and meta(html, "twitter:card") == ["summary"]


def test_an_image_without_renditions_is_shown_as_it_was_uploaded(client):
    article = with_image()
    Article.objects.filter(pk=article.pk).update(hero_renditions={})  # as an image saved before them
    html = client.get(article.get_absolute_url()).content.decode()
    [img] = Elements(html).all("img", inside="figure")
    assert img["src"] == article.hero_image.url and "srcset" not in img
    assert meta(html, "og:image") == ["http://testserver" + article.hero_image.url]


def test_make_renditions_makes_those_an_image_lacks(media_root):
    article = with_image()
    made = article.hero_renditions
    Article.objects.filter(pk=article.pk).update(hero_renditions={})
    out = StringIO()
    call_command("make_renditions", stdout=out)
    assert Article.objects.get(pk=article.pk).hero_renditions == made
    assert "1 image" in out.getvalue()


def test_an_image_pillow_cannot_read_is_refused_by_the_desk_form(client, editor):
    client.force_login(editor)
    author = AuthorFactory()
    whole = photo()
    for broken in (b"not an image at all", whole[: len(whole) // 2]):  # garbage, a truncated JPEG
        data = article_form(author, hero_image=upload("broken.jpg", broken), language="ja")
        response = client.post(reverse("admin:articles_article_add"), data)
        assert response.status_code == 200
        [message] = response.context["adminform"].form.errors["hero_image"]
        assert "画像" in message  # Django's own message: upload a valid image
    assert not Article.objects.exists()


def test_the_demo_articles_have_pictures_of_their_own_with_alt_text_caption_and_credit(media_root):
    call_command("seed_demo", stdout=StringIO())
    articles = list(Article.objects.all())
    assert articles and all(a.hero_alt and a.hero_caption and a.hero_credit for a in articles)
    assert all(images.is_current(a.hero_renditions) for a in articles)
    with Image.open(articles[0].hero_image.path) as drawn:
        assert drawn.size == (1600, 900)
    # A picture each (the one story told in two languages shares one): their renditions' folders.
    folders = {a.hero_renditions["social"]["jpeg"].rsplit("/", 1)[0] for a in articles}
    assert len(folders) == len(drawings.SCENES) >= 8
    files = sorted(media_root.rglob("*"))
    call_command("seed_demo", stdout=StringIO())
    assert sorted(media_root.rglob("*")) == files  # nothing drawn again
