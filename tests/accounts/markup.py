"""A small HTML reader for page assertions (the standard library's parser; no dependency): the elements of a page
with their attributes, text and ancestors, so tests can say "the input named login carries aria-invalid" rather
than match strings."""

from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    parent: "Element | None" = None
    children: list["Element | str"] = field(default_factory=list)

    @property
    def text(self) -> str:
        parts = [child if isinstance(child, str) else child.text for child in self.children]
        return " ".join(" ".join(parts).split())

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def ancestors(self) -> list["Element"]:
        found, node = [], self.parent
        while node is not None:
            found.append(node)
            node = node.parent
        return found

    def find_all(self, tag: str | None = None, *, cls: str | None = None, **attrs: str) -> list["Element"]:
        found = []
        for child in self.children:
            if isinstance(child, str):
                continue
            if (
                (tag is None or child.tag == tag)
                and (cls is None or cls in child.classes)
                and all(child.attrs.get(name.rstrip("_").replace("_", "-")) == value for name, value in attrs.items())
            ):
                found.append(child)
            found.extend(child.find_all(tag, cls=cls, **attrs))
        return found

    def find(self, tag: str | None = None, *, cls: str | None = None, **attrs: str) -> "Element":
        found = self.find_all(tag, cls=cls, **attrs)
        assert found, f"no <{tag or '*'}> with class={cls!r} {attrs} in the page"
        return found[0]

    def by_id(self, element_id: str) -> "Element":
        return self.find(id=element_id)


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("document", {})
        self.current = self.root

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {name: value or "" for name, value in attrs}, self.current)
        self.current.children.append(element)
        if tag not in VOID:
            self.current = element

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.current.children.append(Element(tag, {name: value or "" for name, value in attrs}, self.current))

    def handle_endtag(self, tag: str) -> None:
        node: Element | None = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data: str) -> None:
        self.current.children.append(data)


def page(html: bytes | str) -> Element:
    reader = _Reader()
    reader.feed(html.decode() if isinstance(html, bytes) else html)
    return reader.root
