"""Web pages (.html, .htm): the main text as markdown, within the parse limits.

Needs the html extra (trafilatura); without it, reading a page says which extra to install.
The page's size and nesting depth are checked first, by a streaming pass that needs no extra
(`html_text`), whose plain text is also the fallback when trafilatura finds nothing.
"""

from __future__ import annotations

from pathlib import Path

from ingest.errors import FileOverLimit
from ingest.extras import needs_extra
from ingest.formats.html_text import TooDeep, html_text
from ingest.formats.text import read_text
from ingest.limits import ParseBudget
from ingest.settings import ParseLimits

__all__ = ["LIBXML_DEPTH", "extract_html"]

#: libxml2, under trafilatura, stops building the tree this deep; deeper pages lose text.
LIBXML_DEPTH = 250


def extract_html(path: Path, limits: ParseLimits) -> tuple[str, str | None]:
    """Main text of a web page as markdown (headings kept, navigation and boilerplate
    dropped); the page's plain text when the main-content extractor finds nothing."""
    size = path.stat().st_size
    if size > limits.max_html_bytes:
        raise FileOverLimit(
            f"{path}: {size:,} bytes of HTML, over the limit of {limits.max_html_bytes:,} "
            "(setting parse.max_html_bytes). Save the page's main part, or split it."
        )
    page = read_text(path)
    try:
        plain = html_text(page, limits.max_html_depth)
    except TooDeep as exc:
        raise FileOverLimit(
            f"{path}: elements nest more than {limits.max_html_depth:,} deep (setting "
            f"parse.max_html_depth; reached {exc.args[0]:,}). Save the page as plain text."
        ) from exc
    budget = ParseBudget(path, limits)
    budget.check_text(plain.text)
    if plain.max_depth <= LIBXML_DEPTH:
        with needs_extra("html", f"{path}: reading HTML files"):
            import trafilatura

        text = trafilatura.extract(
            page, output_format="markdown", include_formatting=True, include_tables=True
        )
        meta = trafilatura.extract_metadata(page)
        title = meta.title if meta is not None and meta.title else plain.title
        if text and text.strip():
            return text, title
    budget.check_time()
    # trafilatura gives up on very short, unusual or deep pages; plain text beats losing them.
    return plain.text, plain.title
