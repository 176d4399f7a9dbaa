"""An index past SQLite's variable limit (~32k rows in one statement) still works end to end.

Chroma turns an unbounded `get` into one statement with a variable per row, so every bulk
read must page. The corpus here is synthetic (42,000 one-line passages in JSONL files) and
embedded by the fake embedder, so the test needs no model.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from assistant.api import create_app
from assistant.models import Filters
from assistant.service import ComplyQA
from assistant.settings import Settings
from ingest import store as store_module
from tests.conftest import FakeEmbedder

N_FILES, PER_FILE = 21, 2000  # 42,000 chunks: well above the ~32k variable limit

pytestmark = pytest.mark.slow


def _write_corpus(root: Path) -> Path:
    corpus = root / "big"
    for group in ("alpha", "beta"):
        (corpus / group).mkdir(parents=True)
    for f in range(N_FILES):
        group = "alpha" if f % 2 == 0 else "beta"
        lines = [
            json.dumps(
                {"id": f"p{n}", "text": f"Rule {f}-{n}: widget{f}x{n} needs permit{n % 97}."}
            )
            for n in range(PER_FILE)
        ]
        (corpus / group / f"rules{f:02d}.jsonl").write_text("\n".join(lines))
    (corpus / "alpha" / "special.md").write_text(
        "# Lighthouse keeping\n\nA lighthouse keeper must log the lamp every night.\n"
    )
    return corpus


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> tuple[ComplyQA, Path]:
    root = tmp_path_factory.mktemp("scale")
    corpus = _write_corpus(root)
    settings = Settings.load(data_dir=root / "data", api={"rate_limit_per_minute": 100_000})
    qa = ComplyQA(settings, embedder=FakeEmbedder())  # type: ignore[arg-type]
    report = qa.ingest([corpus], root=corpus)
    assert not report.failed, report.failed
    return qa, corpus


def test_index_is_past_the_sqlite_variable_limit(big: tuple[ComplyQA, Path]) -> None:
    qa, _ = big
    assert qa.stats().chunks > 40_000
    assert qa.index.store.count_chunks() > store_module.PAGE_SIZE * 8


def test_second_ingest_sweeps_and_skips_unchanged(big: tuple[ComplyQA, Path]) -> None:
    qa, corpus = big
    report = qa.ingest([corpus], root=corpus)
    assert not report.failed
    assert qa.stats().documents == N_FILES + 1


def test_search_ask_and_filters_work(big: tuple[ComplyQA, Path]) -> None:
    qa, _ = big
    hits = qa.search("lighthouse keeper lamp", k=5)
    assert hits and hits[0].doc_id == "alpha/special.md"
    scoped = qa.search("widget3x17 permit", k=5, filters=Filters(groups=["beta"]))
    assert scoped and all(p.group == "beta" for p in scoped)
    answer = qa.ask("What must a lighthouse keeper log?")
    assert any(c.doc_id == "alpha/special.md" for c in answer.citations)


def test_visible_chunks_reads_every_page(big: tuple[ComplyQA, Path]) -> None:
    qa, _ = big
    chunks = qa.index.store.visible_chunks(qa.index.manifest(fresh=True))
    assert len(chunks) == qa.stats().chunks
    assert len({c.chunk_id for c in chunks}) == len(chunks)


def test_sources_delete_and_api(big: tuple[ComplyQA, Path]) -> None:
    qa, _ = big
    assert len(qa.documents()) == N_FILES + 1
    app = create_app(qa.settings, qa=qa)
    state = app.state.complyqa
    secret, _ = state.keys.create("admin", "admin", None)
    headers = {"Authorization": f"Bearer {secret}"}
    with TestClient(app) as client:
        search = client.get(
            "/v1/search", params={"q": "widget4x5 permit5", "group": "beta"}, headers=headers
        )
        assert search.status_code == 200, search.text
        assert search.json()["passages"]
        docs = client.get("/v1/documents", headers=headers)
        assert docs.status_code == 200 and len(docs.json()) == N_FILES + 1
        gone = client.delete("/v1/documents/beta/rules01.jsonl", headers=headers)
        assert gone.status_code in (200, 204), gone.text
        ask = client.post("/v1/ask", json={"question": "lighthouse lamp log"}, headers=headers)
        assert ask.status_code == 200, ask.text
    assert qa.stats().chunks == (N_FILES - 1) * PER_FILE + 1
    assert qa.index.store.sweep_orphans() == 0
