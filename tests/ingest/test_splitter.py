"""The splitter's promises, checked on small inputs and on every file of the bundled corpus."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.discovery import discover_files
from ingest.formats.passages import document_from_passages
from ingest.loaders import load_file
from ingest.models import Chunk, Document
from ingest.normalize import content_hash
from ingest.settings import ChunkingSettings
from ingest.splitter import split_document

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
CFG = ChunkingSettings()


def _corpus_docs() -> list[Document]:
    root = CORPUS
    # Walk the folder directly too, so a file hidden by .complyqaignore is still checked.
    files = discover_files([root], root).files + [root / "SOURCES.md"]
    return [doc for f in files for doc in load_file(f, root)]


CORPUS_DOCS = _corpus_docs()


def _doc(text: str, doc_id: str = "t/doc.md", title: str = "T") -> Document:
    return Document(doc_id, text, title, "en", content_hash(text))


def _check_invariants(doc: Document, chunks: list[Chunk], cfg: ChunkingSettings = CFG) -> None:
    assert chunks, doc.doc_id
    keys = [c.key for c in chunks]
    assert len(keys) == len(set(keys)), f"duplicate keys in {doc.doc_id}"
    covered = bytearray(len(doc.text))
    for prev, c in zip([None, *chunks], chunks, strict=False):
        assert doc.text[c.start : c.end] == c.text
        assert c.doc_id == doc.doc_id
        assert c.text == c.text.strip() and c.text
        if prev is not None:
            assert (prev.start, prev.end) < (c.start, c.end), "chunks out of document order"
        covered[c.start : c.end] = b"\x01" * (c.end - c.start)
    missed = [i for i, ch in enumerate(doc.text) if not covered[i] and not ch.isspace()]
    assert not missed, f"{doc.doc_id}: uncovered text {doc.text[missed[0] : missed[0] + 40]!r}"


@pytest.mark.parametrize("doc", CORPUS_DOCS, ids=lambda d: d.doc_id)
def test_corpus_offsets_keys_order_and_coverage(doc: Document) -> None:
    chunks = split_document(doc, CFG)
    _check_invariants(doc, chunks)
    for c in chunks:
        # Windows never exceed max_chars: no sentence in the corpus is that long.
        assert len(c.text) <= CFG.max_chars, (doc.doc_id, c.key)


@pytest.mark.parametrize("max_chars", [200, 333, 600, 1200])
def test_corpus_invariants_hold_for_small_windows(max_chars: int) -> None:
    cfg = ChunkingSettings(max_chars=max_chars, overlap_chars=80)
    for doc in CORPUS_DOCS:
        chunks = split_document(doc, cfg)
        _check_invariants(doc, chunks, cfg)
        for c in chunks:
            # Headings and lead-ins ("Note 2 to paragraph (a)(4):") travel with their text.
            last = c.text.rsplit("\n", 1)[-1]
            assert not last.startswith("#"), (doc.doc_id, c.key, last)
            # (At 200 chars a lead-in plus its text may not fit, and a hard split can end on one.)
            assert max_chars < 333 or not last.endswith((":", "：")), (doc.doc_id, c.key, last)


def _by_id(fragment: str) -> Document:
    return next(d for d in CORPUS_DOCS if fragment in d.doc_id)


def test_cybersecurity_law_article_21_is_one_chunk_with_its_path() -> None:
    doc = _by_id("网络安全法")
    hits = [c for c in split_document(doc, CFG) if c.article == "21"]
    assert len(hits) == 1
    chunk = hits[0]
    assert "第二十一条 国家实行网络安全等级保护制度" in chunk.text
    assert "（五）法律、行政法规规定的其他义务。" in chunk.text
    assert chunk.section is not None
    assert "第三章" in chunk.section and "第二十一条" in chunk.section
    assert chunk.section == "第三章 网络运行安全 > 第一节 一般规定 > 第二十一条"


def test_ear_744_23_paragraph_a_is_tagged_with_the_section_number() -> None:
    doc = _by_id("section-744.23")
    chunks = split_document(doc, CFG)
    start = doc.text.index("(a) *General prohibition.*")
    end = doc.text.index("(b) *Additional prohibition")
    in_a = [c for c in chunks if c.start < end and c.end > start]
    assert in_a and all(c.article == "744.23" for c in in_a)
    assert all(c.section and c.section.startswith("§ 744.23") for c in in_a)
    assert all(c.section and c.section.endswith("> (a)") for c in in_a)
    assert any(c.section and c.section.endswith("> (b)") for c in chunks)


def test_ear_roman_i_is_not_mistaken_for_a_top_paragraph() -> None:
    doc = _by_id("section-744.23")
    sections = {c.section.rsplit(" > ", 1)[-1] for c in split_document(doc, CFG) if c.section}
    assert sections == {"(a)", "(b)", "(c)", "(d)"}


def test_prose_is_grouped_by_paragraphs_without_article() -> None:
    doc = _by_id("seeds/000")
    chunks = split_document(doc, CFG)
    assert len(chunks) > 1
    assert all(c.article is None and c.section is None for c in chunks)
    # Grouped at line ends, so every chunk ends where a paragraph ends.
    assert all(c.end == len(doc.text) or doc.text[c.end] == "\n" for c in chunks)


def test_long_article_is_windowed_at_sentences_with_overlap() -> None:
    sentence = "网络运营者应当履行安全保护义务，保障网络免受干扰。"
    text = "## 第一章 总则\n\n第一条 " + sentence * 30 + "\n\n第二条 短条文。"
    cfg = ChunkingSettings(max_chars=200, overlap_chars=60)
    doc = _doc(text, title="X")
    chunks = split_document(doc, cfg)
    _check_invariants(doc, chunks, cfg)
    first = [c for c in chunks if c.article == "1"]
    assert len(first) > 2
    assert first[0].text.startswith("## 第一章 总则")
    for a, b in zip(first, first[1:], strict=False):
        assert b.start < a.end, "consecutive windows should overlap"
        assert a.text.endswith("。")
    assert [c.article for c in chunks][-1] == "2"
    assert chunks[-1].text == "第二条 短条文。"


def test_english_windows_never_cut_inside_a_word() -> None:
    words = " ".join(f"word{i}" for i in range(400))  # one "sentence" without punctuation
    doc = _doc("# T\n\nArticle 5 Scope: " + words)
    cfg = ChunkingSettings(max_chars=200, overlap_chars=0)
    chunks = split_document(doc, cfg)
    _check_invariants(doc, chunks, cfg)
    for c in chunks:
        assert len(c.text) <= 200
        assert c.start == 0 or not doc.text[c.start - 1].isalnum()
        assert c.end == len(doc.text) or not doc.text[c.end].isalnum()
        assert c.article == "5"


def test_english_articles_and_markdown_sections() -> None:
    text = (
        "# Regulation\n\n## Chapter I General\n\nArticle 1 Scope. This applies.\n\n"
        "Article 1197 of the Civil Code is only quoted here.\n\n"
        "**Article 2** Definitions. Words mean things.\n\n## Chapter II Duties\n\nArticle 3. Do it."
    )
    doc = _doc(text, title="Regulation")
    chunks = split_document(doc, CFG)
    _check_invariants(doc, chunks)
    assert [c.article for c in chunks] == ["1", "2", "3"]
    assert chunks[0].section == "Chapter I General > Article 1"
    assert chunks[2].section == "Chapter II Duties > Article 3"
    assert chunks[2].text.startswith("## Chapter II Duties")
    assert "Article 1197" in chunks[0].text


def test_segments_become_one_chunk_each_and_long_ones_are_windowed() -> None:
    long_text = "This obligation applies to every firm. " * 20
    doc = document_from_passages(
        "bench/doc1", [("p1", "Short one."), ("p2", long_text), ("p3", "")], title="Bench"
    )
    cfg = ChunkingSettings(max_chars=300, overlap_chars=50)
    chunks = split_document(doc, cfg)
    _check_invariants(doc, chunks, cfg)
    assert chunks[0].key == "p1" and chunks[0].text == "Short one."
    assert [c.key for c in chunks[1:]][:2] == ["p2", "p2#2"]
    assert all(c.key.startswith("p2") for c in chunks[1:])


def test_heading_only_document_is_not_lost() -> None:
    doc = _doc("## Lonely heading")
    chunks = split_document(doc, CFG)
    assert [c.text for c in chunks] == ["## Lonely heading"]


def test_labels_and_lead_ins_move_on_with_the_text_they_introduce() -> None:
    body = "The general rule applies to every export of the listed items. " * 8
    text = f"# T\n\n{body}\nNote 2 to paragraph (a)(4):\n{body}\n[13]\n{body}"
    cfg = ChunkingSettings(max_chars=600, overlap_chars=0)
    doc = _doc(text, title="T")
    chunks = split_document(doc, cfg)
    _check_invariants(doc, chunks, cfg)
    assert [c.text.split("\n")[0] for c in chunks[1:]] == ["Note 2 to paragraph (a)(4):", "[13]"]


# --- linear time on long paragraphs (issue 12.3) -------------------------------------------


def _sentences_by_definition(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The sentence spans as first written: each fusion re-read the whole fused span's last
    line (quadratic when a span keeps growing). The fast version must agree with it."""
    from ingest.splitter import _SENTENCE_END, _trim

    def lead_in(s: int, e: int) -> bool:
        s = max(s, text.rfind("\n", s, e) + 1)
        line = text[s:e]
        return line.startswith("#") or (e - s < 200 and line.endswith((":", "：")))

    spans: list[tuple[int, int]] = []
    pos = start
    for m in _SENTENCE_END.finditer(text, start, end):
        if m.end() > pos:
            if spans and lead_in(*_trim(text, *spans[-1])):
                spans[-1] = (spans[-1][0], m.end())
            else:
                spans.append((pos, m.end()))
            pos = m.end()
    if pos < end:
        if spans and lead_in(*_trim(text, *spans[-1])):
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((pos, end))
    return spans


@pytest.mark.parametrize("seed", range(40))
def test_sentence_fusion_matches_its_definition(seed: int) -> None:
    import random

    from ingest.splitter import _hard_split, _sentences

    rng = random.Random(seed)
    pieces = ["# Part one", "as follows:", "Rule 1.", "规定如下：", "第一条 适用。", "\n", "\n\n",
              "  ", "Staff keep records; ", "x" * 250 + ":", "(a) Scope.", "#"]  # fmt: skip
    text = " ".join(rng.choice(pieces) for _ in range(rng.randint(1, 60)))
    cfg = ChunkingSettings(max_chars=200, overlap_chars=50)
    start = rng.randint(0, len(text) // 3)
    end = rng.randint(start, len(text))
    expected = [
        piece
        for s, e in _sentences_by_definition(text, start, end)
        for piece in (_hard_split(text, s, e, cfg.max_chars) if e - s > cfg.max_chars else [(s, e)])
    ]
    assert _sentences(text, start, end, cfg) == expected


def test_one_long_paragraph_under_a_heading_keeps_the_invariants() -> None:
    """A page that opens with '#' and then never breaks a line: the case that was quadratic."""
    body = " ".join(
        ["Exporters must screen every end user and keep records for five years."] * 3000
    )
    doc = _doc("# Big export notice " + body)
    chunks = split_document(doc, CFG)
    _check_invariants(doc, chunks)
    assert all(len(c.text) <= CFG.max_chars for c in chunks)
