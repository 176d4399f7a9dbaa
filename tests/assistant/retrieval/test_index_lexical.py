"""Through Chroma: the lexical index follows another process's change document by document.

A writer process ingests, replaces and deletes documents in the data dir this process reads;
the reader's next `Index.lexical()` re-reads from Chroma only the changed document, a restart
reads nothing, and both give the results a full rebuild gives.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Collection
from pathlib import Path

import pytest

from assistant.retrieval.index import Index
from ingest.lexical import LexicalIndex
from ingest.records import Metadata, StoredChunk
from ingest.settings import IndexSettings, IngestSettings
from ingest.store import ChromaStore
from tests.conftest import REPO, FakeEmbedder

QUERIES = ["网络运营者 保存 网络日志", "个人信息 出境 安全评估", "export licence penalty", "罚款"]
LAWS = {
    "laws/network.md": "# 网络法\n\n第一条 网络运营者应当保存网络日志不少于六个月。\n\n"
    "第二条 违反前条规定的，处一万元以上十万元以下罚款。\n",
    "laws/data.md": "# 数据法\n\n第一条 个人信息出境前应当进行安全评估。\n\n"
    "第二条 未经评估出境的，处五十万元以下罚款。\n",
    "ear/licence.md": "# Export rules\n\nAn export licence is required for listed items.\n\n"
    "A penalty applies to every export without a licence.\n",
}


def _settings(data: Path) -> IngestSettings:
    return IngestSettings(index=IndexSettings(data_dir=data, lexical_refresh_seconds=0))


def _writer(data: Path, corpus: Path, delete: str | None = None) -> None:
    """Ingest `corpus` (and delete a document) in another process, as a second worker would."""
    script = textwrap.dedent(
        f"""
        from pathlib import Path
        from assistant.retrieval.index import Index
        from ingest.settings import IndexSettings, IngestSettings
        from tests.conftest import FakeEmbedder
        settings = IngestSettings(index=IndexSettings(data_dir=Path({str(data)!r})))
        index = Index(settings, FakeEmbedder())
        report = index.indexer.ingest_paths([Path({str(corpus)!r})], Path({str(corpus)!r}))
        assert not report.failed, report.failed
        if {delete!r}:
            index.store.delete_document({delete!r})
        """
    )
    subprocess.run([sys.executable, "-c", script], cwd=REPO, check=True, timeout=300)


class ReadLog:
    """Wraps the store's chunk reads and records which documents were asked for."""

    def __init__(self, store: ChromaStore, monkeypatch: pytest.MonkeyPatch) -> None:
        self.reads: list[set[str] | None] = []
        read = store.visible_chunks

        def logged(
            manifest: dict[str, Metadata], doc_ids: Collection[str] | None = None
        ) -> list[StoredChunk]:
            self.reads.append(None if doc_ids is None else set(doc_ids))
            return read(manifest, doc_ids)

        monkeypatch.setattr(store, "visible_chunks", logged)


def _results(index: LexicalIndex) -> list[list[tuple[str, float]]]:
    return [[(h.chunk_id, round(h.score, 6)) for h in index.search(q, 10)] for q in QUERIES]


def _rebuilt(index: Index) -> LexicalIndex:
    return LexicalIndex.build("", index.store.visible_chunks(index.manifest(fresh=True)))


def test_another_process_s_changes_reach_the_lexical_index_incrementally(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus, data = tmp_path / "corpus", tmp_path / "data"
    for doc_id, text in LAWS.items():
        (corpus / doc_id).parent.mkdir(parents=True, exist_ok=True)
        (corpus / doc_id).write_text(text)
    _writer(data, corpus)
    reader = Index(_settings(data), FakeEmbedder())  # type: ignore[arg-type]
    log = ReadLog(reader.store, monkeypatch)
    assert _results(reader.lexical()) == _results(_rebuilt(reader))
    assert log.reads[0] is None  # first start: one full read, then saved

    # The writer replaces one law, adds one and deletes one.
    (corpus / "laws/network.md").write_text(
        LAWS["laws/network.md"] + "\n第三条 网络日志应当每年报告一次，违者罚款。\n"
    )
    (corpus / "laws/new.md").write_text("# 新法\n\n第一条 安全评估结果应当报告网信部门。\n")
    _writer(data, corpus, delete="ear/licence.md")
    log.reads.clear()
    index = reader.lexical()
    assert log.reads == [{"laws/network.md", "laws/new.md"}]
    assert "ear/licence.md" not in {h.chunk_id.split("::")[0] for h in index.search("export", 10)}
    assert _results(index) == _results(_rebuilt(reader))

    # A restarted process loads the saved index and reads no chunk (once the save, done on a
    # thread so no request waits for it, is on disk).
    reader._lexical.flush()
    restarted = Index(_settings(data), FakeEmbedder())  # type: ignore[arg-type]
    log = ReadLog(restarted.store, monkeypatch)
    assert _results(restarted.lexical()) == _results(index)
    assert log.reads == []
