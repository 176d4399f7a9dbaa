"""`complyqa serve --workers 2` on a local data dir as real processes (issue 10): one managed
`chroma run` owns the dir, a CLI ingest beside it goes through that server, and the server
never outlives serve, even a `kill -9` of it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import httpx
import pytest

from assistant.service import ComplyQA
from assistant.settings import Settings
from ingest.chroma_owner import SERVER_FILE, live_server
from tests.conftest import REPO, FakeEmbedder
from tests.servers import alive, child_env, free_port, stop, wait_until_up

pytestmark = pytest.mark.slow

COMPLYQA = str(Path(sys.executable).parent / "complyqa")
NEW_DOC = "rules/beacon.md"


def _complyqa(data_dir: Path, *args: str) -> str:
    done = subprocess.run(
        [COMPLYQA, *args],
        env=child_env(data_dir),
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def _ingested_harbour(tmp: Path) -> tuple[Path, Path]:
    """A data dir holding one document, ingested by the CLI; and its corpus folder."""
    data_dir = tmp / "data"
    corpus = tmp / "corpus"
    (corpus / "rules").mkdir(parents=True)
    (corpus / "rules" / "harbour.md").write_text(
        "# Harbour order\n\nHarbour pilots must log every lighthouse visit in the port register.\n"
    )
    _complyqa(data_dir, "ingest", str(corpus), "--root", str(corpus))
    return data_dir, corpus


def _ingest_beacon(data_dir: Path, corpus: Path, url: str, *, timeout: float) -> None:
    """Add NEW_DOC with a separate CLI ingest; wait until `url`'s search shows it."""
    (corpus / NEW_DOC).write_text(
        "# Beacon notice\n\nLighthouse keepers must file a beacon report every month.\n"
    )
    _complyqa(data_dir, "ingest", str(corpus), "--root", str(corpus))
    deadline = time.monotonic() + timeout
    while NEW_DOC not in _search(url, "lighthouse beacon report"):
        assert time.monotonic() < deadline, "the CLI's document never showed"
        time.sleep(0.2)


@contextmanager
def _serve(tmp: Path, data_dir: Path) -> Iterator[tuple[subprocess.Popen[bytes], str, Path]]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = tmp / f"serve-{port}.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [COMPLYQA, "serve", "--workers", "2", "--no-auth", "--port", str(port)],
            env=child_env(data_dir),
            cwd=REPO,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until_up(proc, f"{url}/healthz", timeout=240, log=log)
        yield proc, url, log
    finally:
        if proc.poll() is None:
            stop(proc)


def _search(url: str, q: str) -> set[str]:
    """One request on a fresh connection, so the two workers both get some."""
    response = httpx.get(f"{url}/v1/search", params={"q": q, "k": 10}, timeout=120)
    assert response.status_code == 200, response.text
    return {p["doc_id"] for p in response.json()["passages"]}


def _children(pid: int) -> list[int]:
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError, IndexError):
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


def _gone(pid: int, timeout: float = 30) -> bool:
    deadline = time.monotonic() + timeout
    while alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


@pytest.mark.timeout(900)
def test_cli_ingest_beside_two_workers_shows_on_both_and_serve_stops_its_server(
    tmp_path: Path,
) -> None:
    data_dir, corpus = _ingested_harbour(tmp_path)

    with _serve(tmp_path, data_dir) as (proc, url, log):
        server = live_server(data_dir)
        assert server is not None and server.url != url
        assert "Chroma server on" in log.read_text()
        assert all(
            _search(url, "lighthouse beacon report") == {"rules/harbour.md"} for _ in range(4)
        )

        _ingest_beacon(data_dir, corpus, url, timeout=30)
        # Visible on every request, whichever worker takes it, without a restart.
        seen = [NEW_DOC in _search(url, "lighthouse beacon report") for _ in range(16)]
        assert all(seen), seen

        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=120) == 0, log.read_text()[-3000:]
    assert _gone(server.pid)
    assert live_server(data_dir) is None and not (data_dir / SERVER_FILE).exists()

    # Local access again, no cleanup: the files hold what went through the server.
    qa = ComplyQA(Settings.load(data_dir=data_dir), embedder=FakeEmbedder())  # type: ignore[arg-type]
    assert {d.doc_id for d in qa.documents()} == {"rules/harbour.md", NEW_DOC}
    assert not qa.index.store.db.remote
    assert qa.delete_document("rules/harbour.md")
    assert {d.doc_id for d in qa.documents()} == {NEW_DOC}


@pytest.mark.timeout(600)
def test_kill_9_of_serve_takes_its_chroma_server_along(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    with _serve(tmp_path, data_dir) as (proc, _url, _log):
        server = live_server(data_dir)
        assert server is not None and alive(server.pid)
        workers = [pid for pid in _children(proc.pid) if pid != server.pid]
        try:
            proc.kill()
            proc.wait(timeout=30)
            assert _gone(server.pid), "the Chroma server outlived serve"
        finally:
            for pid in workers:  # uvicorn's orphaned workers are not this test's subject
                with suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
    assert (data_dir / SERVER_FILE).exists()  # left behind, and ignored once the lock is free:
    # a killed process shows as a zombie a moment before its last thread closes its files.
    deadline = time.monotonic() + 10
    while live_server(data_dir) is not None:
        assert time.monotonic() < deadline, "the owner lock outlived the Chroma server"
        time.sleep(0.05)

    qa = ComplyQA(Settings.load(data_dir=data_dir), embedder=FakeEmbedder())  # type: ignore[arg-type]
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "tide.md").write_text("# Tide table\n\nTide tables are published each week.\n")
    report = qa.ingest([notes], root=notes)
    assert report.added == ["tide.md"] and not report.failed
    assert not qa.index.store.db.remote
    assert [p.doc_id for p in qa.search("tide tables")] == ["tide.md"]
    assert not (data_dir / SERVER_FILE).exists()  # tidied by the first local operation


@pytest.mark.timeout(900)
def test_a_serve_that_reused_the_server_carries_on_when_its_owner_stops(tmp_path: Path) -> None:
    """A second `serve --workers 2` on the same dir reuses the first's Chroma server. Its
    workers find that server as any process on the dir does, so when the first serve stops
    (and its server with it) they go back to the files instead of failing."""
    data_dir, corpus = _ingested_harbour(tmp_path)
    with _serve(tmp_path, data_dir) as (first, _first_url, _first_log):
        server = live_server(data_dir)
        assert server is not None
        with _serve(tmp_path, data_dir) as (_second, url, log):
            assert "reusing the Chroma server" in log.read_text()
            assert _search(url, "lighthouse visit") == {"rules/harbour.md"}
            first.send_signal(signal.SIGTERM)
            assert first.wait(timeout=120) == 0
            assert _gone(server.pid) and live_server(data_dir) is None
            # Both workers of the second serve answer from the files now, and see a change.
            assert all(_search(url, "lighthouse visit") == {"rules/harbour.md"} for _ in range(6))
            _ingest_beacon(data_dir, corpus, url, timeout=60)
