"""The site's identity: its name and logo in the masthead, its icons and its web app manifest."""

import json
from io import BytesIO
from pathlib import Path

import pytest
from django.conf import settings as project
from django.urls import reverse
from PIL import Image

from articles.tests.drawn import Drawn
from articles.tests.test_settings import start
from newsroom.settings import png_size, svg_size

pytestmark = pytest.mark.django_db
STATIC = Path(project.BASE_DIR) / "static"


def served(client, address: str) -> tuple[str, bytes]:
    """(content type, body) of a static file or a page, which must answer 200."""
    response = client.get(address)
    assert response.status_code == 200, address
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response["Content-Type"], body


@pytest.mark.parametrize(
    "value",
    ["img/logo.gif", "img/missing.svg", "../manage.py", "/etc/hostname", "https://cdn.example.com/logo.svg"],
)
def test_a_logo_that_is_not_an_svg_or_png_under_static_stops_the_start_with_one_line(value):
    status, stderr = start("manage.py", "check", SITE_LOGO=value)
    lines = stderr.strip().splitlines()
    assert status == 1 and len(lines) == 1 and "Traceback" not in stderr, stderr
    assert (
        lines[0].startswith("Newsroom cannot start: SITE_LOGO=")
        and "a .svg or .png file under static/" in lines[0]
    )


@pytest.mark.parametrize("value", ["img/logo.svg", "img/icon-512.png", ""])
def test_a_logo_under_static_or_none_starts(value):
    status, stderr = start("manage.py", "check", SITE_LOGO=value)
    assert status == 0, stderr


@pytest.mark.parametrize(
    "svg, size",
    [
        ('width="220" height="40" viewBox="0 0 110 20"', (220, 40)),
        ('width="120px" height="30.4px"', (120, 30)),
        ('viewBox="0 0 300 60"', (300, 60)),
        ('width="100%" viewBox="0,0,300,60"', (300, 60)),  # a relative width: the viewBox's
        ('width="100%"', None),
        ('viewBox="0 0 0 60"', None),
    ],
)
def test_an_svg_logo_s_size_is_read_from_its_width_and_height_or_its_viewbox(tmp_path, svg, size):
    logo = tmp_path / "logo.svg"
    logo.write_text(f'<svg xmlns="http://www.w3.org/2000/svg" {svg}><rect width="1" height="1"/></svg>')
    assert svg_size(logo) == size


def test_a_logo_that_is_no_image_has_no_size(tmp_path):
    (tmp_path / "page.svg").write_text("<html><body>not an image</body></html>")
    (tmp_path / "broken.svg").write_text("<svg")
    (tmp_path / "fake.png").write_bytes(b"GIF89a" + bytes(30))
    assert svg_size(tmp_path / "page.svg") is None and svg_size(tmp_path / "broken.svg") is None
    assert png_size(tmp_path / "fake.png") is None
    assert png_size(STATIC / "img" / "apple-touch-icon.png") == (180, 180)


def test_the_masthead_shows_the_logo_sized_and_named_and_linked_home(client):
    page = Drawn(client.get(reverse("articles:home")).content.decode())
    (logo,) = page.find("img", within=".site-header")
    assert logo["attrs"]["src"].endswith("img/logo.svg") and "a" in logo["within"]
    assert logo["attrs"]["alt"] == project.SITE_NAME
    assert (logo["attrs"]["width"], logo["attrs"]["height"]) == ("220", "40")  # the file's own size
    home = [link for link in page.links_in(".site-header") if link["attrs"].get("class") == "site-name"]
    assert [link["href"] for link in home] == [reverse("articles:home")]


def test_without_a_logo_the_masthead_shows_the_site_name_in_text(client, settings):
    settings.SITE_LOGO, settings.SITE_LOGO_SIZE, settings.SITE_NAME = "", None, "港町タイムズ"
    page = Drawn(client.get(reverse("articles:home")).content.decode())
    assert page.find("img", within=".site-header") == []
    assert [link["text"] for link in page.links if link["attrs"].get("class") == "site-name"] == [
        "港町タイムズ"
    ]


def test_a_png_logo_is_shown_at_its_own_size(client, settings):
    settings.SITE_LOGO, settings.SITE_LOGO_SIZE = "img/icon-192.png", (192, 192)
    (logo,) = Drawn(client.get(reverse("articles:home")).content.decode()).find("img", within=".site-header")
    assert logo["attrs"]["src"].endswith("img/icon-192.png") and logo["attrs"]["width"] == "192"


def test_the_default_logo_reads_in_light_and_dark(client):
    """It carries its own colours for a dark page (the site follows prefers-color-scheme)."""
    kind, svg = served(client, "/static/img/logo.svg")
    assert kind == "image/svg+xml" and b"prefers-color-scheme: dark" in svg
    assert len(svg) < 2_000


def test_every_page_links_its_icons_and_manifest_and_each_is_served(client):
    page = Drawn(client.get(reverse("articles:home")).content.decode())
    links = {(link["attrs"]["rel"], link["attrs"].get("type")): link["attrs"] for link in page.find("link")}
    png = links["icon", "image/png"]
    assert png["sizes"] == "32x32" and png["href"].endswith("img/icon-32.png")
    assert links["icon", "image/svg+xml"]["href"].endswith("img/icon.svg")
    assert links["apple-touch-icon", None]["href"].endswith("img/apple-touch-icon.png")
    assert links["manifest", None]["href"] == "/manifest.webmanifest"
    sizes = {"img/icon-32.png": (32, 32), "img/apple-touch-icon.png": (180, 180)}
    for path, size in sizes.items():
        kind, body = served(client, f"/static/{path}")
        assert kind == "image/png" and Image.open(BytesIO(body)).size == size
    kind, body = served(client, "/static/img/icon.svg")
    assert kind == "image/svg+xml" and b"prefers-color-scheme: dark" in body


def test_the_manifest_names_the_site_and_its_icons(client, settings):
    settings.SITE_NAME = "港町タイムズ"
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200 and response["Content-Type"] == "application/manifest+json"
    assert "public" in response["Cache-Control"] and "s-maxage" in response["Cache-Control"]
    manifest = json.loads(response.content)
    assert manifest["name"] == manifest["short_name"] == "港町タイムズ"
    assert "港町タイムズ".encode() in response.content  # written as itself, not \u escapes
    assert manifest["start_url"] == reverse("articles:home") and manifest["display"] == "standalone"
    assert manifest["lang"] == "ja"
    assert manifest["theme_color"].startswith("#") and manifest["background_color"].startswith("#")
    icons = {(icon["sizes"], icon.get("purpose", "any")): icon for icon in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= set(icons)
    for (sizes, _purpose), icon in icons.items():
        kind, body = served(client, icon["src"])
        assert kind == icon["type"] == "image/png"
        assert "x".join(map(str, Image.open(BytesIO(body)).size)) == sizes


def test_the_icons_and_logo_weigh_little():
    """Every page loads the logo, and a browser one icon: kept within the article page's budget."""
    files = ["logo.svg", "icon.svg", "icon-32.png", "apple-touch-icon.png", "icon-192.png"]
    assert sum((STATIC / "img" / name).stat().st_size for name in files) < 6_000
    assert (STATIC / "img" / "icon-512.png").stat().st_size < 8_000
