"""Chunk rows kept in memory while the index's state is unchanged (ingest/row_cache.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.service import ComplyQA
from assistant.settings import Settings
from ingest import store as store_module
from ingest.records import StoredChunk
from ingest.row_cache import RowCache
from tests.conftest import FakeEmbedder


def row(cid: str, text: str = "t") -> StoredChunk:
    return StoredChunk(cid, text, {"doc_id": cid.split("::")[0]})


def test_rows_are_kept_for_their_state_only() -> None:
    cache = RowCache(size=3)
    assert cache.lookup(1, ["a", "b"]) == ({}, ["a", "b"])
    cache.keep(1, [row("a"), row("b")])
    kept, missing = cache.lookup(1, ["a", "b", "c"])
    assert set(kept) == {"a", "b"} and missing == ["c"]
    # Another state: nothing kept is trusted, and rows read in the old one are not kept.
    assert cache.lookup(2, ["a"]) == ({}, ["a"])
    cache.keep(1, [row("a")])
    assert cache.lookup(2, ["a"]) == ({}, ["a"])
    # No state known (a Chroma server): nothing is kept at all.
    cache.keep(None, [row("a")])
    assert cache.lookup(None, ["a"]) == ({}, ["a"])


def test_the_least_recently_used_rows_go_first() -> None:
    cache = RowCache(size=2)
    cache.lookup(1, [])
    cache.keep(1, [row("a"), row("b")])
    cache.lookup(1, ["a"])  # "a" is used again: "b" is now the oldest
    cache.keep(1, [row("c")])
    kept, missing = cache.lookup(1, ["a", "b", "c"])
    assert set(kept) == {"a", "c"} and missing == ["b"]


@pytest.fixture
def qa(tmp_path: Path) -> ComplyQA:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "rules.md").write_text("Operators shall keep logs for six months.\n")
    service = ComplyQA(Settings.load(data_dir=tmp_path / "data"), embedder=FakeEmbedder())  # type: ignore[arg-type]
    assert not service.ingest([corpus], root=corpus).failed
    return service


def test_a_row_read_twice_is_read_from_chroma_once_until_the_index_changes(
    qa: ComplyQA, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads: list[list[str]] = []
    real = store_module.get_ids

    def counting(c, ids):  # noqa: ANN001, ANN202
        reads.append(list(ids))
        return real(c, ids)

    monkeypatch.setattr(store_module, "get_ids", counting)
    store = qa.index.store
    ids = [c.chunk_id for c in store.find({"doc_id": "rules.md"}, qa.index.manifest(), limit=10)]
    first = store.get_chunks(ids)
    again = store.get_chunks(ids)
    assert first and {c.chunk_id for c in again} == set(ids)
    assert reads == [ids]  # the second call came from memory
    # A write changes the state: rows are read again, and the new document's rows appear.
    (tmp_path / "corpus" / "more.md").write_text("Providers may store data abroad.\n")
    assert not qa.ingest([tmp_path / "corpus"], root=tmp_path / "corpus").failed
    store.get_chunks(ids)
    assert len(reads) == 2
    assert store.get_chunks(["nobody::x::1"]) == []
