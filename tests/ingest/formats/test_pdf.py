"""PDF files: the pages' text layer, within the parse limits (issue 12.2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.errors import DocumentParseError, FileOverLimit
from ingest.loaders import load_file
from ingest.settings import ParseLimits
from tests.ingest.files import load_one, write_pdf


def test_pdf_pages_joined_by_blank_lines(tmp_path: Path) -> None:
    path = write_pdf(tmp_path / "rule.pdf", ["Page one says export.", "Page two says license."])
    doc = load_one(path, tmp_path)
    assert doc.text == "Page one says export.\n\nPage two says license."


def test_pdf_without_text_asks_for_ocr(tmp_path: Path) -> None:
    path = write_pdf(tmp_path / "scan.pdf", [])
    with pytest.raises(DocumentParseError, match=r"scan\.pdf.*scanned.*OCR"):
        load_file(path, tmp_path)


def test_garbage_pdf_is_a_parse_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.pdf"
    path.write_bytes(b"not a pdf at all")
    with pytest.raises(DocumentParseError, match=r"bad\.pdf"):
        load_file(path, tmp_path)


def test_pdf_page_limit(tmp_path: Path) -> None:
    path = write_pdf(tmp_path / "pages.pdf", [f"Page {n} says export." for n in range(5)])
    with pytest.raises(FileOverLimit, match=r"5 pages.*parse\.max_pdf_pages"):
        load_file(path, tmp_path, limits=ParseLimits(max_pdf_pages=4))
    assert load_file(path, tmp_path, limits=ParseLimits(max_pdf_pages=5))


def test_pdf_stream_bomb_is_refused(tmp_path: Path) -> None:
    """A content stream that inflates past pypdf's output limit is a refusal, not a hang."""
    import zlib

    stream = zlib.compress(b"BT /F1 12 Tf 72 720 Td (A) Tj ET\n" + b" " * 120_000_000, 9)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    body, offsets = b"%PDF-1.4\n", []
    for n, obj in enumerate(objects, start=1):
        offsets.append(len(body))
        body += b"%d 0 obj\n" % n + obj + b"\nendobj\n"
    xref = len(body)
    body += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    body += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    body += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    path = tmp_path / "bomb.pdf"
    path.write_bytes(body)
    assert path.stat().st_size < 1_000_000
    with pytest.raises(FileOverLimit, match=r"bomb\.pdf.*exhaust"):
        load_file(path, tmp_path)
