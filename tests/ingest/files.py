"""Small files built for tests (text, Word documents, PDFs, a decompression bomb dressed as
.docx), and loading one of them."""

from __future__ import annotations

import zipfile
from pathlib import Path

from ingest.loaders import load_file
from ingest.models import Document

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
    """A PDF with one page per text; with no texts, one blank page (a scan without text)."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("helvetica", size=12)
    if not pages:
        pdf.add_page()
    for text in pages:
        pdf.add_page()
        pdf.multi_cell(0, 10, text)
    pdf.output(str(path))
    return path


def write_text(path: Path, text: str) -> Path:
    """A UTF-8 text file, its folders created."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def load_one(path: Path, root: Path) -> Document:
    """The one document `load_file` makes of `path` (most formats make exactly one)."""
    docs = load_file(path, root)
    assert len(docs) == 1
    return docs[0]
