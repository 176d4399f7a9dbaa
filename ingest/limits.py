"""Checks that keep one file's parse bounded: archive sizes before unpacking, and a budget of
characters, paragraphs and time spent while extracting.

Every check raises `FileOverLimit` naming the file, the limit and the setting that sets it,
so a refused upload says what to do. They run in whatever process parses; the sandbox adds
the hard limits (a kill on time, an address-space cap) that cooperative checks cannot give.
"""

from __future__ import annotations

import time
import zipfile
from pathlib import Path

from ingest.errors import DocumentParseError, FileOverLimit
from ingest.settings import ParseLimits

#: Members smaller than this may compress arbitrarily well (styles, repeated markup).
RATIO_FLOOR_BYTES = 1024 * 1024


def check_zip(path: Path, limits: ParseLimits) -> None:
    """Refuse an archive (.docx) whose contents would inflate past the limits, before reading."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise DocumentParseError(f"{path}: not a readable .docx file ({exc}).") from exc
    if len(members) > limits.max_zip_members:
        raise FileOverLimit(
            f"{path}: the archive holds {len(members):,} files, over the limit of "
            f"{limits.max_zip_members:,} (setting parse.max_zip_members); it is not a normal "
            "document. Save it again from your editor, or split it."
        )
    total = sum(m.file_size for m in members)
    if total > limits.max_unzipped_bytes:
        raise FileOverLimit(
            f"{path}: unpacks to {_mb(total)}, over the limit of {_mb(limits.max_unzipped_bytes)}"
            " (setting parse.max_unzipped_bytes). Split the document, or save it as PDF or text."
        )
    for m in members:
        ratio = m.file_size / max(m.compress_size, 1)
        if m.file_size > RATIO_FLOOR_BYTES and ratio > limits.max_zip_ratio:
            raise FileOverLimit(
                f"{path}: member {m.filename} inflates {ratio:,.0f}-fold "
                f"({_mb(m.compress_size)} to {_mb(m.file_size)}), over the limit of "
                f"{limits.max_zip_ratio:,.0f} (setting parse.max_zip_ratio); this is how a "
                "decompression bomb looks. Save the document again from your editor."
            )


class ParseBudget:
    """Counts what one file's extraction has produced and how long it has run."""

    def __init__(self, path: Path, limits: ParseLimits) -> None:
        self.path = path
        self.limits = limits
        self.chars = 0
        self.paragraphs = 0
        self._deadline = time.monotonic() + limits.seconds

    def add(self, text: str) -> None:
        """Account for one extracted paragraph (or page, or row)."""
        self.chars += len(text)
        self.paragraphs += 1
        if self.chars > self.limits.max_chars:
            raise FileOverLimit(
                f"{self.path}: holds more than {self.limits.max_chars:,} characters of text "
                "(setting parse.max_chars). Split it into several files."
            )
        self.check_paragraphs(self.paragraphs)
        if self.paragraphs % 256 == 0:
            self.check_time()

    def check_paragraphs(self, count: int) -> None:
        if count > self.limits.max_paragraphs:
            raise FileOverLimit(
                f"{self.path}: holds {count:,} paragraphs, over the limit of "
                f"{self.limits.max_paragraphs:,} (setting parse.max_paragraphs). "
                "Split it into several files."
            )

    def check_time(self) -> None:
        if time.monotonic() > self._deadline:
            raise FileOverLimit(time_limit_message(self.path, self.limits))

    def check_pages(self, pages: int) -> None:
        if pages > self.limits.max_pdf_pages:
            raise FileOverLimit(
                f"{self.path}: has {pages:,} pages, over the limit of "
                f"{self.limits.max_pdf_pages:,} (setting parse.max_pdf_pages). Split the PDF."
            )

    def check_text(self, text: str) -> None:
        """A whole text read at once (plain text, markdown, JSON) against the limits."""
        if len(text) > self.limits.max_chars:
            self.add(text)  # raises with the message above


def time_limit_message(path: Path, limits: ParseLimits) -> str:
    return (
        f"{path}: reading the file took longer than {limits.seconds:g} s (setting "
        "parse.seconds); it is too large or built to be slow. Split it, or save it as PDF "
        "or text."
    )


def _mb(n: int) -> str:
    """A byte count for people: KB below a megabyte, so a 68 KB bomb does not read "0.0 MB"."""
    return f"{n / 1024 / 1024:,.1f} MB" if n >= 1024 * 1024 else f"{n / 1024:,.1f} KB"
