"""Small files built for tests: Word documents, PDFs and a decompression bomb dressed as .docx."""

from __future__ import annotations

import zipfile
from pathlib import Path

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
