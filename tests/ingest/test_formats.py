"""Reading HTML, PDF and Word files within the parse limits (issue 12.2), and deep HTML (12.8)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.errors import FileOverLimit
from ingest.loaders import load_file
from ingest.settings import ParseLimits
from tests.ingest.files import write_docx, write_docx_bomb, write_pdf


def test_docx_bomb_is_refused_before_unpacking(tmp_path: Path) -> None:
    bomb = write_docx_bomb(tmp_path / "bomb.docx")
    assert bomb.stat().st_size < 200_000
    with pytest.raises(FileOverLimit, match=r"bomb\.docx.*inflates.*parse\.max_zip_ratio"):
        load_file(bomb, tmp_path)


def test_docx_over_the_unpacked_size_limit_is_refused(tmp_path: Path) -> None:
    path = write_docx(tmp_path / "big.docx", ["Article 1 Staff keep records."] * 200)
    limits = ParseLimits(max_unzipped_bytes=10_000)
    with pytest.raises(FileOverLimit, match=r"unpacks to .*parse\.max_unzipped_bytes"):
        load_file(path, tmp_path, limits=limits)


def test_docx_paragraph_and_character_budgets(tmp_path: Path) -> None:
    path = write_docx(tmp_path / "long.docx", [f"Paragraph {n} of the manual." for n in range(50)])
    with pytest.raises(FileOverLimit, match=r"parse\.max_paragraphs"):
        load_file(path, tmp_path, limits=ParseLimits(max_paragraphs=20))
    with pytest.raises(FileOverLimit, match=r"parse\.max_chars"):
        load_file(path, tmp_path, limits=ParseLimits(max_chars=300))
    assert "Paragraph 49" in load_file(path, tmp_path)[0].text


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


def test_html_size_and_depth_limits(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text("<html><body><p>" + "Export rules apply. " * 100 + "</p></body></html>")
    with pytest.raises(FileOverLimit, match=r"bytes of HTML.*parse\.max_html_bytes"):
        load_file(page, tmp_path, limits=ParseLimits(max_html_bytes=1000))
    deep = tmp_path / "deep.html"
    deep.write_text("<html><body>" + "<div>" * 5000 + "<p>Hidden rule.</p>" + "</div>" * 5000)
    with pytest.raises(FileOverLimit, match=r"nest more than 1,000 deep.*parse\.max_html_depth"):
        load_file(deep, tmp_path)


def test_html_nested_500_divs_falls_back_to_plain_text(tmp_path: Path) -> None:
    """libxml2 stops 255 elements deep; the paragraph must still be read (issue 12.8)."""
    depth = 500
    page = tmp_path / "nested.html"
    page.write_text(
        "<html><head><title>Deep page</title><style>p {color: red}</style></head><body>"
        + "<div>" * depth
        + "<p>Operators must renew the licence every year.</p><p>Second rule &amp; more.</p>"
        + "</div>" * depth
        + "</body></html>"
    )
    (doc,) = load_file(page, tmp_path)
    assert doc.text == "Operators must renew the licence every year.\n\nSecond rule & more."
    assert doc.title == "Deep page"
