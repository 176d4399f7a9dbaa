"""Read corpus files from disk into normalized `Document`s: the format chosen by suffix.

Every failure a user can cause (missing path, unsupported type, broken file, a format whose
extra is not installed) becomes a `ComplyqaError` naming the file, so the pipeline can report
it and continue with the other files. Which files to read is `ingest.discovery`'s job
(`discover_files`); how each format is read, `ingest.formats`'.
"""

from __future__ import annotations

from pathlib import Path

from ingest.discovery import SUPPORTED_SUFFIXES, relative_id, unsupported
from ingest.documents import build_document, file_metadata
from ingest.errors import DocumentParseError, UnreadablePath
from ingest.formats import EXTRACTORS
from ingest.formats.passages import PASSAGE_SUFFIXES, load_passages
from ingest.formats.text import extract_text
from ingest.models import Document
from ingest.normalize import normalize_text
from ingest.settings import ParseLimits

__all__ = ["load_file"]


def load_file(path: Path, root: Path, *, limits: ParseLimits | None = None) -> list[Document]:
    """Load one corpus file as normalized documents (one, or several for passage files).

    The document id is the file's POSIX path relative to `root`, the stable name that chunks,
    citations and the manifest all use. `limits` bound what reading it may cost (defaults:
    `ParseLimits()`); to parse an untrusted file, use `ingest.sandbox.load_untrusted`.
    """
    limits = limits or ParseLimits()
    if not path.is_file():
        raise UnreadablePath(f"{path}: no such file. Check the path and try again.")
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise unsupported(path)
    doc_id = relative_id(path, root) or path.name
    try:
        if suffix in PASSAGE_SUFFIXES:
            return load_passages(path, doc_id, file_metadata(path, {}), limits)
        title_hint: str | None = None
        if suffix in EXTRACTORS:
            raw, title_hint = EXTRACTORS[suffix](path, limits)
            front: dict[str, str] = {}
        else:
            raw, front = extract_text(path, limits)
    except OSError as exc:
        raise UnreadablePath(f"{path}: cannot read the file ({exc.strerror}).") from exc
    text = normalize_text(raw)
    if not text:
        raise DocumentParseError(f"{path}: the file contains no text.")
    meta = file_metadata(path, front)
    return [build_document(doc_id, text, meta, title_hint=title_hint, source_path=str(path))]
