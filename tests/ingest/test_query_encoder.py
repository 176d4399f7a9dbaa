"""The light query encoder must give the same vectors as sentence-transformers itself."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from ingest.embeddings import Embedder, resolve_model_path
from ingest.query_encoder import MeanPoolingEncoder, supports
from ingest.settings import EmbeddingSettings

pytestmark = pytest.mark.slow

TEXTS = [
    "Which permit does a provider need in China to offer IaaS computing power services?",
    "网络运营者应当按照网络安全等级保护制度的要求履行哪些安全保护义务？",
    "§ 744.23(a)(1) supercomputer end use " * 60,  # longer than max_seq_length: truncated alike
    "x",
]


def test_vectors_match_sentence_transformers() -> None:
    path = resolve_model_path("all-MiniLM-L6-v2")
    assert supports(path)
    light = MeanPoolingEncoder(path).encode(TEXTS)
    full = Embedder(EmbeddingSettings()).encode_passages(TEXTS)
    assert light.shape == full.shape
    assert np.allclose(light, full, atol=1e-5)


def test_embedder_queries_go_through_the_light_encoder() -> None:
    embedder = Embedder(EmbeddingSettings())
    vector = embedder.encode_query(TEXTS[0])
    assert embedder._model is None  # sentence-transformers never loaded for a query
    assert np.isclose(np.linalg.norm(vector), 1.0, atol=1e-5)


def test_other_layouts_are_left_to_sentence_transformers(tmp_path: Path) -> None:
    (tmp_path / "1_Pooling").mkdir()
    (tmp_path / "modules.json").write_text(
        json.dumps(
            [
                {
                    "idx": 0,
                    "name": "0",
                    "path": "",
                    "type": "sentence_transformers.models.Transformer",
                },
                {
                    "idx": 1,
                    "name": "1",
                    "path": "1_Pooling",
                    "type": "sentence_transformers.models.Pooling",
                },
            ]
        )
    )
    (tmp_path / "1_Pooling" / "config.json").write_text(
        json.dumps({"pooling_mode_cls_token": True})
    )
    assert not supports(tmp_path)
    assert not supports(tmp_path / "missing")
