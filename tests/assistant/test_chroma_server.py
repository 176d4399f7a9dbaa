"""Ingest and ask against a real `chroma run` server on loopback (COMPLYQA_CHROMA_URL)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from assistant.service import ComplyQA
from assistant.settings import Settings

pytestmark = pytest.mark.slow

CORPUS = Path(__file__).resolve().parents[2] / "corpus"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def chroma_url(tmp_path: Path) -> Iterator[str]:
    chroma = Path(sys.executable).parent / "chroma"
    if not chroma.exists():
        chroma = Path(shutil.which("chroma") or "chroma")
    port = free_port()
    proc = subprocess.Popen(
        [str(chroma), "run", "--path", str(tmp_path / "server"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/api/v2/heartbeat", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        else:
            pytest.fail("chroma server did not start within 60 s")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)


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
    answer = other.ask("Which permit does a provider need in China to offer IaaS computing power services?")
    assert any(c.doc_id == "seeds/000_86c7fe4535ba33b1.txt" and "B11" in c.quote for c in answer.citations)
    assert not (tmp_path / "worker-b" / "chroma").exists()
