"""A small index is searched exactly: the nearest chunks are the true nearest, in every
process, whatever the approximate graph would have returned."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np

from assistant.service import ComplyQA
from assistant.settings import Settings
from ingest import store as store_module
from tests.conftest import FakeEmbedder


class RandomEmbedder(FakeEmbedder):
    """Random 256-number vectors, fixed per text: the hardest case for a graph search."""

    dimension = 256

    def _vector(self, text: str) -> np.ndarray:
        seed = int(hashlib.md5(text.encode()).hexdigest()[:8], 16)
        v = np.random.default_rng(seed).standard_normal(self.dimension).astype(np.float32)
        return v / np.linalg.norm(v)

    def encode_passages(self, texts, *, show_progress: bool = False) -> np.ndarray:  # noqa: ANN001
        self.calls += len(texts)
        return np.stack([self._vector(t) for t in texts]) if texts else np.zeros((0, 256))


def test_a_small_index_returns_the_true_nearest_chunks(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    lines = [json.dumps({"id": f"p{n}", "text": f"Rule {n} of the register."}) for n in range(1500)]
    (corpus / "rules.jsonl").write_text("\n".join(lines))
    embedder = RandomEmbedder()
    qa = ComplyQA(Settings.load(data_dir=tmp_path / "data"), embedder=embedder)  # type: ignore[arg-type]
    assert not qa.ingest([corpus], root=corpus).failed
    store, manifest = qa.index.store, qa.index.manifest()
    assert store_module.committed_chunks(manifest) <= store_module.EXACT_SEARCH_UP_TO

    ids = [c.chunk_id for c in store.query(embedder.encode_query("x"), 2000, None, manifest)]
    chunks = store.get_chunks(ids)
    assert len(chunks) == store_module.committed_chunks(manifest)
    matrix = embedder.encode_passages([c.text for c in chunks])
    for n in range(10):
        vector = embedder.encode_query(f"question {n}")
        distances = 1.0 - matrix @ vector
        truth = [chunks[i].chunk_id for i in np.argsort(distances, kind="stable")[:50]]
        got = [c.chunk_id for c in store.query(vector, 50, None, manifest)]
        assert set(got) == set(truth), len(set(got) ^ set(truth))
