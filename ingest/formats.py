"""Text out of HTML, PDF and Word files, each within the parse limits (`ParseLimits`).

An extractor returns the raw text (normalized later, in one place) and a title if the file
names one. Limits are checked before the expensive step where possible (archive sizes before
unpacking, page counts before extracting) and counted while extracting otherwise.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from ingest.errors import DocumentParseError, FileOverLimit
from ingest.html_text import TooDeep, html_text
from ingest.limits import ParseBudget, check_zip
from ingest.settings import ParseLimits

log = logging.getLogger(__name__)

#: libxml2, under trafilatura, stops building the tree this deep; deeper pages lose text.
LIBXML_DEPTH = 250


def read_text(path: Path) -> str:
    """Decode a text file: UTF-8 first, then whatever encoding charset_normalizer detects."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        from charset_normalizer import from_bytes
    except ImportError as exc:  # pragma: no cover - optional: comes with most installs
        raise DocumentParseError(
            f"{path}: the file is not UTF-8. Save it as UTF-8 and ingest it again."
        ) from exc
    best = from_bytes(data).best()
    if best is None:
        raise DocumentParseError(
            f"{path}: the file is not UTF-8 and its encoding could not be detected. "
            "Save it as UTF-8 and ingest it again."
        )
    log.info("%s: decoded as %s", path, best.encoding)
    return str(best)


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


def extract_pdf(path: Path, limits: ParseLimits) -> tuple[str, str | None]:
    """Text of a PDF's pages, separated by blank lines; refuses scans without a text layer."""
    from pypdf import PdfReader
    from pypdf.errors import LimitReachedError, PdfReadError

    budget = ParseBudget(path, limits)
    try:
        reader = PdfReader(path)
        if reader.is_encrypted and not reader.decrypt(""):
            raise DocumentParseError(f"{path}: the PDF is password-protected; remove it first.")
        budget.check_pages(len(reader.pages))
        pages = []
        for page in reader.pages:
            text = (page.extract_text() or "").strip()
            budget.add(text)
            pages.append(text)
        title = reader.metadata.title if reader.metadata else None
    except LimitReachedError as exc:
        # pypdf's own guards: streams that inflate too far, trees too deep or too large.
        raise FileOverLimit(
            f"{path}: the PDF is built to exhaust a reader ({exc}). Print it to a new PDF, "
            "or save it as text."
        ) from exc
    except (PdfReadError, ValueError, KeyError) as exc:
        raise DocumentParseError(f"{path}: not a readable PDF ({exc}).") from exc
    text = "\n\n".join(p for p in pages if p)
    if not text.strip():
        raise DocumentParseError(
            f"{path}: the PDF has no extractable text; it may be a scanned image. "
            "Run OCR on it (e.g. ocrmypdf) and ingest the result."
        )
    return text, str(title) if title else None


def extract_docx(path: Path, limits: ParseLimits) -> tuple[str, str | None]:
    """Text of a Word document, headings turned into markdown `#` lines for the splitter."""
    import docx
    from docx.table import Table

    check_zip(path, limits)
    budget = ParseBudget(path, limits)
    try:
        document = docx.Document(str(path))
    except Exception as exc:  # python-docx raises zipfile, KeyError, lxml errors...
        raise DocumentParseError(f"{path}: not a readable .docx file ({exc}).") from exc
    budget.check_time()
    lines: list[str] = []
    # With a Title paragraph present, it is the only "#" and Heading N moves one level down, so
    # the document's name never looks like its first section.
    paragraphs = document.paragraphs
    budget.check_paragraphs(len(paragraphs))
    shift = int(any(p.style is not None and p.style.name == "Title" for p in paragraphs))
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            for row in block.rows:
                line = " | ".join(c.text.strip() for c in row.cells)
                budget.add(line)
                lines.append(line)
            continue
        budget.add(block.text)
        style = (block.style.name if block.style is not None else "") or ""
        level = style[7:].strip()
        if style == "Title":
            lines.append("# " + block.text.strip())
        elif style.startswith("Heading") and level.isdigit():
            lines.append("#" * min(int(level) + shift, 6) + " " + block.text.strip())
        else:
            lines.append(block.text.strip())
    title = document.core_properties.title or None
    return "\n\n".join(ln for ln in lines if ln.strip("# |")), title


Extractor = Callable[[Path, ParseLimits], tuple[str, str | None]]
EXTRACTORS: dict[str, Extractor] = {
    ".html": extract_html, ".htm": extract_html, ".pdf": extract_pdf, ".docx": extract_docx,
}  # fmt: skip
