"""Jekyll/Hugo posts: Markdown files with YAML front matter, in and out.

`parse_post()` reads one file strictly and returns a `Post`, or raises
`PostError` with the line (or byte offset) of the problem. `format_post()`
writes a `Post` back in the same format, deterministically, so that
export → import → export gives the same bytes.
"""

import codecs
import hashlib
import math
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from datetime import timezone as dt_timezone
from pathlib import Path

import yaml
from django.conf import settings
from django.utils import timezone
from django.utils.text import slugify

from articles.transfer.strict_yaml import YAML_NAMES, PostError, construct, misread, plain, read_mapping

MAX_BYTES = 2 * 1024 * 1024
_OTHER_BOMS = [
    (codecs.BOM_UTF32_LE, "UTF-32"), (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"), (codecs.BOM_UTF16_BE, "UTF-16"),
]  # fmt: skip
POST_SUFFIXES = {".md", ".markdown"}
_DATE_PREFIX = re.compile(r"^(\d{4})-(\d{2})-(\d{2})-(.+)$")
_SLUG = re.compile(r"^[-\w]+$")
_TAG_COMMAS = re.compile("[,，、]")
_DELIMITER = "---"
KNOWN_KEYS = {
    "title", "date", "slug", "author", "authors", "categories", "category", "tags", "tag",
    "excerpt", "description", "permalink", "published", "draft", "image", "image_alt", "reading_time",
    "lang",
}  # fmt: skip


@dataclass
class Post:
    title: str
    date: datetime
    slug: str
    body: str
    authors: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    excerpt: str = ""
    permalink: str = ""
    published: bool = True
    image: str = ""
    image_alt: str = ""
    reading_time: int | None = None
    language: str = ""  # "ja" or "en" (front matter `lang`); empty: the site's
    extra: dict = field(default_factory=dict)
    source: str = ""  # the file's date and slug, when read from a file
    fingerprint: str = ""  # of the file's text, when read from a file

    @property
    def source_key(self) -> str:
        """The file's identity: the date of its name (else of its date) and its slug."""
        return self.source or f"{timezone.localtime(self.date):%Y-%m-%d}-{self.slug}"


# --- Reading ------------------------------------------------------------------


def parse_post(path: Path) -> Post:
    size = path.stat().st_size
    if size > MAX_BYTES:  # said before reading it all
        raise PostError(f"the file is {size:,} bytes; the limit is {MAX_BYTES:,}")
    return parse_post_bytes(path.read_bytes(), name=path.name)


def parse_post_bytes(data: bytes, *, name: str) -> Post:
    text = _decode(data)
    front, front_line, body = _split(text)
    fields = read_mapping(front, first_line=front_line)
    post = _post(fields, body=body, name=name)
    # The same text whatever its line endings or byte-order mark.
    post.fingerprint = hashlib.sha256(text.encode()).hexdigest()
    return post


def _decode(data: bytes) -> str:
    if not data.strip():
        raise PostError("the file is empty")
    if len(data) > MAX_BYTES:
        raise PostError(f"the file is {len(data):,} bytes; the limit is {MAX_BYTES:,}")
    for bom, encoding in _OTHER_BOMS:
        if data.startswith(bom):
            raise PostError(f"the file is {encoding}, not UTF-8; save it as UTF-8", offset=0)
    if b"\0" in data:
        raise PostError("the file contains a NUL byte", offset=data.index(b"\0"))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        bom = 3 if data.startswith(codecs.BOM_UTF8) else 0
        raise PostError("the file is not valid UTF-8", offset=error.start + bom) from error
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _split(text: str) -> tuple[str, int, str]:
    """Front matter text, the line it starts on, and the body."""
    lines = text.split("\n")
    if lines[0].strip() == "+++":
        raise PostError("TOML front matter (+++) is not supported; convert it to YAML (---)", line=1)
    if lines[0].rstrip() != _DELIMITER:
        raise PostError("no front matter: the file must start with a line '---'", line=1)
    for number, line in enumerate(lines[1:], start=2):
        if line.rstrip() in (_DELIMITER, "..."):
            body = "\n".join(lines[number:])
            return "\n".join(lines[1 : number - 1]), 2, body.removeprefix("\n")
    raise PostError("the front matter never closes: no second line '---'", line=1)


def _text(fields: dict, key: str) -> str | None:
    """A string value, or None when the key is absent; anything else is refused."""
    if key not in fields:
        return None
    node, line = fields[key].node, fields[key].line_of(fields[key].node)
    if isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:str":
        return unicodedata.normalize("NFC", node.value.strip())
    if node.tag == "tag:yaml.org,2002:null":  # `key:` with nothing after it
        return None
    raise PostError(f"'{key}' must be text, not {misread(node)}", line=line)


def _names(fields: dict, key: str, *, split) -> list[str]:
    """A list of strings, or one string split by `split`."""
    if key not in fields:
        return []
    entry = fields[key]
    if isinstance(entry.node, yaml.SequenceNode):
        names = [_text({key: entry._replace(node=item)}, key) for item in entry.node.value]
        return [n for n in names if n]
    return split(_text(fields, key) or "")


def _flag(fields: dict, key: str) -> bool | None:
    if key not in fields:
        return None
    node, line, _base = fields[key]
    if node.tag != "tag:yaml.org,2002:bool":
        raise PostError(f"'{key}' must be true or false, not {node.value!r}", line=line)
    return construct(node)


def _split_tags(text: str) -> list[str]:
    """Commas (, ， or 、) separate tags; without any, spaces do."""
    parts = _TAG_COMMAS.split(text) if _TAG_COMMAS.search(text) else text.split()
    return [p.strip() for p in parts if p.strip()]


def _unique(names: list[str]) -> list[str]:
    return list(dict.fromkeys(names))


def _post(fields: dict, *, body: str, name: str) -> Post:
    title = _text(fields, "title")
    if not title:
        raise PostError("the front matter has no title", line=_line(fields, "title"))
    stem_match = _DATE_PREFIX.match(Path(name).stem)
    when = _date(fields, stem_match)
    slug = (
        _text(fields, "slug")
        or (stem_match.group(4) if stem_match else "")
        or slugify(title, allow_unicode=True)
    )
    slug = unicodedata.normalize("NFC", slug)
    if not slug:
        raise PostError(
            "no slug can be made from the title; give one with 'slug:'", line=_line(fields, "title")
        )
    if not _SLUG.match(slug):
        raise PostError(
            f"the slug {slug!r} may hold only letters, digits, '-' and '_'", line=_line(fields, "slug")
        )
    day = "-".join(stem_match.groups()[:3]) if stem_match else f"{when:%Y-%m-%d}"
    published, draft = _flag(fields, "published"), _flag(fields, "draft")
    return Post(
        title=title,
        date=when,
        slug=slug,
        body=body,
        authors=_unique(_names(fields, "author", split=_one) + _names(fields, "authors", split=_one)),
        categories=_unique(
            _names(fields, "categories", split=str.split) + _names(fields, "category", split=str.split)
        ),
        tags=_unique(_names(fields, "tags", split=_split_tags) + _names(fields, "tag", split=_split_tags)),
        excerpt=_text(fields, "excerpt")
        or ("" if "excerpt" in fields else _text(fields, "description") or ""),
        permalink=_text(fields, "permalink") or "",
        published=published is not False and draft is not True,
        image=_text(fields, "image") or "",
        image_alt=_text(fields, "image_alt") or "",
        reading_time=_minutes(fields),
        language=_language(fields),
        extra=_extra(fields),
        source=f"{day}-{slug}",
    )


def _one(text: str) -> list[str]:
    return [text] if text else []


def _line(fields: dict, key: str) -> int | None:
    return fields[key].line if key in fields else None


def _date(fields: dict, stem_match) -> datetime:
    node, line, _base = fields.get("date", (None, None, None))
    if node is None or node.tag == "tag:yaml.org,2002:null":
        if not stem_match:
            raise PostError("there is no 'date', and the file name does not start with YYYY-MM-DD-")
        try:
            return _aware(datetime(*(int(g) for g in stem_match.groups()[:3])))
        except ValueError as error:
            raise PostError(f"the date in the file name is not a real date: {error}") from error
    if node.tag not in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:str"):
        raise PostError(
            f"'date' must be a date such as 2025-11-16 12:56:47 +0900, not {YAML_NAMES.get(node.tag, 'that')}"
            + (f" ({node.value!r})" if isinstance(node, yaml.ScalarNode) else ""),
            line=line,
        )
    return _aware(_parse_date_text(node.value, line))


# 2025-11-16, 2025-1-6, 2025-11-16 12:56, 2025-11-16T12:56:47.123+09:00, … +0000, … Z, … UTC
_DATE = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:[Tt ]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?"
    r"\s*(Z|UTC|GMT|[+-]\d{1,2}(?::?\d{2})?)?(?:\s+UTC)?"
)


def _parse_date_text(text: str, line: int) -> datetime:
    match = _DATE.fullmatch(text.strip())
    if not match:
        raise PostError(f"'date' is not a real date: {text!r}", line=line)
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    try:
        value = datetime(
            int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0),
            int((fraction or "0")[:6].ljust(6, "0")), tzinfo=_zone(zone),
        )  # fmt: skip
    except ValueError as error:
        raise PostError(f"'date' is not a real date: {text!r} ({error})", line=line) from error
    return value


def _zone(text: str | None):
    if not text:
        return None
    if text in ("Z", "UTC", "GMT"):
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = (int(digits[:-2]), int(digits[-2:])) if len(digits) > 2 else (int(digits), 0)
    if hours > 23 or minutes > 59:
        raise ValueError(f"offset {text} is out of range")
    return dt_timezone(sign * timedelta(hours=hours, minutes=minutes))


def _aware(value: datetime) -> datetime:
    # Naive dates are in the newsroom's time zone.
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def _language(fields: dict) -> str:
    """The `lang` of the front matter: one of the site's languages (settings.LANGUAGES)."""
    text = _text(fields, "lang")
    if not text:
        return ""
    code = text.strip().lower().replace("_", "-")
    known = dict(settings.LANGUAGES)
    for candidate in (code, code.split("-")[0]):  # "en-US" is English
        if candidate in known:
            return candidate
    raise PostError(
        f"'lang' must be one of {', '.join(sorted(known))}, not {text!r}", line=_line(fields, "lang")
    )


def _minutes(fields: dict) -> int | None:
    if "reading_time" not in fields:
        return None
    node, line, _base = fields["reading_time"]
    numeric = node.tag in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")
    value = construct(node, line) if numeric else None
    if not numeric or not math.isfinite(value):
        raise PostError(f"'reading_time' must be a number of minutes, not {node.value!r}", line=line)
    return round(value)


def _extra(fields: dict) -> dict:
    """Keys without a meaning of their own, kept as plain data exactly as written."""
    extra = {}
    for key, (node, _line_number, base) in fields.items():
        if key in KNOWN_KEYS and not (key == "description" and "excerpt" in fields):
            continue
        extra[key] = plain(node, base)
    return extra


def format_post(post: Post) -> str:
    """The file for `post`: front matter, a blank line, the body."""
    front = {}
    if "layout" in post.extra:
        front["layout"] = post.extra["layout"]
    front["title"] = post.title
    local = timezone.localtime(post.date)
    front["date"] = local.strftime("%Y-%m-%d %H:%M:%S.%f %z" if local.microsecond else "%Y-%m-%d %H:%M:%S %z")
    front["slug"] = post.slug
    if len(post.authors) == 1:
        front["author"] = post.authors[0]
    elif post.authors:
        front["authors"] = post.authors
    for key, values in (("categories", post.categories), ("tags", post.tags)):
        if values:
            front[key] = values
    optional = {"excerpt": post.excerpt, "image": post.image, "image_alt": post.image_alt}
    front.update({key: value for key, value in optional.items() if value})
    if not post.excerpt and "description" in post.extra:
        front["excerpt"] = ""  # else the description would become the excerpt when read back
    if post.permalink:
        front["permalink"] = post.permalink
    if not post.published:
        front["published"] = False
    if post.reading_time:
        front["reading_time"] = post.reading_time
    if post.language:
        front["lang"] = post.language
    front.update({k: v for k, v in post.extra.items() if k != "layout"})
    yaml_text = yaml.safe_dump(
        front, allow_unicode=True, sort_keys=False, default_flow_style=False, width=10_000
    )
    return f"{_DELIMITER}\n{yaml_text}{_DELIMITER}\n\n{post.body}"


def dump_extra(extra: dict) -> str:
    """Keep other front-matter keys as YAML text: in their order, exactly as read."""
    return yaml.safe_dump(extra, allow_unicode=True, sort_keys=False, width=10_000) if extra else ""


def load_extra(text: str) -> dict:
    return (yaml.safe_load(text) or {}) if text else {}


def file_name(post: Post) -> str:
    return f"{post.source_key}.md"


def find_posts(paths: list[Path]) -> list[Path]:
    """Files named on the command line, and the posts in folders below those named."""
    found = []
    for path in paths:
        if path.is_dir():
            found.extend(
                sorted(p for p in path.rglob("*") if p.suffix.lower() in POST_SUFFIXES and p.is_file())
            )
        else:
            found.append(path)
    return found
