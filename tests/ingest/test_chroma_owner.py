"""One managed Chroma server owns a local data dir while it lives (issue 10): discovery
trusts the owner lock, never the published file, and every local connection follows it."""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from ingest import chroma_db
from ingest.chroma_owner import OWNER_FILE, SERVER_FILE, live_server, owned_data_dir
from ingest.models import Chunk, Document
from ingest.settings import IndexSettings
from ingest.store import ChromaStore
from tests.servers import alive

MODEL = "all-MiniLM-L6-v2"


def _publish(data_dir: Path, url: str = "http://127.0.0.1:9", pid: int = 1) -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / SERVER_FILE).write_text(json.dumps({"url": url, "pid": pid}))


@pytest.fixture
def owner_lock(tmp_path: Path) -> Iterator[int]:
    """The owner lock held by this test (flock is per open file, so a probe of this same
    process sees it held)."""
    data_dir = tmp_path / "data"
    data_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(data_dir / OWNER_FILE, os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        yield fd
    finally:
        os.close(fd)


def test_discovery_only_while_the_owner_lock_is_held(tmp_path: Path, owner_lock: int) -> None:
    data_dir = tmp_path / "data"
    assert live_server(data_dir) is None  # held, but nothing published
    _publish(data_dir, "http://127.0.0.1:8123", 4242)
    server = live_server(data_dir)
    assert server is not None and (server.url, server.pid) == ("http://127.0.0.1:8123", 4242)
    os.close(os.dup(owner_lock))  # closing a duplicate keeps the lock
    assert live_server(data_dir) is not None
    fcntl.flock(owner_lock, fcntl.LOCK_UN)
    assert live_server(data_dir) is None


def test_a_stale_file_of_a_killed_owner_is_ignored(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    _publish(data_dir)
    assert live_server(data_dir) is None  # no owner file at all
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                """
                import fcntl, os, sys, time
                fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT)
                fcntl.flock(fd, fcntl.LOCK_EX)
                print("held", flush=True)
                time.sleep(600)
                """
            ),
            str(data_dir / OWNER_FILE),
        ],
        stdout=subprocess.PIPE,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == b"held"
        assert live_server(data_dir) is not None
    finally:
        holder.kill()
        holder.wait(timeout=30)
    assert live_server(data_dir) is None
    assert (data_dir / SERVER_FILE).exists()  # left behind, and harmless


def test_connect_goes_through_a_published_server_while_it_lives(
    tmp_path: Path, owner_lock: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    data_dir = tmp_path / "data"
    remote = object()
    opened: list[str | None] = []

    def http_client(url: str | None) -> object:
        opened.append(url)
        return remote

    monkeypatch.setattr(chroma_db, "_http_client", http_client)
    connection = chroma_db.connect(IndexSettings(data_dir=data_dir))
    local = connection.read(lambda client, _: client)
    assert local is not remote and not connection.remote

    _publish(data_dir, "http://127.0.0.1:8123")
    assert connection.read(lambda client, _: client) is remote
    assert connection.write(lambda client, _: client) is remote
    assert connection.remote and connection.state() is None
    assert opened == ["http://127.0.0.1:8123"]

    fcntl.flock(owner_lock, fcntl.LOCK_UN)  # the owner died
    back = connection.read(lambda client, _: client)
    assert back is not remote and not connection.remote
    assert connection.write(lambda client, _: client) is back
    assert not (data_dir / SERVER_FILE).exists()  # the dead owner's file, tidied under the lock


def _write(store: ChromaStore, doc_id: str) -> None:
    text = f"rule of {doc_id}"
    doc = Document(doc_id, text, "T", "en", doc_id)
    vectors = np.random.default_rng(len(doc_id)).random((1, 8))
    store.write_documents([(doc, [Chunk(doc_id, "1", text, 0, len(text))], vectors)])


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_an_open_store_follows_the_managed_server_and_back(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    store = ChromaStore(IndexSettings(data_dir=data_dir), MODEL)
    _write(store, "a.md")
    with owned_data_dir(data_dir) as server:
        published = live_server(data_dir)
        assert server.started_here and published is not None and published.url == server.url
        # A second owner on the same dir reuses the live server.
        with owned_data_dir(data_dir) as again:
            assert (again.url, again.pid, again.started_here) == (server.url, server.pid, False)
        _write(store, "b.md")  # the next operation switches to the server
        assert store.db.remote and set(store.manifest()) == {"a.md", "b.md"}
        # Its sweep takes the age rule: the server's workers write without leases.
        assert store.sweep_orphans() == 0
    assert live_server(data_dir) is None and not (data_dir / SERVER_FILE).exists()
    assert not alive(server.pid)

    # Back on the files: what was written through the server is there, graph included.
    _write(store, "c.md")
    assert not store.db.remote
    manifest = store.manifest()
    assert set(manifest) == {"a.md", "b.md", "c.md"}
    assert {c.metadata["doc_id"] for c in store.query(np.ones(8), 3, None, manifest)} == {
        "a.md",
        "b.md",
        "c.md",
    }
