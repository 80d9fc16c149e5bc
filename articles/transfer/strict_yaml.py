"""Strict YAML for front matter: one mapping, no repeated keys, no aliases,
and no value that YAML 1.1 reads differently from what was written.

Errors carry the line of the file they were found on.
"""

import math
import re
import unicodedata
from typing import NamedTuple

import yaml

MAX_DEPTH = 20


# YAML reads these as line ends, which would shift line numbers and change text.
_YAML_LINE_BREAKS = re.compile("[\u0085\u2028\u2029]")


YAML_NAMES = {
    "tag:yaml.org,2002:bool": "a boolean",
    "tag:yaml.org,2002:int": "a number",
    "tag:yaml.org,2002:float": "a number",
    "tag:yaml.org,2002:null": "empty (null)",
    "tag:yaml.org,2002:timestamp": "a date",
    "tag:yaml.org,2002:seq": "a list",
    "tag:yaml.org,2002:map": "a mapping",
}
# Keys with a meaning of their own; every other key is kept as it is.


class Field(NamedTuple):
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


def read_mapping(text: str, *, first_line: int) -> dict:
    """Parse YAML strictly: one mapping, no repeated keys, no aliases."""
    odd = _YAML_LINE_BREAKS.search(text)
    if odd:
        line = first_line + text.count("\n", 0, odd.start())
        raise PostError(
            f"the front matter holds a Unicode line separator (U+{ord(odd.group()):04X})", line=line
        )
    try:
        node = yaml.CSafeLoader(text).get_single_node()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = first_line + mark.line if mark else None
        raise PostError(f"the front matter is not valid YAML: {error.problem or error}", line=line) from error
    except yaml.reader.ReaderError as error:
        # A character YAML does not accept at all (a control character): its position is a count
        # of characters, not a line.
        line = first_line + text.count("\n", 0, error.position)
        code = error.character if isinstance(error.character, int) else ord(str(error.character)[:1] or "?")
        raise PostError(
            f"the front matter holds a character YAML does not accept (U+{code:04X})", line=line
        ) from error
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
        fields[key_node.value] = Field(value_node, line, first_line)
    return fields


def _refuse_aliases(node, seen: set, first_line: int, depth: int = 0) -> None:
    """Walk the tree: no node twice (an alias), no key twice in a mapping, not too deep."""
    line = first_line + node.start_mark.line
    if id(node) in seen:
        raise PostError("YAML aliases (*name) are not allowed", line=line)
    if depth > MAX_DEPTH:
        raise PostError(f"the front matter is nested more than {MAX_DEPTH} levels deep", line=line)
    seen.add(id(node))
    children = node.value if isinstance(node, yaml.SequenceNode) else []
    if isinstance(node, yaml.MappingNode):
        names = set()
        for key, _value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value in names:
                raise PostError(f"the key '{key.value}' appears twice", line=first_line + key.start_mark.line)
            names.add(getattr(key, "value", None) if isinstance(key, yaml.ScalarNode) else id(key))
        children = [child for pair in node.value for child in pair]
    for child in children:
        _refuse_aliases(child, seen, first_line, depth + 1)


def construct(node, line: int | None = None):
    """Build the Python value of a node; a value YAML cannot build is the file's fault."""
    try:
        return yaml.CSafeLoader("").construct_object(node, deep=True)
    except (yaml.YAMLError, ValueError, TypeError, KeyError, AttributeError, OverflowError) as error:
        raise PostError(f"the value {node.value!r} cannot be read ({error})", line=line) from error


def misread(node) -> str:
    """What YAML made of a value, and how to keep it as written."""
    what = YAML_NAMES.get(node.tag, f"a value tagged {node.tag}")
    if not isinstance(node, yaml.ScalarNode):
        return what
    try:
        value = construct(node)
    except PostError:
        return f"{what}, which YAML cannot read from {node.value!r}"
    return f"{what}: YAML reads {node.value!r} as {value!r}; put it in quotes to keep it as written"


_CANONICAL = {
    "tag:yaml.org,2002:bool": re.compile(r"true|false|True|False|TRUE|FALSE"),
    "tag:yaml.org,2002:int": re.compile(r"[-+]?(0|[1-9][0-9]*)"),
    "tag:yaml.org,2002:float": re.compile(r"[-+]?([0-9]+\.[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?"),
}


def _scalar(node, line: int):
    """A scalar that reads the same in every YAML: text, null, true/false, plain numbers.

    YAML 1.1 forms that others read differently (on, 012, 1_000, 12:30, .nan)
    are refused; a date is kept as the text it was written as.
    """
    if node.tag in ("tag:yaml.org,2002:str", "tag:yaml.org,2002:timestamp"):
        return unicodedata.normalize("NFC", node.value)
    if node.tag == "tag:yaml.org,2002:null":
        return None
    pattern = _CANONICAL.get(node.tag)
    if pattern is None or not pattern.fullmatch(node.value):
        raise PostError(f"the value {node.value!r} is {misread(node)}", line=line)
    value = construct(node, line)
    if isinstance(value, float) and not math.isfinite(value):
        raise PostError(f"the value {node.value!r} is not a finite number", line=line)
    return value


def plain(node, base: int):
    line = base + node.start_mark.line
    if isinstance(node, yaml.ScalarNode):
        return _scalar(node, line)
    if isinstance(node, yaml.SequenceNode) and node.tag == "tag:yaml.org,2002:seq":
        return [plain(item, base) for item in node.value]
    if isinstance(node, yaml.MappingNode) and node.tag == "tag:yaml.org,2002:map":
        return {str(plain(key, base)): plain(value, base) for key, value in node.value}
    raise PostError(f"YAML {node.tag.rsplit(':', 1)[-1]} values are not supported here", line=line)


# --- Writing ------------------------------------------------------------------
