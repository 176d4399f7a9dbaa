"""Threads of one process and a second process read and write one data dir at once (12.1)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import numpy as np
import pytest

from ingest.models import Chunk, Document
from ingest.settings import IndexSettings
from ingest.store import ChromaStore
from tests.conftest import REPO

MODEL = "all-MiniLM-L6-v2"
OTHER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    import numpy as np
    from ingest.models import Chunk, Document
    from ingest.settings import IndexSettings
    from ingest.store import ChromaStore

    store = ChromaStore(IndexSettings(data_dir=Path(sys.argv[1])), "all-MiniLM-L6-v2")
    rng = np.random.default_rng(1)
    for n in range(40):
        text = f"other process rule {n}"
        doc = Document(f"other/doc{n}.md", text, "T", "en", f"h{n}")
        store.write_documents([(doc, [Chunk(doc.doc_id, "1", text, 0, len(text))], rng.random((1, 8)))])
        if n >= 2:
            store.delete_document(f"other/doc{n - 2}.md")
    """
)


def _write(store: ChromaStore, doc_id: str, rng: np.random.Generator) -> None:
    text = f"rule of {doc_id}"
    doc = Document(doc_id, text, "T", "en", doc_id)
    store.write_documents([(doc, [Chunk(doc_id, "1", text, 0, len(text))], rng.random((1, 8)))])


# A regression hangs inside Chroma's Rust client, where no signal reaches: the thread method
# ends the run instead (the child process is killed below long before that).
@pytest.mark.timeout(540, method="thread")
def test_threads_and_another_process_share_a_data_dir(tmp_path: Path) -> None:
    settings = IndexSettings(data_dir=tmp_path / "data")
    store = ChromaStore(settings, MODEL)
    rng = np.random.default_rng(0)
    for n in range(5):
        _write(store, f"mine/seed{n}.md", rng)
    other = subprocess.Popen(
        [sys.executable, "-c", OTHER, str(settings.data_dir)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    errors: list[BaseException] = []
    stop = threading.Event()

    def reader(group: str) -> None:
        local = ChromaStore(settings, MODEL)  # a second store of this process, same connection
        try:
            while not stop.is_set():
                manifest = local.manifest()
                local.query(np.ones(8), 5, {"group": group}, manifest)
                local.query(np.ones(8), 5, None, manifest)
        except BaseException as exc:
            errors.append(exc)

    def writer() -> None:
        try:
            n = 0
            while not stop.is_set():
                _write(store, f"mine/doc{n}.md", np.random.default_rng(n))
                n += 1  # back to back: the other process's writer must not starve
        except BaseException as exc:
            errors.append(exc)

    threads = [
        threading.Thread(target=reader, args=(g,), daemon=True) for g in ("other", "mine", "other")
    ]
    threads.append(threading.Thread(target=writer, daemon=True))
    for t in threads:
        t.start()
    try:
        out = other.communicate(timeout=420)[0].decode()
    finally:
        stop.set()
        other.kill()  # stuck (the old deadlock): its locks go with it, and this process recovers
        for t in threads:
            t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a thread is stuck (deadlock?)"
    assert other.returncode == 0, out[-3000:]
    assert not errors, errors[:3]
    manifest = store.manifest()
    assert {"other/doc38.md", "other/doc39.md"} <= set(manifest)
    assert "other/doc0.md" not in manifest
    hits = store.query(np.ones(8), 5, {"doc_id": "other/doc39.md"}, manifest)
    assert [h.chunk_id.split("::")[0] for h in hits] == ["other/doc39.md"]
