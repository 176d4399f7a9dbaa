"""One module per file format, each turning a file into raw text within the parse limits.

`text` (.txt, .md) and `passages` (.json, .jsonl) need only the core install; `html`, `pdf`
and `docx` each need their extra, imported when a file of that type is read, so a core
install still imports this package and a missing extra fails that one file with a message
naming it (`ingest.extras`). Limits are checked before the expensive step where possible
(archive sizes before unpacking, page counts before extracting) and counted while extracting
otherwise. Text comes back raw: it is normalized later, in one place.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ingest.formats.docx import extract_docx
from ingest.formats.html import extract_html
from ingest.formats.pdf import extract_pdf
from ingest.settings import ParseLimits

__all__ = ["EXTRACTORS", "Extractor"]

#: Reads a file's raw text and the title the file names, if any.
Extractor = Callable[[Path, ParseLimits], tuple[str, str | None]]

#: The formats read by a library of their own (each in an extra), by file suffix.
EXTRACTORS: dict[str, Extractor] = {
    ".html": extract_html, ".htm": extract_html, ".pdf": extract_pdf, ".docx": extract_docx,
}  # fmt: skip
