"""Hostile files are refused before or while parsing, and a runaway parse is killed (12.2)."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from ingest.errors import DocumentParseError, FileOverLimit
from ingest.loaders import load_file
from ingest.sandbox import Sandbox
from ingest.settings import ParseLimits

#: 4,000,000 empty paragraphs: 24 MB of XML that deflates to well under 100 KB.
BOMB_PARAGRAPHS = 4_000_000


def write_docx(path: Path, paragraphs: list[str]) -> Path:
    import docx

    d = docx.Document()
    for text in paragraphs:
        d.add_paragraph(text)
    d.save(str(path))
    return path


def write_docx_bomb(path: Path, paragraphs: int = BOMB_PARAGRAPHS) -> Path:
    """A valid .docx whose document.xml inflates hundreds of times over."""
    template = write_docx(path.with_name("template.docx"), ["x"])
    with zipfile.ZipFile(template) as src, zipfile.ZipFile(path, "w") as out:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "word/document.xml":
                head, _, rest = data.decode().partition("<w:body>")
                tail = rest[rest.index("<w:sectPr") :]
                data = (head + "<w:body>" + "<w:p/>" * paragraphs + tail).encode()
            out.writestr(item, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    return path


def write_pdf(path: Path, pages: list[str]) -> Path:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("helvetica", size=12)
    for text in pages:
        pdf.add_page()
        pdf.multi_cell(0, 10, text)
    pdf.output(str(path))
    return path


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    box = Sandbox()
    yield box
    box.close()


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


def test_sandbox_loads_like_load_file(tmp_path: Path, sandbox: Sandbox) -> None:
    path = write_docx(tmp_path / "manual.docx", ["Article 1 This manual applies to all staff."])
    (doc,) = sandbox.load(path, tmp_path)
    assert doc == load_file(path, tmp_path)[0]
    with pytest.raises(DocumentParseError, match=r"bad\.docx"):
        bad = tmp_path / "bad.docx"
        bad.write_bytes(b"PK not really")
        sandbox.load(bad, tmp_path)


def test_sandbox_kills_a_runaway_parse_and_keeps_working(tmp_path: Path) -> None:
    """With the cooperative limits lifted, only the sandbox's hard time limit stops the bomb."""
    bomb = write_docx_bomb(tmp_path / "bomb.docx")
    lifted = ParseLimits(max_zip_ratio=1e9, max_paragraphs=10**9, max_chars=10**9, seconds=1.0)
    box = Sandbox(lifted)
    try:
        with pytest.raises(FileOverLimit, match=r"bomb\.docx.*longer than 1 s.*parse\.seconds"):
            box.load(bomb, tmp_path)
        good = write_docx(tmp_path / "ok.docx", ["Article 2 Check licences."])
        assert "Article 2" in box.load(good, tmp_path)[0].text
    finally:
        box.close()


def test_sandbox_memory_cap_refuses_the_bomb(tmp_path: Path) -> None:
    bomb = write_docx_bomb(tmp_path / "bomb.docx")
    lifted = ParseLimits(
        max_zip_ratio=1e9,
        max_paragraphs=10**9,
        max_chars=10**9,
        seconds=60,
        memory_bytes=400 * 1024**2,
    )
    box = Sandbox(lifted)
    try:
        with pytest.raises(FileOverLimit, match=r"bomb\.docx.*MB of memory.*parse\.memory"):
            box.load(bomb, tmp_path)
        good = write_docx(tmp_path / "ok.docx", ["Article 3 Keep records."])
        assert "Article 3" in box.load(good, tmp_path)[0].text
    finally:
        box.close()
