"""Jekyll/Hugo posts: Markdown files with YAML front matter, in and out.

`parse_post()` reads one file strictly and returns a `Post`, or raises
`PostError` with the line (or byte offset) of the problem. `format_post()`
writes a `Post` back in the same format, deterministically, so that
export → import → export gives the same bytes.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import NamedTuple

import yaml
from django.utils import timezone
from django.utils.text import slugify

MAX_BYTES = 2 * 1024 * 1024
POST_SUFFIXES = {".md", ".markdown"}
_DATE_PREFIX = re.compile(r"^(\d{4})-(\d{2})-(\d{2})-(.+)$")
_SLUG = re.compile(r"^[-\w]+$")
_DELIMITER = "---"
_DATE_FORMATS = ["%Y-%m-%d %H:%M:%S %z", "%Y-%m-%d %H:%M %z", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"]
_YAML_NAMES = {
    "tag:yaml.org,2002:bool": "a boolean",
    "tag:yaml.org,2002:int": "a number",
    "tag:yaml.org,2002:float": "a number",
    "tag:yaml.org,2002:null": "empty (null)",
    "tag:yaml.org,2002:timestamp": "a date",
    "tag:yaml.org,2002:seq": "a list",
    "tag:yaml.org,2002:map": "a mapping",
}
# Keys with a meaning of their own; every other key is kept as it is.
KNOWN_KEYS = {
    "title", "date", "slug", "author", "authors", "categories", "category", "tags", "tag",
    "excerpt", "description", "permalink", "published", "draft", "image", "image_alt", "reading_time",
}  # fmt: skip


class _Field(NamedTuple):
    node: yaml.Node
    line: int  # of the key, 1-based in the file
    base: int  # the file line where the front matter starts

    def line_of(self, node) -> int:
        return self.base + node.start_mark.line


class PostError(ValueError):
    """A file that cannot be imported; `line` is 1-based when known."""

    def __init__(self, message: str, *, line: int | None = None, offset: int | None = None):
        super().__init__(message)
        self.line, self.offset = line, offset

    def where(self, path) -> str:
        if self.line:
            return f"{path}:{self.line}"
        if self.offset is not None:
            return f"{path}: byte {self.offset}"
        return str(path)


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
    extra: dict = field(default_factory=dict)

    @property
    def source_key(self) -> str:
        """The file's identity: its date and slug."""
        return f"{timezone.localtime(self.date):%Y-%m-%d}-{self.slug}"


# --- Reading ------------------------------------------------------------------


def parse_post(path: Path) -> Post:
    data = path.read_bytes()
    return parse_post_bytes(data, name=path.name)


def parse_post_bytes(data: bytes, *, name: str) -> Post:
    text = _decode(data)
    front, front_line, body = _split(text)
    fields = _front_matter(front, first_line=front_line)
    return _post(fields, body=body, name=name)


def _decode(data: bytes) -> str:
    if not data.strip():
        raise PostError("the file is empty")
    if len(data) > MAX_BYTES:
        raise PostError(f"the file is {len(data):,} bytes; the limit is {MAX_BYTES:,}")
    if b"\0" in data:
        raise PostError("the file contains a NUL byte", offset=data.index(b"\0"))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise PostError("the file is not valid UTF-8", offset=error.start) from error
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


def _front_matter(text: str, *, first_line: int) -> dict:
    """Parse YAML strictly: one mapping, no repeated keys, no aliases."""
    try:
        node = yaml.CSafeLoader(text).get_single_node()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = first_line + mark.line if mark else None
        raise PostError(f"the front matter is not valid YAML: {error.problem or error}", line=line) from error
    if node is None:
        raise PostError("the front matter is empty", line=first_line)
    if not isinstance(node, yaml.MappingNode):
        raise PostError("the front matter is not a mapping of keys to values", line=first_line)
    _refuse_aliases(node, set(), first_line)
    fields = {}
    for key_node, value_node in node.value:
        line = first_line + key_node.start_mark.line
        if not isinstance(key_node, yaml.ScalarNode) or key_node.tag != "tag:yaml.org,2002:str":
            raise PostError(f"the key {key_node.value!r} is not a plain name", line=line)
        if key_node.value in fields:
            raise PostError(f"the key '{key_node.value}' appears twice", line=line)
        fields[key_node.value] = _Field(value_node, line, first_line)
    return fields


def _refuse_aliases(node, seen: set, first_line: int) -> None:
    # An alias makes the composer hand back the same node object twice.
    if id(node) in seen:
        raise PostError("YAML aliases (*name) are not allowed", line=first_line + node.start_mark.line)
    seen.add(id(node))
    children = node.value if isinstance(node, yaml.SequenceNode) else []
    if isinstance(node, yaml.MappingNode):
        children = [child for pair in node.value for child in pair]
    for child in children:
        _refuse_aliases(child, seen, first_line)


def _construct(node):
    return yaml.CSafeLoader("").construct_object(node, deep=True)


def _text(fields: dict, key: str) -> str | None:
    """A string value, or None when the key is absent; anything else is refused."""
    if key not in fields:
        return None
    node, line = fields[key].node, fields[key].line_of(fields[key].node)
    if isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:str":
        return node.value.strip()
    if node.tag == "tag:yaml.org,2002:null":  # `key:` with nothing after it
        return None
    raise PostError(f"'{key}' must be text, not {_misread(node)}", line=line)


def _misread(node) -> str:
    """What YAML made of a value, and how to keep it as written."""
    what = _YAML_NAMES.get(node.tag, "not text")
    if not isinstance(node, yaml.ScalarNode):
        return what
    try:
        value = _construct(node)
    except ValueError:
        return f"{what} (YAML reads {node.value!r} as {what}); put it in quotes"
    return f"{what}: YAML reads {node.value!r} as {value!r}; put it in quotes to keep it as written"


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
    return _construct(node)


def _split_tags(text: str) -> list[str]:
    parts = text.split(",") if "," in text else text.split()
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
    if not _SLUG.match(slug):
        raise PostError(
            f"the slug {slug!r} may hold only letters, digits, '-' and '_'", line=_line(fields, "slug")
        )
    published = _flag(fields, "published")
    draft = _flag(fields, "draft")
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
        extra=_extra(fields),
    )


def _one(text: str) -> list[str]:
    return [text] if text else []


def _line(fields: dict, key: str) -> int | None:
    return fields[key].line if key in fields else None


def _date(fields: dict, stem_match) -> datetime:
    if "date" not in fields:
        if not stem_match:
            raise PostError("there is no 'date', and the file name does not start with YYYY-MM-DD-")
        try:
            return _aware(datetime(*(int(g) for g in stem_match.groups()[:3])))
        except ValueError as error:
            raise PostError(f"the date in the file name is not a real date: {error}") from error
    node, line, _base = fields["date"]
    if node.tag == "tag:yaml.org,2002:timestamp":
        try:
            value = _construct(node)
        except ValueError as error:
            raise PostError(f"'date' is not a real date: {node.value!r} ({error})", line=line) from error
        return _aware(value if isinstance(value, datetime) else datetime.combine(value, time()))
    if node.tag != "tag:yaml.org,2002:str":
        raise PostError(
            f"'date' must be a date such as 2025-11-16 12:56:47 +0900, not {node.value!r}"
            f" (YAML reads it as {_YAML_NAMES.get(node.tag, 'something else')})",
            line=line,
        )
    return _aware(_parse_date_text(node.value, line))


def _parse_date_text(text: str, line: int) -> datetime:
    text = text.strip()
    for pattern in _DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern)
        except ValueError:
            continue
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        pass
    try:
        return datetime.combine(date.fromisoformat(text), time())
    except ValueError as error:
        raise PostError(f"'date' is not a real date: {text!r}", line=line) from error


def _aware(value: datetime) -> datetime:
    # Naive dates are in the newsroom's time zone.
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def _minutes(fields: dict) -> int | None:
    if "reading_time" not in fields:
        return None
    node, line, _base = fields["reading_time"]
    if node.tag not in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float"):
        raise PostError(f"'reading_time' must be a number of minutes, not {node.value!r}", line=line)
    return round(_construct(node))


def _extra(fields: dict) -> dict:
    """Keys without a meaning of their own, kept as plain data (dates as text)."""
    extra = {}
    for key, (node, _line, _base) in fields.items():
        if key in KNOWN_KEYS and not (key == "description" and "excerpt" in fields):
            continue
        extra[key] = _plain(_construct(node))
    return extra


def _plain(value):
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_plain(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", "backslashreplace")
    return value


# --- Writing ------------------------------------------------------------------


def format_post(post: Post) -> str:
    """The file for `post`: front matter, a blank line, the body."""
    front = {}
    if "layout" in post.extra:
        front["layout"] = post.extra["layout"]
    front["title"] = post.title
    front["date"] = timezone.localtime(post.date).strftime("%Y-%m-%d %H:%M:%S %z")
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
    if post.permalink:
        front["permalink"] = post.permalink
    if not post.published:
        front["published"] = False
    if post.reading_time:
        front["reading_time"] = post.reading_time
    front.update({k: v for k, v in post.extra.items() if k != "layout"})
    yaml_text = yaml.safe_dump(
        front, allow_unicode=True, sort_keys=False, default_flow_style=False, width=10_000
    )
    return f"{_DELIMITER}\n{yaml_text}{_DELIMITER}\n\n{post.body}"


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
