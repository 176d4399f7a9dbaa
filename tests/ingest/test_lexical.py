"""The BM25 weight mask: value lists and numeric bounds (a text's period) inside the scoring."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ingest.lexical import FILE_NAME, Condition, LexicalIndex
from ingest.records import PENDING_FIELD, StoredChunk


def _chunk(doc_id: str, valid_from: int, valid_to: int) -> StoredChunk:
    meta = {"doc_id": doc_id, "group": "j", "valid_from": valid_from, "valid_to": valid_to}
    return StoredChunk(f"{doc_id}::h::1", "经营者应当保存记录", meta)  # type: ignore[arg-type]


CHUNKS = [
    _chunk("old", 20130101, 20210301),
    _chunk("new", 20210301, 99991231),
    _chunk("article", 0, 99991231),  # no version information: every day
]


def _found(index: LexicalIndex, day: int) -> set[str]:
    where: dict[str, Condition] = {"valid_from": {"$lte": day}, "valid_to": {"$gt": day}}
    return {h.chunk_id.split("::")[0] for h in index.search("保存记录", 10, where)}


def test_numeric_bounds_mask_the_texts_not_in_force(tmp_path: Path) -> None:
    index = LexicalIndex.build("fp", CHUNKS)
    assert _found(index, 20150601) == {"old", "article"}
    assert _found(index, 20210301) == {"new", "article"}  # the day the newer text takes effect
    assert _found(index, 20120101) == {"article"}
    both: dict[str, Condition] = {"doc_id": ["old", "new"], "valid_from": {"$lte": 20150601}}
    assert {h.chunk_id.split("::")[0] for h in index.search("保存记录", 10, both)} == {"old"}
    # Saved and loaded, the bounds are kept beside the index.
    index.save(tmp_path / FILE_NAME)
    loaded = LexicalIndex.load(tmp_path / FILE_NAME)
    assert loaded is not None and _found(loaded, 20150601) == {"old", "article"}


def test_an_index_saved_without_the_bounds_or_damaged_is_rebuilt(tmp_path: Path) -> None:
    path = tmp_path / FILE_NAME
    LexicalIndex.build("fp", CHUNKS).save(path)
    with np.load(path) as saved:
        arrays = {k: saved[k] for k in saved.files if k != "number.valid_to"}
    np.savez(path.with_suffix(""), **arrays)
    assert LexicalIndex.load(path) is None
    path.write_bytes(b"PK\x03\x04 not a whole file")
    assert LexicalIndex.load(path) is None


def test_uploads_waiting_for_review_are_masked_and_the_flag_survives_save(
    tmp_path: Path,
) -> None:
    pending = _chunk("memo", 0, 99991231)
    pending.metadata[PENDING_FIELD] = 1
    approved = _chunk("approved", 0, 99991231)
    approved.metadata[PENDING_FIELD] = 0
    index = LexicalIndex.build("fp", [*CHUNKS, pending, approved])
    where: dict[str, Condition] = {PENDING_FIELD: {"$ne": 1}}
    hidden = {"old", "new", "article", "approved"}
    assert {h.chunk_id.split("::")[0] for h in index.search("保存记录", 10, where)} == hidden
    index.save(tmp_path / FILE_NAME)
    loaded = LexicalIndex.load(tmp_path / FILE_NAME)
    assert loaded is not None
    assert {h.chunk_id.split("::")[0] for h in loaded.search("保存记录", 10, where)} == hidden
    assert "memo" in {h.chunk_id.split("::")[0] for h in loaded.search("保存记录", 10)}


def test_a_name_is_held_only_where_its_words_meet() -> None:
    meta = {"doc_id": "d", "group": "j", "valid_from": 0, "valid_to": 99991231}
    chunks = [
        StoredChunk("d::h::1", "The EU adopted rules on data.", meta),  # type: ignore[arg-type]
        StoredChunk("d::h::2", "The AI Act of another place.", meta),  # type: ignore[arg-type]
    ]
    index = LexicalIndex.build("fp", chunks)
    assert index.contains("EU") and index.contains("AI Act")
    assert not index.contains("EU AI Act")  # every word occurs, but in no one chunk
    assert not index.contains("GDPR") and not index.contains("")
