"""Ingest and ask against a real `chroma run` server on loopback (COMPLYQA_CHROMA_URL)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.service import ComplyQA
from assistant.settings import Settings
from tests.servers import free_port, stop, wait_until_up

pytestmark = pytest.mark.slow

CORPUS = Path(__file__).resolve().parents[2] / "corpus"


@pytest.fixture
def chroma_url(tmp_path: Path) -> Iterator[str]:
    chroma = Path(sys.executable).parent / "chroma"
    if not chroma.exists():
        chroma = Path(shutil.which("chroma") or "chroma")
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
