"""Pre-segmented passages (JSON, JSONL, in memory): ids and exact offsets kept."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ingest.errors import DocumentParseError
from ingest.formats.passages import document_from_passages
from ingest.loaders import load_file
from ingest.settings import ChunkingSettings
from ingest.splitter import split_document
from tests.ingest.files import load_one, write_text


def _records() -> list[dict[str, object]]:
    return [
        {"id": "1.1", "text": "First  passage.", "metadata": {"section": "Part 1"}},
        {"id": "1.2", "text": "   ", "metadata": {}},
        {"id": "1.3", "text": "Third &amp; last.", "metadata": {"section": "Part 2"}},
    ]


def test_jsonl_passages_keep_ids_and_exact_offsets(tmp_path: Path) -> None:
    path = write_text(
        tmp_path / "bench" / "p.jsonl", "\n".join(json.dumps(r) for r in _records()) + "\n\n"
    )
    doc = load_one(path, tmp_path)
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
    path = write_text(tmp_path / "p.json", json.dumps(records))
    docs = load_file(path, tmp_path)
    assert [(d.doc_id, d.text) for d in docs] == [
        ("A", "Alpha one.\n\nAlpha two."),
        ("B", "Beta one."),
    ]
    assert docs[0].title == "Doc A" and docs[1].title == "B"
    assert [s.key for s in docs[0].segments] == ["a1", "a2"]


def test_invalid_jsonl_names_the_line(tmp_path: Path) -> None:
    path = write_text(tmp_path / "p.jsonl", json.dumps(_records()[0]) + "\n{broken\n")
    with pytest.raises(DocumentParseError, match=r"p\.jsonl: line 2 is not valid JSON"):
        load_file(path, tmp_path)
    path = write_text(tmp_path / "p.json", '[{"id": "x",\n "text": }]')
    with pytest.raises(DocumentParseError, match=r"p\.json: invalid JSON at line 2"):
        load_file(path, tmp_path)
    path = write_text(tmp_path / "q.jsonl", '{"id": "x"}\n')
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
