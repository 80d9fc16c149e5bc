"""A page's HTML parsed for tests: every element with its attributes, its text and where it is."""

from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass(eq=False)
class Element:
    tag: str
    attrs: dict
    ancestors: tuple
    parts: list = field(default_factory=list)

    @property
    def text(self) -> str:
        """Its text and its descendants', spaces collapsed (as a reader sees it)."""
        return " ".join("".join(self.parts).split())


class Page(HTMLParser):
    def __init__(self, html: str):
        super().__init__()
        self.elements, self.open = [], []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        element = Element(tag, dict(attrs), tuple(self.open))
        self.elements.append(element)
        if tag not in VOID:
            self.open.append(element)

    def handle_endtag(self, tag):
        for depth in range(len(self.open) - 1, -1, -1):
            if self.open[depth].tag == tag:
                del self.open[depth:]
                return

    def handle_data(self, data):
        for element in self.open:
            element.parts.append(data)

    def find(self, tag: str, *, inside: Element | None = None, **attrs) -> list[Element]:
        """The `tag` elements (inside `inside`) with these attributes (class_ for class)."""
        wanted = {name.rstrip("_"): value for name, value in attrs.items()}
        return [
            element
            for element in self.elements
            if element.tag == tag
            and (inside is None or inside in element.ancestors)
            and all(element.attrs.get(name) == value for name, value in wanted.items())
        ]
