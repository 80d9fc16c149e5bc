"""A page's HTML as a reader's browser reads it, for tests: its elements and links, each with where it
stands (inside the header, a nav, the footer…)."""

from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Drawn(HTMLParser):
    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[dict] = []  # {"tag", "attrs", "within"}
        self.links: list[dict] = []  # {"href", "text", "attrs", "within"}
        self._open: list[tuple[str, dict]] = []
        self._link: dict | None = None
        self.feed(html)
        self.close()

    def _within(self) -> set[str]:
        """The open elements around here: `footer`, `nav`, `.site-footer`, `#footer-about`."""
        names = set()
        for tag, attrs in self._open:
            names.add(tag)
            names.update(f".{name}" for name in (attrs.get("class") or "").split())
            if attrs.get("id"):
                names.add(f"#{attrs['id']}")
        return names

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.elements.append({"tag": tag, "attrs": attrs, "within": self._within()})
        if tag == "a":
            self._link = {"href": attrs.get("href"), "text": "", "attrs": attrs, "within": self._within()}
        if tag not in VOID:
            self._open.append((tag, attrs))

    def handle_endtag(self, tag):
        if tag == "a" and self._link is not None:
            self._link["text"] = self._link["text"].strip()
            self.links.append(self._link)
            self._link = None
        for depth in range(len(self._open) - 1, -1, -1):
            if self._open[depth][0] == tag:
                del self._open[depth:]
                break

    def handle_data(self, data):
        if self._link is not None:
            self._link["text"] += data

    def find(self, tag: str, within: str | None = None, **attrs) -> list[dict]:
        """The elements of `tag` (inside `within`) whose attributes include `attrs` (`class_` for class)."""
        wanted = {name.rstrip("_"): value for name, value in attrs.items()}
        return [
            element
            for element in self.elements
            if element["tag"] == tag
            and (within is None or within in element["within"])
            and all(element["attrs"].get(name) == value for name, value in wanted.items())
        ]

    def links_in(self, within: str) -> list[dict]:
        return [link for link in self.links if within in link["within"]]
