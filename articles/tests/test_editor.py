"""The Markdown editor's preview and upload endpoints (django-markdownx, hardened)."""

from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

pytestmark = pytest.mark.django_db

SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


def image_bytes(fmt="PNG", size=(8, 8), mode="RGB"):
    out = BytesIO()
    Image.new(mode, size, "red").save(out, format=fmt)
    return out.getvalue()


def upload(client, name, data, content_type):
    return client.post(reverse("editor:upload"), {"image": SimpleUploadedFile(name, data, content_type)})


def stored_files(media_root):
    return [p for p in media_root.rglob("*") if p.is_file()] if media_root.exists() else []


def test_upload_refuses_anonymous_users(client, media_root):
    response = upload(client, "a.png", image_bytes(), "image/png")
    assert response.status_code == 403
    assert stored_files(media_root) == []


def test_upload_refuses_logged_in_non_staff(client, reader, media_root):
    client.force_login(reader)
    assert upload(client, "a.png", image_bytes(), "image/png").status_code == 403
    assert stored_files(media_root) == []


@pytest.mark.parametrize(
    ("name", "data", "content_type", "message"),
    [
        ("x.svg", SVG, "image/svg+xml", "holds HTML or script"),
        ("x.png", SVG, "image/png", "holds HTML or script"),
        ("x.png", b"<html><body>hi</body></html>", "image/png", "holds HTML or script"),
        ("x.png", b"GIF89a not really", "image/png", "not an image"),
        ("x.gif", None, "image/gif", "Only JPEG, PNG and WebP"),
        ("x.png", b"", "image/png", "not an image"),
    ],
)
def test_upload_refuses_what_is_not_an_accepted_image(
    editor_client, media_root, name, data, content_type, message, settings
):
    settings.LANGUAGE_CODE = "en"
    data = image_bytes("GIF") if data is None else data
    response = upload(editor_client, name, data, content_type)
    assert response.status_code == 400
    assert message in response.json()["image"][0]
    assert stored_files(media_root) == []


def test_upload_refuses_files_over_5_mb(editor_client, media_root, settings):
    settings.LANGUAGE_CODE = "en"
    big = image_bytes() + b"\0" * (5 * 1024 * 1024)
    response = upload(editor_client, "big.png", big, "image/png")
    assert response.status_code == 400
    assert "limit is 5 MB" in response.json()["image"][0]
    assert stored_files(media_root) == []


def test_upload_refuses_an_image_too_large_in_pixels(editor_client, media_root):
    response = upload(editor_client, "wide.png", image_bytes(size=(9000, 5000), mode="1"), "image/png")
    assert response.status_code == 400
    assert stored_files(media_root) == []


def test_upload_without_a_file_is_a_400_not_a_500(editor_client):
    response = editor_client.post(reverse("editor:upload"), {})
    assert response.status_code == 400


@pytest.mark.parametrize(("fmt", "extension"), [("PNG", "png"), ("JPEG", "jpg"), ("WEBP", "webp")])
def test_upload_stores_a_re_encoded_image_under_a_name_the_server_chooses(
    editor_client, media_root, fmt, extension
):
    response = upload(
        editor_client, f"港の朝市 (1).{extension}", image_bytes(fmt), "application/octet-stream"
    )

    assert response.status_code == 200
    code = response.json()["image_code"]
    assert code.startswith("![](/media/editor/") and code.endswith(f".{extension})")
    [stored] = stored_files(media_root)
    assert stored.suffix == f".{extension}" and "朝市" not in stored.name
    assert Image.open(stored).format == fmt


@pytest.mark.parametrize(
    ("name", "tail", "message"),
    [
        ("x.png", b"<script>alert(1)</script>", "HTML or script besides an image"),
        ("x.png", b"\n<HTML><body onload=alert(1)>", "HTML or script besides an image"),
        ("x.png", b"<svg onload=alert(1)>", "HTML or script besides an image"),
        ("evil.html", b"", "named .html but is a PNG image"),
        ("photo.png.php", b"", "named .php but is a PNG image"),
        ("photo.jpg", b"", "named .jpg but is a PNG image"),
    ],
)
def test_upload_refuses_polyglots_and_names_that_choose_another_type(
    editor_client, media_root, settings, name, tail, message
):
    settings.LANGUAGE_CODE = "en"
    response = upload(editor_client, name, image_bytes("PNG") + tail, "image/png")
    assert response.status_code == 400
    assert message in response.json()["image"][0]
    assert stored_files(media_root) == []


def test_preview_requires_staff(client, reader):
    assert client.post(reverse("editor:preview"), {"content": "# x"}).status_code == 403
    client.force_login(reader)
    assert client.post(reverse("editor:preview"), {"content": "# x"}).status_code == 403


def test_preview_is_sanitised_like_the_site(editor_client):
    response = editor_client.post(
        reverse("editor:preview"),
        {"content": "## 見出し\n\n<script>alert(1)</script>[x](javascript:alert(1))"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert '<h2 id="見出し">見出し</h2>' in html
    assert "<script" not in html and "javascript:" not in html


def test_editor_endpoints_refuse_get(editor_client):
    assert editor_client.get(reverse("editor:preview")).status_code == 405
    assert editor_client.get(reverse("editor:upload")).status_code == 405


def test_tag_suggestions_are_for_staff_and_fold_width_and_case(editor_client):
    from django.test import Client

    from articles.models import Tag

    for name in ["AI", "AIインフラ", "生成AI", "防災"]:
        Tag.objects.create(name=name)
    url = reverse("editor:tags")
    assert Client().get(url, {"q": "ai"}).status_code == 403

    response = editor_client.get(url, {"q": "ａｉ"})
    assert response.json() == {"tags": ["AI", "AIインフラ", "生成AI"]}  # starting with the term first
    assert editor_client.get(url, {"q": " "}).json() == {"tags": []}


def test_a_truncated_png_is_a_400_not_a_500(editor_client, media_root):
    damaged = image_bytes()[:30]
    response = upload(editor_client, "broken.png", damaged, "image/png")
    assert response.status_code == 400
    assert stored_files(media_root) == []


def test_a_camera_jpeg_with_a_multi_picture_block_is_accepted_as_jpeg(editor_client, media_root):
    out = BytesIO()
    frames = [Image.new("RGB", (8, 8), "red"), Image.new("RGB", (8, 8), "blue")]
    frames[0].save(out, format="MPO", save_all=True, append_images=frames[1:])
    assert Image.open(BytesIO(out.getvalue())).format == "MPO"

    response = upload(editor_client, "photo.jpg", out.getvalue(), "image/jpeg")
    assert response.status_code == 200
    [stored] = stored_files(media_root)
    assert stored.suffix == ".jpg" and Image.open(stored).format == "JPEG"


def test_staff_who_may_not_write_articles_cannot_use_the_editor(client, media_root):
    from articles.tests.factories import StaffFactory

    client.force_login(StaffFactory(username="viewer", permissions=["view_article"]))
    assert upload(client, "a.png", image_bytes(), "image/png").status_code == 403
    assert client.post(reverse("editor:preview"), {"content": "x"}).status_code == 403
    assert client.get(reverse("editor:tags"), {"q": "x"}).status_code == 403
    assert stored_files(media_root) == []
