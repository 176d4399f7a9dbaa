"""Word files (.docx): paragraphs and tables, headings as markdown, within the parse limits.

Needs the docx extra (python-docx); without it, reading a .docx says which extra to install.
The archive's sizes are checked before it is unpacked (a .docx is a zip: bombs exist).
"""

from __future__ import annotations

from pathlib import Path

from ingest.errors import DocumentParseError
from ingest.extras import needs_extra
from ingest.limits import ParseBudget, check_zip
from ingest.settings import ParseLimits

__all__ = ["extract_docx"]


def extract_docx(path: Path, limits: ParseLimits) -> tuple[str, str | None]:
    """Text of a Word document, headings turned into markdown `#` lines for the splitter."""
    with needs_extra("docx", f"{path}: reading Word files"):
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
