"""The lexical cache re-reads only changed documents: at startup, and after another process's change."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from pathlib import Path

import numpy as np
import pytest

from ingest.lexical import FILE_NAME, Condition, LexicalCache, LexicalIndex
from ingest.records import Metadata, StoredChunk, corpus_fingerprint

WORDS = [
    "经营者",
    "应当",
    "保存",
    "记录",
    "网络",
    "日志",
    "个人信息",
    "出境",
    "安全",
    "评估",
    "penalty",
    "export",
    "licence",
]


class Chroma:
    """Stands in for the store: documents' chunks and their manifest records; logs reads."""

    def __init__(self) -> None:
        self.chunks: dict[str, list[StoredChunk]] = {}
        self.manifest: dict[str, Metadata] = {}
        self.reads: list[set[str] | None] = []

    def write(self, doc_id: str, version: str, n: int) -> None:
        self.chunks[doc_id] = [
            StoredChunk(
                f"{doc_id}::{version}::{i}",
                " ".join(WORDS[(len(doc_id) + i * j) % len(WORDS)] for j in range(3 + i % 5)),
                {"doc_id": doc_id, "group": doc_id[0]},
            )
            for i in range(n)
        ]
        self.manifest[doc_id] = {"content_hash": version}

    def delete(self, doc_id: str) -> None:
        del self.chunks[doc_id], self.manifest[doc_id]

    def read(self, doc_ids: Collection[str] | None) -> Sequence[StoredChunk]:
        self.reads.append(None if doc_ids is None else set(doc_ids))
        wanted = self.chunks if doc_ids is None else doc_ids
        return [c for d in wanted for c in self.chunks[d]]

    @property
    def fingerprint(self) -> str:
        return corpus_fingerprint(self.manifest, "model")

    def get(self, cache: LexicalCache) -> LexicalIndex:
        index = cache.get(self.fingerprint, dict(self.manifest), self.read)
        cache.flush()  # saved on a thread; these tests look at the file next
        return index


def _results(index: LexicalIndex) -> list[list[tuple[str, float]]]:
    wheres: list[dict[str, Condition] | None] = [None, {"group": ["a", "c"]}]
    return [
        [(h.chunk_id, round(h.score, 6)) for h in index.search(q, 10, where)]
        for q in ("保存记录", "个人信息出境 安全评估", "export penalty", "网络日志")
        for where in wheres
    ]


def _rebuilt(chroma: Chroma) -> LexicalIndex:
    return LexicalIndex.build("", [c for cs in chroma.chunks.values() for c in cs])


@pytest.fixture
def chroma() -> Chroma:
    chroma = Chroma()
    for n, doc_id in enumerate(["a1", "a2", "b1", "b2", "c1"]):
        chroma.write(doc_id, "v1", 5 + n)
    return chroma


def test_startup_loads_the_saved_index_and_reads_only_changed_documents(
    chroma: Chroma, tmp_path: Path
) -> None:
    first = chroma.get(LexicalCache(tmp_path))
    assert chroma.reads == [None]  # nothing saved yet: one full read
    assert (tmp_path / FILE_NAME).is_file()

    chroma.reads.clear()
    restarted = chroma.get(LexicalCache(tmp_path))
    assert chroma.reads == []
    assert _results(restarted) == _results(first)

    # Changed while no process was running: one replaced, one added, one deleted.
    chroma.write("a2", "v2", 9)
    chroma.write("c2", "v1", 3)
    chroma.delete("b1")
    index = chroma.get(LexicalCache(tmp_path))
    assert chroma.reads == [{"a2", "c2"}]
    assert index.fingerprint == chroma.fingerprint
    assert _results(index) == _results(_rebuilt(chroma))


def test_a_process_that_did_not_make_the_change_picks_it_up_incrementally(
    chroma: Chroma, tmp_path: Path
) -> None:
    writer, reader = LexicalCache(tmp_path), LexicalCache(tmp_path)
    chroma.get(writer)
    chroma.get(reader)
    chroma.reads.clear()
    chroma.write("b2", "v2", 4)
    chroma.get(writer)
    chroma.delete("a1")
    index = chroma.get(reader)  # sees both changes at its next manifest refresh
    assert chroma.reads == [{"b2"}, {"b2"}]
    assert _results(index) == _results(_rebuilt(chroma))
    assert LexicalCache(tmp_path).get(chroma.fingerprint, chroma.manifest, chroma.read) is not None
    assert chroma.reads == [{"b2"}, {"b2"}]  # the last state was saved: a restart reads nothing


def test_a_crash_while_saving_leaves_the_saved_index_intact(
    chroma: Chroma, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    chroma.get(LexicalCache(tmp_path))
    saved = (tmp_path / FILE_NAME).read_bytes()

    def crash(file: object, **arrays: object) -> None:
        file.write(b"PK\x03\x04 half a zip")  # type: ignore[attr-defined]
        raise OSError("disk full")

    monkeypatch.setattr(np, "savez", crash)
    chroma.write("a1", "v2", 2)
    index = chroma.get(LexicalCache(tmp_path))  # still served, from memory
    assert _results(index) == _results(_rebuilt(chroma))
    assert (tmp_path / FILE_NAME).read_bytes() == saved
    assert [p.name for p in tmp_path.iterdir()] == [FILE_NAME]  # no temporary file left
    monkeypatch.undo()

    chroma.reads.clear()
    index = chroma.get(LexicalCache(tmp_path))
    assert chroma.reads == [{"a1"}]
    assert _results(index) == _results(_rebuilt(chroma))


def test_a_damaged_saved_index_is_rebuilt(chroma: Chroma, tmp_path: Path) -> None:
    (tmp_path / FILE_NAME).write_bytes(b"not an index")
    index = chroma.get(LexicalCache(tmp_path))
    assert chroma.reads == [None]
    assert _results(index) == _results(_rebuilt(chroma))
