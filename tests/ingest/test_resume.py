"""An ingest killed with SIGKILL resumes: the rerun embeds only what was not committed (issue 10).

A real child process ingests the bundled corpus with a deliberately slow fake model and small
commit groups; it is killed (SIGKILL, no cleanup) once a few documents are committed. The
same ingest run again must report those documents unchanged, embed exactly the chunks of the
others, and leave an index with every document and no stray chunk.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from assistant.service import ComplyQA
from assistant.settings import Settings
from tests.conftest import CORPUS, REPO, FakeEmbedder

pytestmark = pytest.mark.slow

CHILD = textwrap.dedent(
    """
    import json, sys, time
    from pathlib import Path
    import ingest.pipeline as pipeline
    from assistant.service import ComplyQA
    from assistant.settings import Settings
    from tests.conftest import FakeEmbedder

    class SlowModel(FakeEmbedder):
        def encode_passages(self, texts, **kw):
            time.sleep(0.25)
            return super().encode_passages(texts)

    pipeline.EMBED_GROUP = 40  # commit after every few documents
    qa = ComplyQA(Settings.load(data_dir=Path(sys.argv[1])), embedder=SlowModel())
    print(json.dumps(qa.ingest([Path(sys.argv[2])]).model_dump()))
    """
)


def _child(data: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, str(data), str(CORPUS)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_a_killed_ingest_resumes_without_re_embedding_committed_documents(tmp_path: Path) -> None:
    data = tmp_path / "data"
    reader = ComplyQA(Settings.load(data_dir=data), embedder=FakeEmbedder())  # type: ignore[arg-type]
    child = _child(data)
    deadline = time.monotonic() + 120
    committed: dict[str, int] = {}
    while time.monotonic() < deadline and child.poll() is None:
        manifest = reader.index.store.manifest()
        if len(manifest) >= 3:
            child.send_signal(signal.SIGKILL)
            break
        time.sleep(0.05)
    child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL, "the ingest ended before it could be killed"
    manifest = reader.index.store.manifest()
    committed = {doc_id: int(meta["n_chunks"]) for doc_id, meta in manifest.items()}
    assert 3 <= len(committed) < 20
    # No half document: a killed group may leave chunks without their record (invisible; the
    # next ingest sweeps them, the dead writer's lease being gone), but none is served.
    assert len(reader.index.store.visible_chunks(manifest)) == sum(committed.values())

    rerun = _child(data)
    out, err = rerun.communicate(timeout=300)
    assert rerun.returncode == 0, err
    report = json.loads(out.strip().splitlines()[-1])
    assert sorted(report["unchanged"]) == sorted(committed)
    final = reader.index.store.manifest()
    total = sum(int(meta["n_chunks"]) for meta in final.values())
    assert len(final) == 20
    assert report["chunks_embedded"] == total - sum(committed.values())
    assert reader.index.store.count_chunks() == total  # no stray chunk left
