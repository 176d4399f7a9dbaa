"""A kill -9 during an upload leaves its file behind; the next server start sets it aside (12.8)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient

from assistant.api import create_app
from assistant.api.orphans import MIN_AGE_SECONDS
from tests.api.conftest import ApiEnv
from tests.conftest import REPO

UPLOADER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from assistant.service import ComplyQA
    from assistant.settings import Settings
    from assistant.uploads import UploadedFile
    from tests.conftest import FakeEmbedder

    data, marker = Path(sys.argv[1]), Path(sys.argv[2])

    class Stalling(FakeEmbedder):
        def encode_passages(self, texts, **kw):
            marker.write_text("embedding")  # the file is on disk; the index has nothing yet
            time.sleep(120)

    qa = ComplyQA(Settings.load(data_dir=data), embedder=Stalling())
    upload = UploadedFile.of_bytes("killed.txt", b"Lighthouse keepers log the lamp.")
    qa.add_files(data / "uploads", "uploads", [upload], 10**6, uploaded_by="editor")
    """
)


def _age(path: Path, seconds: float) -> None:
    """Pretend `path` was last written `seconds` ago (the sweep spares fresh files)."""
    then = time.time() - seconds
    for p in [path, *path.rglob("*")] if path.is_dir() else [path]:
        os.utime(p, (then, then))


def test_startup_sets_aside_the_file_of_a_killed_upload(
    make_api: Callable[..., ApiEnv], tmp_path: Path
) -> None:
    env = make_api()
    data = env.settings.data_dir
    kept = env.post("/v1/documents", as_="editor", files=[("files", ("kept.txt", b"Kept rule."))])
    assert kept.json()["added"] == ["uploads/uploads/kept.txt"]

    marker = tmp_path / "embedding-started"
    child = subprocess.Popen(
        [sys.executable, "-c", UPLOADER, str(data), str(marker)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while not marker.exists():
            assert child.poll() is None, child.communicate()[0].decode()[-2000:]
            assert time.monotonic() < deadline, "the upload never reached embedding"
            time.sleep(0.1)
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL
    orphan = data / "uploads" / "uploads" / "killed.txt"
    assert orphan.is_file()
    staging = list((data / "upload-staging").iterdir())
    assert staging  # the interrupted upload's staging folder is left too

    # A fresh orphan may be an upload still running in another worker: it stays.
    with TestClient(create_app(env.settings, qa=env.qa)):
        pass
    assert orphan.is_file()

    for path in (orphan, data / "uploads" / "uploads" / "kept.txt", *staging):
        _age(path, MIN_AGE_SECONDS + 60)
    with TestClient(create_app(env.settings, qa=env.qa)) as client:
        assert client.get("/healthz").status_code == 200
    assert not orphan.exists()
    assert not any((data / "upload-staging").iterdir())
    moved = sorted(p.relative_to(data).as_posix() for p in (data / "upload-orphans").rglob("*"))
    assert any(m.endswith("uploads/uploads/killed.txt") for m in moved), moved
    assert (data / "uploads" / "uploads" / "kept.txt").is_file()  # indexed: not touched
    assert env.get("/v1/documents/uploads/uploads/kept.txt").status_code == 200
    assert env.get("/v1/documents/uploads/uploads/killed.txt").status_code == 404
