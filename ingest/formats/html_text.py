"""Plain text of an HTML page in one streaming pass, at any nesting depth, and that depth.

The main-content extractor (trafilatura, on libxml2) silently stops building the tree 255
elements deep, so a paragraph inside 500 nested `<div>`s vanished and the page was refused as
empty. This pass keeps no tree: it reads tags as a stream, keeps block boundaries as
paragraph breaks, drops scripts and styles, and measures how deep elements nest.
"""

from __future__ import annotations

from dataclasses import dataclass
from html.parser import HTMLParser

#: Elements that end a paragraph of text.
BLOCKS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "br",
        "caption",
        "dd",
        "div",
        "dl",
        "dt",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "td",
        "th",
        "tr",
        "ul",
    ]
)
#: Elements that never have content, or whose end tag HTML lets authors leave out; they do
#: not count toward depth, or sloppy pages full of unclosed `<p>`s would look deep.
FLAT = frozenset(
    [
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "param",
        "source",
        "track",
        "wbr",
        "p",
        "li",
        "dt",
        "dd",
        "tr",
        "td",
        "th",
        "thead",
        "tbody",
        "tfoot",
        "option",
        "optgroup",
        "colgroup",
        "caption",
        "rb",
        "rt",
        "rp",
    ]
)
SKIPPED = frozenset({"script", "style", "noscript", "template", "title"})


@dataclass(frozen=True)
class HtmlText:
    text: str
    title: str | None
    max_depth: int


class TooDeep(Exception):
    """Elements nest deeper than allowed; reading stopped there."""


class _Reader(HTMLParser):
    def __init__(self, max_depth: int) -> None:
        super().__init__(convert_charrefs=True)
        self.limit = max_depth
        self.parts: list[str] = []
        self.title: list[str] = []
        self.stack: list[str] = []
        self.max_depth = 0
        self.skipping: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIPPED:
            self.skipping = tag
        if tag in BLOCKS:
            self.parts.append("\n\n")
        if tag not in FLAT:
            self.stack.append(tag)
            self.max_depth = max(self.max_depth, len(self.stack))
            if self.max_depth > self.limit:
                # Stop at once: closing tags search the stack, so depth must stay bounded.
                raise TooDeep(self.max_depth)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in BLOCKS:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == self.skipping:
            self.skipping = None
        if tag in BLOCKS:
            self.parts.append("\n\n")
        if tag in self.stack:
            # Close the element and any left open inside it, as a browser would.
            while self.stack and self.stack.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        if self.skipping == "title":
            self.title.append(data)
        elif self.skipping is None:
            self.parts.append(data)


def html_text(page: str, max_depth: int) -> HtmlText:
    """The page's visible text (blocks separated by blank lines), its title and its depth;
    `TooDeep` once elements nest deeper than `max_depth`."""
    reader = _Reader(max_depth)
    reader.feed(page)
    reader.close()
    title = " ".join("".join(reader.title).split()) or None
    return HtmlText("".join(reader.parts), title, reader.max_depth)
