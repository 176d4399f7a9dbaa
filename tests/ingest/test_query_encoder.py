"""The light query encoder must give the same vectors as sentence-transformers itself."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from ingest.embeddings import Embedder, resolve_model_path
from ingest.query_encoder import (
    MeanPoolingEncoder,
    OnnxMeanPoolingEncoder,
    export_onnx,
    onnx_path,
    supports,
)
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


def test_onnx_export_gives_sentence_transformers_vectors(tmp_path: Path) -> None:
    path = resolve_model_path("all-MiniLM-L6-v2")
    graph = export_onnx(path, onnx_path(path, tmp_path))
    light = OnnxMeanPoolingEncoder(path, graph).encode(TEXTS)
    full = Embedder(EmbeddingSettings()).encode_passages(TEXTS)
    assert light.shape == full.shape
    assert np.allclose(light, full, atol=1e-5)
    assert not list(tmp_path.glob(".*partial"))  # written to a temporary name, then renamed


COLD_QUERY = """
import sys
from pathlib import Path
from ingest.embeddings import Embedder
from ingest.settings import EmbeddingSettings
embedder = Embedder(EmbeddingSettings(), cache_dir=Path(sys.argv[1]))
vector = embedder.encode_query("What is the maximum fine under the PIPL?")
print(type(embedder._query_encoder).__name__, "torch" in sys.modules, round(float(vector @ vector), 4))
"""


def _cold_query(cache_dir: Path) -> list[str]:
    """(encoder class, whether torch was imported, |v|²) of one query in a new process."""
    return subprocess.run(
        [sys.executable, "-c", COLD_QUERY, str(cache_dir)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()


def test_after_an_export_a_cold_query_imports_no_torch(tmp_path: Path) -> None:
    assert _cold_query(tmp_path) == ["MeanPoolingEncoder", "True", "1.0"]  # no export: torch
    assert Embedder(EmbeddingSettings(), cache_dir=tmp_path).prepare_query_encoder() is not None
    assert _cold_query(tmp_path) == ["OnnxMeanPoolingEncoder", "False", "1.0"]
