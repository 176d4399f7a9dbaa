"""Shared fixtures: a deterministic fake embedder for fast tests, and the real bundled index."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from assistant.service import ComplyQA  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from ingest.settings import EmbeddingSettings  # noqa: E402
from ingest.tokenize import tokenize  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "corpus"


class FakeEmbedder:
    """Bag-of-tokens hashed into 64 dimensions: similar texts get similar vectors, instantly."""

    dimension = 64

    def __init__(self, name: str = "all-MiniLM-L6-v2") -> None:
        self.name = name
        self.settings = EmbeddingSettings(model=name)
        self.calls = 0

    def _vector(self, text: str) -> np.ndarray:
        v = np.zeros(self.dimension, dtype=np.float32)
        for token in tokenize(text) or ["<empty>"]:
            v[int(hashlib.md5(token.encode()).hexdigest(), 16) % self.dimension] += 1.0
        return v / np.linalg.norm(v)

    def encode_passages(self, texts, *, show_progress: bool = False) -> np.ndarray:  # noqa: ANN001
        self.calls += len(texts)
        return (
            np.stack([self._vector(t) for t in texts]) if texts else np.zeros((0, 64), np.float32)
        )

    def encode_query(self, text: str) -> np.ndarray:
        return self._vector(text)

    def prepare_query_encoder(self) -> None:
        """Nothing to export: the fake has no model."""

    def preload(self, *, passages: bool = False) -> None:
        """Nothing to load."""


@pytest.fixture
def fake_embedder() -> FakeEmbedder:
    return FakeEmbedder()


@pytest.fixture
def make_fake_qa(tmp_path: Path, fake_embedder: FakeEmbedder):  # noqa: ANN201
    """A facade over a fresh data dir with the fake embedder (no model load)."""

    def make(**overrides: object) -> ComplyQA:
        settings = Settings.load(data_dir=tmp_path / "data", **overrides)
        return ComplyQA(settings, embedder=fake_embedder)  # type: ignore[arg-type]

    return make


@pytest.fixture(scope="session")
def corpus_qa(tmp_path_factory: pytest.TempPathFactory) -> ComplyQA:
    """The bundled corpus indexed with the real embedding model, once per test session."""
    data = tmp_path_factory.mktemp("corpus-index")
    qa = ComplyQA(Settings.load(data_dir=data))
    report = qa.ingest([CORPUS])
    assert not report.failed, report.failed
    return qa
