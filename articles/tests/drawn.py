"""A page's HTML as a reader's browser reads it, for tests: its elements and links, each with where it
stands (inside the header, a nav, the footer…), read by html.Page."""

from articles.tests.html import Element, Page


def names(element: Element) -> set[str]:
    """What a test calls an element by: `footer`, `.site-footer`, `#footer-about`."""
    found = {element.tag, *(f".{name}" for name in (element.attrs.get("class") or "").split())}
    if element.attrs.get("id"):
        found.add(f"#{element.attrs['id']}")
    return found


class Drawn:
    def __init__(self, html: str):
        page = Page(html)
        self.elements = [self.drawn(element) for element in page.elements]  # {"tag", "attrs", "within"}
        self.links = [  # {"href", "text", "attrs", "within"}
            {**self.drawn(element), "href": element.attrs.get("href"), "text": element.text}
            for element in page.elements
            if element.tag == "a"
        ]

    @staticmethod
    def drawn(element: Element) -> dict:
        within = set().union(*(names(ancestor) for ancestor in element.ancestors))
        return {"tag": element.tag, "attrs": element.attrs, "within": within}

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
