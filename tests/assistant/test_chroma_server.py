"""Ingest and ask against a real `chroma run` server on loopback (COMPLYQA_CHROMA_URL)."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.service import ComplyQA
from assistant.settings import Settings
from ingest.chroma_owner import chroma_executable
from tests.conftest import FakeEmbedder
from tests.servers import free_port, stop, wait_until_up

pytestmark = pytest.mark.slow

CORPUS = Path(__file__).resolve().parents[2] / "corpus"


@pytest.fixture
def chroma_url(tmp_path: Path) -> Iterator[str]:
    chroma = chroma_executable()
    port = free_port()
    proc = subprocess.Popen(
        [
            str(chroma),
            "run",
            "--path",
            str(tmp_path / "server"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(proc, f"{url}/api/v2/heartbeat", timeout=60)
        yield url
    finally:
        stop(proc)


def test_ingest_and_ask_through_a_chroma_server(
    chroma_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus = tmp_path / "corpus"
    (corpus / "seeds").mkdir(parents=True)
    shutil.copy(CORPUS / "seeds" / "000_86c7fe4535ba33b1.txt", corpus / "seeds")
    shutil.copytree(CORPUS / "us-ear", corpus / "us-ear")
    monkeypatch.setenv("COMPLYQA_CHROMA_URL", chroma_url)
    settings = Settings.load(data_dir=tmp_path / "worker-a")
    assert settings.chroma_url == chroma_url
    report = ComplyQA(settings).ingest([corpus])
    assert len(report.added) == 5 and not report.failed

    # A second worker with its own local dir sees the same index through the server.
    other = ComplyQA(Settings.load(data_dir=tmp_path / "worker-b"))
    assert other.stats().documents == 5
    answer = other.ask(
        "Which permit does a provider need in China to offer IaaS computing power services?"
    )
    assert any(
        c.doc_id == "seeds/000_86c7fe4535ba33b1.txt" and "B11" in c.quote for c in answer.citations
    )
    assert not (tmp_path / "worker-b" / "chroma").exists()


def test_another_machines_change_shows_through_the_change_marker(
    chroma_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker on another machine notices an upload from one small read of the store's change
    marker, not from re-reading the whole manifest on a timer (set to an hour here)."""
    import assistant.retrieval.index

    monkeypatch.setenv("COMPLYQA_CHROMA_URL", chroma_url)
    monkeypatch.setattr(assistant.retrieval.index, "CHANGE_POLL_SECONDS", 0.0)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.md").write_text("# A\n\nArticle 1 Providers must hold a B11 permit.\n")
    writer = ComplyQA(Settings.load(data_dir=tmp_path / "worker-a"), embedder=FakeEmbedder())
    writer.ingest([corpus], root=corpus)
    reader = ComplyQA(Settings.load(data_dir=tmp_path / "worker-b"), embedder=FakeEmbedder())
    reader.index.settings.index.lexical_refresh_seconds = 3600.0
    assert {p.doc_id for p in reader.search("licence permit", k=5)} == {"a.md"}

    (corpus / "b.md").write_text("# B\n\nArticle 1 Exporters need a licence for lighthouses.\n")
    writer.ingest([corpus], root=corpus)
    assert reader.search("lighthouses licence", k=1)[0].doc_id == "b.md"
    (corpus / "b.md").unlink()
    writer.ingest([corpus], root=corpus)
    assert {p.doc_id for p in reader.search("lighthouses licence", k=5)} == {"a.md"}
