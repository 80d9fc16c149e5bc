"""Tag names: one tag for ＡＩ, AI and ai; separators a Japanese editor types."""

import re
import unicodedata

_SEPARATORS = re.compile(r"[,、\n]")


def normalize_tag_name(name: str) -> str:
    """Fold full-width forms (NFKC) and stray spaces: ＡＩ becomes AI."""
    return " ".join(unicodedata.normalize("NFKC", name).split())


def tag_key(name: str) -> str:
    """What makes two names one tag: the folded name, without regard to case."""
    return normalize_tag_name(name).casefold()


def parse_tags(text: str) -> list[str]:
    """Tags as typed in the admin: separated by commas (, ， or 、); spaces stay inside a name."""
    names: dict[str, str] = {}
    for part in _SEPARATORS.split(normalize_tag_name(text or "").replace(" ,", ",")):
        name = normalize_tag_name(part)
        if name:
            names.setdefault(tag_key(name), name)
    return list(names.values())


def format_tags(tags) -> str:
    """The text the admin shows for a list of tags, read back by parse_tags()."""
    return ", ".join(sorted((tag.name for tag in tags), key=str.casefold))
