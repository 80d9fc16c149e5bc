"""The Markdown editor's endpoints, hardened.

django-markdownx ships a preview that renders unsanitised HTML for anyone and
an upload that trusts the browser's content type and the file's name. These
replace both: staff only, CSRF-protected, the preview through the site's own
sanitising renderer, uploads checked and re-encoded by Pillow under a name
and extension the server chooses.
"""

import re
import uuid
from functools import wraps
from io import BytesIO
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import Case, When
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from PIL import Image, ImageOps, UnidentifiedImageError

from articles.models import Tag
from articles.text.rendering import render_markdown
from articles.text.tagging import tag_key

# Pillow format name -> the format we store it in, and its extension. Many
# phone and camera photos are JPEGs that Pillow reports as MPO (multi-picture).
UPLOAD_FORMATS = {
    "JPEG": ("JPEG", "jpg"),
    "MPO": ("JPEG", "jpg"),
    "PNG": ("PNG", "png"),
    "WEBP": ("WEBP", "webp"),
}
MAX_PIXELS = 40_000_000
# The extensions a file of each stored format may be named with (the stored name is our own).
NAMES = {"JPEG": {"jpg", "jpeg", "jpe", "jfif"}, "PNG": {"png"}, "WEBP": {"webp"}}
# Markup a browser would act on; compressed image data does not spell these out by chance.
_MARKUP = re.compile(rb"<(?:script|html|body|svg|iframe|object|embed|!doctype|\?xml)[\s>/]", re.IGNORECASE)


class UploadRefused(ValueError):
    """The file is not an image we accept; the message says why."""


def can_write(user) -> bool:
    """Staff who may write articles: the only ones the editor's endpoints serve."""
    return (
        user.is_authenticated
        and user.is_active
        and user.is_staff
        and (user.has_perm("articles.add_article") or user.has_perm("articles.change_article"))
    )


def writers_only(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not can_write(request.user):
            return JsonResponse({"error": _("Log in as staff who may write articles.")}, status=403)
        return view(request, *args, **kwargs)

    return wrapper


@require_POST
@writers_only
def preview(request):
    return HttpResponse(render_markdown(request.POST.get("content", "")))


@require_GET
@writers_only
def tag_suggestions(request):
    """Existing tag names that start with (then contain) the typed term."""
    key = tag_key(request.GET.get("q", ""))[:100]
    if not key:
        return JsonResponse({"tags": []})
    starts_first = Case(When(key__startswith=key, then=0), default=1)
    matches = Tag.objects.filter(key__contains=key).order_by(starts_first, "key")
    return JsonResponse({"tags": list(matches.values_list("name", flat=True)[:10])})


@require_POST
@writers_only
def upload(request):
    file = request.FILES.get("image")
    try:
        if file is None:
            raise UploadRefused(_("No file was sent."))
        name = save_image(file)
    except UploadRefused as refusal:
        return JsonResponse({"image": [str(refusal)]}, status=400)
    return JsonResponse({"image_code": f"![]({default_storage.url(name)})"})


def save_image(file) -> str:
    """Check an uploaded image, re-encode it and store it; return its storage name."""
    limit = settings.EDITOR_UPLOAD_MAX_BYTES
    if file.size > limit:
        raise UploadRefused(
            _("The file is %(size)d MB; the limit is %(limit)d MB.")
            % {"size": -(-file.size // 2**20), "limit": limit // 2**20}
        )
    data = file.read()
    if _MARKUP.search(data):
        # A picture that is also a page (a polyglot): some browser or tool would read it as HTML.
        raise UploadRefused(_("The file holds HTML or script besides an image."))
    try:
        with Image.open(BytesIO(data)) as probe:
            image_format = probe.format
            width, height = probe.size
            probe.verify()
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        EOFError,
        Image.DecompressionBombError,
    ) as error:
        # Pillow reports a damaged file in several ways; all mean the same here.
        raise UploadRefused(_("The file is not an image that can be read.")) from error
    if image_format not in UPLOAD_FORMATS:
        raise UploadRefused(_("Only JPEG, PNG and WebP images are accepted."))
    if width * height > MAX_PIXELS:
        raise UploadRefused(_("The image is too large (%(w)d × %(h)d pixels).") % {"w": width, "h": height})
    stored_format, extension = UPLOAD_FORMATS[image_format]
    named = Path(file.name or "").suffix.lower().lstrip(".")
    if named and named not in NAMES[stored_format]:
        raise UploadRefused(
            _("The file is named .%(named)s but is a %(format)s image.")
            % {"named": named, "format": stored_format}
        )
    encoded = _reencode(data, stored_format)
    folder = timezone.now().strftime("editor/%Y/%m")
    return default_storage.save(f"{folder}/{uuid.uuid4().hex}.{extension}", ContentFile(encoded))


def _reencode(data: bytes, image_format: str) -> bytes:
    # Writing the pixels anew drops whatever rode along with them: trailing
    # HTML in a polyglot, and metadata such as the GPS position of a photo.
    try:
        with Image.open(BytesIO(data)) as image:
            image = ImageOps.exif_transpose(image)
            if image_format == "JPEG" and image.mode not in ("RGB", "L"):
                image = image.convert("RGB")
            out = BytesIO()
            image.save(out, format=image_format, **({"quality": 90} if image_format != "PNG" else {}))
    except (OSError, ValueError, EOFError, Image.DecompressionBombError) as error:
        raise UploadRefused(_("The image could not be processed.")) from error
    return out.getvalue()
