"""Word files: headings as markdown, tables, within the parse limits (issue 12.2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.errors import DocumentParseError, FileOverLimit
from ingest.loaders import load_file
from ingest.settings import ChunkingSettings, ParseLimits
from ingest.splitter import split_document
from tests.ingest.files import load_one, write_docx, write_docx_bomb


def test_docx_headings_become_markdown(tmp_path: Path) -> None:
    import docx

    d = docx.Document()
    d.add_heading("Compliance manual", level=0)
    d.add_heading("Chapter 1 Scope", level=1)
    d.add_paragraph("Article 1 This manual applies to all staff.")
    d.add_heading("Exports", level=2)
    d.add_paragraph("Article 2 Check licences before any export.")
    path = tmp_path / "manual.docx"
    d.save(str(path))
    doc = load_one(path, tmp_path)
    assert doc.text.split("\n\n")[:3] == [
        "# Compliance manual",
        "## Chapter 1 Scope",
        "Article 1 This manual applies to all staff.",
    ]
    assert "### Exports" in doc.text and doc.title == "Compliance manual"
    chunks = split_document(doc, ChunkingSettings())
    assert [c.article for c in chunks] == ["1", "2"]
    assert chunks[1].section == "Chapter 1 Scope > Exports > Article 2"


def test_corrupt_docx_is_a_parse_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.docx"
    path.write_bytes(b"PK not really")
    with pytest.raises(DocumentParseError, match=r"bad\.docx"):
        load_file(path, tmp_path)


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
