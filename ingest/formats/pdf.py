"""PDF files: the text layer of each page, within the parse limits.

Needs the pdf extra (pypdf); without it, reading a PDF says which extra to install.
"""

from __future__ import annotations

from pathlib import Path

from ingest.errors import DocumentParseError, FileOverLimit
from ingest.extras import needs_extra
from ingest.limits import ParseBudget
from ingest.settings import ParseLimits

__all__ = ["extract_pdf"]


def extract_pdf(path: Path, limits: ParseLimits) -> tuple[str, str | None]:
    """Text of a PDF's pages, separated by blank lines; refuses scans without a text layer."""
    with needs_extra("pdf", f"{path}: reading PDF files"):
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
