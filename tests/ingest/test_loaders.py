"""Loading files of every supported type into normalized documents, and the errors users see."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ingest.errors import DocumentParseError, UnreadablePath, UnsupportedFileType
from ingest.loaders import (
    SUPPORTED_SUFFIXES,
    discover_files,
    document_from_passages,
    load_file,
)
from ingest.settings import ChunkingSettings
from ingest.splitter import split_document


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _one(path: Path, root: Path):  # type: ignore[no-untyped-def]
    docs = load_file(path, root)
    assert len(docs) == 1
    return docs[0]


# --- discovery ----------------------------------------------------------------------------


def test_discover_walks_sorted_and_skips_hidden_sidecars_ignored(tmp_path: Path) -> None:
    _write(tmp_path / "b" / "two.md", "two")
    _write(tmp_path / "a" / "one.txt", "one")
    _write(tmp_path / "a" / "one.txt.meta.json", "{}")
    _write(tmp_path / "a" / "_group.meta.json", "{}")
    _write(tmp_path / "a" / ".hidden.txt", "no")
    _write(tmp_path / ".git" / "x.txt", "no")
    _write(tmp_path / "a" / "image.png", "png")
    _write(tmp_path / "NOTES.md", "ignored")
    _write(tmp_path / "drafts" / "d.md", "ignored")
    _write(tmp_path / ".complyqaignore", "NOTES.md\ndrafts/\n")
    found = discover_files([tmp_path], tmp_path)
    assert found.files == [tmp_path / "a" / "one.txt", tmp_path / "b" / "two.md"]
    reasons = {p.name: why for p, why in found.skipped}
    assert "unsupported" in reasons["image.png"]
    assert ".complyqaignore" in reasons["NOTES.md"] and ".complyqaignore" in reasons["d.md"]


def test_discover_explicit_files_and_dedup(tmp_path: Path) -> None:
    one = _write(tmp_path / "one.txt", "one")
    found = discover_files([one, tmp_path, one], tmp_path)
    assert found.files == [one]


def test_missing_path_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(UnreadablePath, match=r"no such file or folder.*Check the spelling"):
        discover_files([tmp_path / "nope.md"], tmp_path)
    with pytest.raises(UnreadablePath, match="no such file"):
        load_file(tmp_path / "nope.md", tmp_path)


def test_unsupported_type_names_the_supported_ones(tmp_path: Path) -> None:
    bad = _write(tmp_path / "sheet.xlsx", "x")
    for call in (lambda: discover_files([bad], tmp_path), lambda: load_file(bad, tmp_path)):
        with pytest.raises(UnsupportedFileType) as info:
            call()
        assert ".xlsx" in str(info.value)
        assert all(s in str(info.value) for s in SUPPORTED_SUFFIXES)


# --- text, markdown, metadata -------------------------------------------------------------


def test_txt_with_escapes_is_normalized(tmp_path: Path) -> None:
    path = _write(tmp_path / "seeds" / "a.txt", "Al-Galaxy charges \\$10 per hour\r\nfor A100s.\n")
    doc = _one(path, tmp_path)
    assert doc.doc_id == "seeds/a.txt"
    assert doc.text == "Al-Galaxy charges $10 per hour\nfor A100s."
    assert doc.title == "Al-Galaxy charges $10 per hour"
    assert doc.language == "en" and len(doc.content_hash) == 64
    assert doc.group == "seeds" and doc.source_path == str(path)


def test_non_utf8_text_is_detected(tmp_path: Path) -> None:
    path = tmp_path / "gbk.txt"
    path.write_bytes(
        "第一条 为了保障网络安全，维护网络空间主权和国家安全，制定本法。".encode("gbk")
    )
    assert _one(path, tmp_path).text.startswith("第一条 为了保障网络安全")


def test_metadata_priority_group_filename_front_matter_sidecar(tmp_path: Path) -> None:
    folder = tmp_path / "laws"
    _write(folder / "_group.meta.json", json.dumps({"jurisdiction": "CN", "status": "public"}))
    path = _write(
        folder / "法(2016-11-07).md",
        "---\ntitle: Front title\ndate: 2017-06-01\n---\n"
        "# 中华人民共和国网络安全法\n\n第一条 内容。\n",
    )
    doc = _one(path, tmp_path)
    assert doc.doc_id == "laws/法(2016-11-07).md"
    assert doc.text.startswith("# 中华人民共和国网络安全法")  # front matter stripped
    assert (doc.title, doc.date, doc.jurisdiction) == ("Front title", "2017-06-01", "CN")
    assert doc.language == "zh" and doc.extra == {"status": "public"}

    _write(
        folder / "法(2016-11-07).md.meta.json",
        json.dumps({"date": "2025-10-28", "jurisdiction": "CN-BJ", "note": 7}),
    )
    doc = _one(path, tmp_path)
    assert (doc.date, doc.jurisdiction) == ("2025-10-28", "CN-BJ")
    assert doc.extra == {"status": "public", "note": "7"}


def test_date_from_file_name_and_title_from_heading(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "数据安全法(2021-06-10).md", "# 中华人民共和国数据安全法\n\n第一条 x。"
    )
    doc = _one(path, tmp_path)
    assert (doc.date, doc.title, doc.jurisdiction) == (
        "2021-06-10",
        "中华人民共和国数据安全法",
        None,
    )


def test_broken_sidecar_is_reported(tmp_path: Path) -> None:
    path = _write(tmp_path / "a.md", "text")
    _write(tmp_path / "a.md.meta.json", "{not json")
    with pytest.raises(DocumentParseError, match=r"a\.md\.meta\.json.*not valid JSON"):
        load_file(path, tmp_path)


def test_empty_file_is_a_parse_error(tmp_path: Path) -> None:
    with pytest.raises(DocumentParseError, match="no text"):
        load_file(_write(tmp_path / "empty.md", " \n\u200b\n"), tmp_path)


# --- html, pdf, docx ----------------------------------------------------------------------

PAGE = """<html><head><title>Export rules page</title><script>var x = 1;</script></head>
<body><nav>Home | About | Contact</nav><article><h1>Export rules</h1>
<p>Cloud providers may rent access to advanced chips &amp; accelerators, which the rules
do not prohibit as long as no export of the items themselves takes place.</p>
<h2>Scope</h2><p>Section 744.23 covers supercomputer and advanced-node end uses in
destinations of concern, with paragraph (a) setting the general prohibition.</p>
</article><footer>Copyright 2024</footer></body></html>"""


def test_html_keeps_headings_and_drops_boilerplate(tmp_path: Path) -> None:
    doc = _one(_write(tmp_path / "page.html", PAGE), tmp_path)
    assert "# Export rules" in doc.text and "## Scope" in doc.text
    assert "chips & accelerators" in doc.text
    assert "var x" not in doc.text
    assert doc.title in ("Export rules page", "Export rules")
    chunks = split_document(doc, ChunkingSettings())
    assert any(c.section == "Scope" for c in chunks)


def test_tiny_html_falls_back_to_lxml(tmp_path: Path) -> None:
    doc = _one(
        _write(tmp_path / "t.htm", "<html><body><h2>Hi</h2><p>Yo.</p></body></html>"), tmp_path
    )
    assert "Hi" in doc.text and "Yo." in doc.text


def _pdf(path: Path, pages: list[str]) -> Path:
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


def test_pdf_pages_joined_by_blank_lines(tmp_path: Path) -> None:
    path = _pdf(tmp_path / "rule.pdf", ["Page one says export.", "Page two says license."])
    doc = _one(path, tmp_path)
    assert doc.text == "Page one says export.\n\nPage two says license."


def test_pdf_without_text_asks_for_ocr(tmp_path: Path) -> None:
    path = _pdf(tmp_path / "scan.pdf", [])
    with pytest.raises(DocumentParseError, match=r"scan\.pdf.*scanned.*OCR"):
        load_file(path, tmp_path)


def test_garbage_pdf_is_a_parse_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.pdf"
    path.write_bytes(b"not a pdf at all")
    with pytest.raises(DocumentParseError, match=r"bad\.pdf"):
        load_file(path, tmp_path)


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
    doc = _one(path, tmp_path)
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


# --- passages -----------------------------------------------------------------------------


def _records() -> list[dict[str, object]]:
    return [
        {"id": "1.1", "text": "First  passage.", "metadata": {"section": "Part 1"}},
        {"id": "1.2", "text": "   ", "metadata": {}},
        {"id": "1.3", "text": "Third &amp; last.", "metadata": {"section": "Part 2"}},
    ]


def test_jsonl_passages_keep_ids_and_exact_offsets(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "bench" / "p.jsonl", "\n".join(json.dumps(r) for r in _records()) + "\n\n"
    )
    doc = _one(path, tmp_path)
    assert doc.doc_id == "bench/p.jsonl"
    assert doc.text == "First passage.\n\nThird & last."
    assert [(s.key, s.section) for s in doc.segments] == [("1.1", "Part 1"), ("1.3", "Part 2")]
    assert [doc.text[s.start : s.end] for s in doc.segments] == ["First passage.", "Third & last."]
    chunks = split_document(doc, ChunkingSettings())
    assert [(c.key, c.text, c.section) for c in chunks] == [
        ("1.1", "First passage.", "Part 1"),
        ("1.3", "Third & last.", "Part 2"),
    ]


def test_json_list_grouped_by_doc_id(tmp_path: Path) -> None:
    records = [
        {"id": "a1", "text": "Alpha one.", "metadata": {"doc_id": "A", "title": "Doc A"}},
        {"id": "b1", "text": "Beta one.", "metadata": {"doc_id": "B"}},
        {"id": "a2", "text": "Alpha two.", "metadata": {"doc_id": "A"}},
    ]
    path = _write(tmp_path / "p.json", json.dumps(records))
    docs = load_file(path, tmp_path)
    assert [(d.doc_id, d.text) for d in docs] == [
        ("A", "Alpha one.\n\nAlpha two."),
        ("B", "Beta one."),
    ]
    assert docs[0].title == "Doc A" and docs[1].title == "B"
    assert [s.key for s in docs[0].segments] == ["a1", "a2"]


def test_invalid_jsonl_names_the_line(tmp_path: Path) -> None:
    path = _write(tmp_path / "p.jsonl", json.dumps(_records()[0]) + "\n{broken\n")
    with pytest.raises(DocumentParseError, match=r"p\.jsonl: line 2 is not valid JSON"):
        load_file(path, tmp_path)
    path = _write(tmp_path / "p.json", '[{"id": "x",\n "text": }]')
    with pytest.raises(DocumentParseError, match=r"p\.json: invalid JSON at line 2"):
        load_file(path, tmp_path)
    path = _write(tmp_path / "q.jsonl", '{"id": "x"}\n')
    with pytest.raises(DocumentParseError, match="record 1 must be an object with a string 'text'"):
        load_file(path, tmp_path)


def test_document_from_passages_in_memory() -> None:
    doc = document_from_passages(
        "obliqa/1",
        [("p1", " One\u00a0rule. "), ("p2", ""), ("p1", "Again.")],
        title="ADGM rules",
        jurisdiction="AE",
        source="ObliQA",
    )
    assert doc.text == "One rule.\n\nAgain."
    assert [s.key for s in doc.segments] == ["p1", "p1~2"]
    assert (doc.title, doc.language, doc.jurisdiction) == ("ADGM rules", "en", "AE")
    assert doc.extra == {"source": "ObliQA"}
    zh = document_from_passages("x", [("1", "text")], title="t", language="zh")
    assert zh.language == "zh"
