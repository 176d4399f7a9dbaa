"""Incremental, crash-safe ingest (fake embedder: the behaviour, not the model, is under test)."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.models import Filters
from ingest.errors import EmbeddingModelMismatch
from ingest.store import ChromaStore, chunk_id, chunk_metadata


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
    real_write = ChromaStore.write_document

    def crash_on_second(self, doc, chunks, vectors):  # noqa: ANN001, ANN202
        calls["n"] += 1
        if calls["n"] == 2:
            # Chunks reach Chroma, then the process dies before the manifest record.
            self._write(
                lambda col: col.chunks.upsert(
                    ids=[chunk_id(doc, c) for c in chunks],
                    embeddings=vectors,
                    documents=[c.text for c in chunks],
                    metadatas=[chunk_metadata(doc, c) for c in chunks],
                )
            )
            raise KeyboardInterrupt("simulated crash")
        return real_write(self, doc, chunks, vectors)

    monkeypatch.setattr(ChromaStore, "write_document", crash_on_second)
    with pytest.raises(KeyboardInterrupt):
        qa.ingest([corpus])
    monkeypatch.setattr(ChromaStore, "write_document", real_write)
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
    with pytest.raises(EmbeddingModelMismatch, match="all-MiniLM-L6-v2"):
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
