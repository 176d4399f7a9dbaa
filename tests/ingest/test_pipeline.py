"""Incremental, crash-safe ingest (fake embedder: the behaviour, not the model, is under test)."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest

from assistant.models import Filters
from ingest.errors import EmbeddingModelMismatch
from ingest.store import WRITTEN_AT, ChromaStore


def write_corpus(root: Path) -> None:
    (root / "laws").mkdir(parents=True)
    (root / "notes").mkdir()
    (root / "laws" / "a.md").write_text(
        "# Law A\n\nArticle 1 Providers of cloud services must hold a B11 permit.\n"
    )
    (root / "laws" / "b.md").write_text(
        "# Law B\n\nArticle 1 Exporters need a licence for supercomputer items.\n"
    )
    (root / "notes" / "c.txt").write_text(
        "Notes on data retention: logs are kept for six months.\n"
    )


def test_reingest_of_unchanged_corpus_embeds_nothing(
    tmp_path: Path, make_fake_qa, fake_embedder
) -> None:
    write_corpus(tmp_path / "corpus")
    qa = make_fake_qa()
    first = qa.ingest([tmp_path / "corpus"])
    assert sorted(first.added) == ["laws/a.md", "laws/b.md", "notes/c.txt"]
    embedded = fake_embedder.calls
    second = qa.ingest([tmp_path / "corpus"])
    assert sorted(second.unchanged) == sorted(first.added)
    assert fake_embedder.calls == embedded and second.chunks_embedded == 0


def test_changed_file_is_replaced_and_deleted_file_removed(tmp_path: Path, make_fake_qa) -> None:
    corpus = tmp_path / "corpus"
    write_corpus(corpus)
    qa = make_fake_qa()
    qa.ingest([corpus])
    (corpus / "laws" / "a.md").write_text(
        "# Law A\n\nArticle 1 Providers must hold a B25 permit now.\n"
    )
    (corpus / "notes" / "c.txt").unlink()
    report = qa.ingest([corpus])
    assert report.replaced == ["laws/a.md"] and report.removed == ["notes/c.txt"]
    text = qa.document("laws/a.md").text
    assert "B25" in text and "B11" not in text
    hits = qa.search("B11 permit providers", k=10)
    assert all("B11" not in p.text for p in hits)
    assert "notes/c.txt" not in {d.doc_id for d in qa.documents()}


def test_a_file_that_fails_to_parse_is_reported_and_the_rest_continue(
    tmp_path: Path, make_fake_qa
) -> None:
    corpus = tmp_path / "corpus"
    write_corpus(corpus)
    (corpus / "broken.jsonl").write_text('{"id": "1", "text": "ok"}\nnot json\n')
    report = make_fake_qa().ingest([corpus])
    assert [Path(f.path).name for f in report.failed] == ["broken.jsonl"]
    assert "line 2" in report.failed[0].reason
    assert len(report.added) == 3


def test_crash_mid_ingest_leaves_no_half_document_visible(
    tmp_path: Path, make_fake_qa, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus = tmp_path / "corpus"
    write_corpus(corpus)
    qa = make_fake_qa()
    calls = {"n": 0}
    real_commit = ChromaStore._commit

    def crash_on_second(self, c, **kw):  # noqa: ANN001, ANN003, ANN202
        calls["n"] += 1
        if calls["n"] == 2:
            # Every chunk of the group is in Chroma; the process dies before the second
            # document's manifest record.
            raise KeyboardInterrupt("simulated crash")
        return real_commit(self, c, **kw)

    monkeypatch.setattr(ChromaStore, "_commit", crash_on_second)
    with pytest.raises(KeyboardInterrupt):
        qa.ingest([corpus])
    monkeypatch.setattr(ChromaStore, "_commit", real_commit)
    qa.index.invalidate()
    visible = {d.doc_id for d in qa.documents()}
    assert visible == {"laws/a.md"}
    assert all(p.doc_id == "laws/a.md" for p in qa.search("supercomputer licence exporters", k=10))
    report = qa.ingest([corpus])
    assert sorted(report.added) == ["laws/b.md", "notes/c.txt"]
    assert {p.doc_id for p in qa.search("supercomputer licence exporters", k=1)} == {"laws/b.md"}


def test_index_refuses_a_different_embedding_model(tmp_path: Path, make_fake_qa) -> None:
    write_corpus(tmp_path / "corpus")
    make_fake_qa().ingest([tmp_path / "corpus"])
    other = make_fake_qa(embedding={"model": "some/other-model"})
    with pytest.raises(EmbeddingModelMismatch, match="multilingual-e5-small"):
        other.documents()


def test_filters_are_applied_inside_both_retrievers(tmp_path: Path, make_fake_qa) -> None:
    write_corpus(tmp_path / "corpus")
    qa = make_fake_qa()
    qa.ingest([tmp_path / "corpus"])
    only_notes = Filters(groups=["notes"])
    hits = qa.search("permit providers cloud licence logs", k=10, filters=only_notes)
    assert hits and {p.group for p in hits} == {"notes"}
    assert qa.search("permit providers", k=10, filters=Filters(groups=[])) == []
    assert Filters(groups=["laws"]).narrowed_to_groups(["notes"]).groups == []


def test_progress_moves_in_small_steps_inside_one_big_document(
    tmp_path: Path, make_fake_qa, fake_embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One document of ~600 chunks is one embedding group; progress still moves per step."""
    from ingest import pipeline

    sizes: list[int] = []
    real_encode = fake_embedder.encode_passages

    def recording_encode(texts, **kw):  # noqa: ANN001, ANN202
        sizes.append(len(texts))
        return real_encode(texts, **kw)

    monkeypatch.setattr(fake_embedder, "encode_passages", recording_encode)
    paragraphs = [
        f"Paragraph {n}: operator {n} files beacon report {n} " + "with details " * (n % 90)
        for n in range(600)
    ]
    big = tmp_path / "corpus" / "big.md"
    big.parent.mkdir()
    big.write_text("\n\n".join(paragraphs) + "\n")
    qa = make_fake_qa(chunking={"max_chars": 200, "overlap_chars": 0})
    seen: list[pipeline.IngestProgress] = []
    qa.index._note_progress = seen.append  # type: ignore[method-assign]
    report = qa.ingest([big.parent])
    total = report.chunks_embedded
    assert total > 2 * pipeline.MAX_STEP
    assert sizes[0] == pipeline.FIRST_STEP and max(sizes) <= pipeline.MAX_STEP
    assert [p.done for p in seen] == sorted({p.done for p in seen})  # strictly growing
    assert len(seen) >= total // pipeline.MAX_STEP
    assert seen[-1] == pipeline.IngestProgress(done=total, total=total)
    # Embedding shortest-first must not mix up which vector belongs to which chunk.
    stored = qa.index.store._read(
        lambda c: c.chunks.get(include=["documents", "embeddings"], limit=10_000)
    )
    assert len(stored["ids"]) == total
    for text, vector in zip(stored["documents"], stored["embeddings"], strict=True):
        assert np.allclose(vector, fake_embedder._vector(text), atol=1e-6)


def test_encode_in_steps_returns_vectors_in_input_order(fake_embedder) -> None:
    from ingest.pipeline import encode_in_steps

    texts = [f"text {n} " * (n % 7) for n in range(100)]
    steps: list[int] = []
    vectors = encode_in_steps(fake_embedder, texts, steps.append)
    assert sum(steps) == 100 and steps[0] == 16
    assert (vectors == fake_embedder.encode_passages(texts)).all()


def test_encode_steps_follow_the_speed_of_the_model(fake_embedder) -> None:
    """A step lasts about `seconds`: 10 chunks/s and 2 s give steps of 20 after the first."""
    from ingest.pipeline import encode_in_steps

    now = [0.0]

    class TenPerSecond:
        def encode_passages(self, texts):  # noqa: ANN001, ANN202
            now[0] += len(texts) / 10
            return fake_embedder.encode_passages(texts)

    steps: list[int] = []
    encode_in_steps(TenPerSecond(), ["x"] * 100, steps.append, seconds=2.0, clock=lambda: now[0])
    assert steps == [16, 20, 20, 20, 20, 4]


def test_the_orphan_sweep_spares_a_live_writers_uncommitted_chunks(
    tmp_path: Path, make_fake_qa, fake_embedder
) -> None:
    """Another process's ingest sweeps at its start; it must not take chunks a writer has
    stored but not yet committed for a crashed ingest's (they vanished for good before)."""
    write_corpus(tmp_path / "corpus")
    qa = make_fake_qa()
    qa.ingest([tmp_path / "corpus"])
    store = qa.index.store
    dim = fake_embedder.dimension

    def stray(chunk: str, written_at: int) -> None:
        store._write(
            lambda c: c.chunks.upsert(
                ids=[chunk],
                embeddings=np.ones((1, dim), dtype=np.float32),
                documents=["not committed"],
                metadatas=[{"doc_id": "ghost.md", "content_hash": "h", WRITTEN_AT: written_at}],
            )
        )

    with store.db.writing():  # a writer between its chunk write and its manifest record
        stray("ghost.md::h::1", int(time.time()))
        stray("ancient.md::h::1", 0)  # older than the grace period: its writer is long gone
        assert store.sweep_orphans() == 1
        assert store.get_chunks(["ghost.md::h::1"])
    # The writer's lease is gone (a dead process's is dropped by the kernel): sweep it now.
    assert store.sweep_orphans() == 1
    assert store.count_chunks() == sum(int(d.n_chunks) for d in qa.documents())


def test_the_manifest_is_read_again_only_after_a_write(
    tmp_path: Path, make_fake_qa, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ingest.store

    write_corpus(tmp_path / "corpus")
    qa = make_fake_qa()
    qa.ingest([tmp_path / "corpus"])
    reads = []
    real = ingest.store.read_manifest
    monkeypatch.setattr(ingest.store, "read_manifest", lambda c: reads.append(1) or real(c))
    store = qa.index.store
    first = store.manifest()
    assert store.manifest() == first and len(reads) <= 1  # same state: kept
    first["laws/a.md"] = {}  # a caller's copy: changing it changes nothing stored
    assert store.manifest()["laws/a.md"]["content_hash"]
    settled = len(reads)
    store.delete_document("laws/a.md")
    assert "laws/a.md" not in store.manifest() and len(reads) == settled + 1
