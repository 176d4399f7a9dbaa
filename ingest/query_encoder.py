"""Query-time twins of a sentence-transformers mean-pooling model, without sentence-transformers.

Importing sentence-transformers pulls in scikit-learn and more, and torch itself takes
seconds to import: most of a cold `complyqa ask`, which embeds one question. A model made of
Transformer → mean Pooling → Normalize (all-MiniLM-L6-v2 is) is reproduced here twice, from
the same folder, weights and tokenizer:

- `MeanPoolingEncoder`: `transformers` + torch, no sentence-transformers;
- `OnnxMeanPoolingEncoder`: onnxruntime + `tokenizers`, no torch at all, from an ONNX export
  of the same weights (`export_onnx`) that an ingest writes once into the data dir.

`tests/ingest/test_query_encoder.py` checks that both give sentence-transformers' own vectors.
Any other model layout is left to sentence-transformers.
"""

from __future__ import annotations

import hashlib
import json
import os
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

_EXPECTED_MODULES = [
    "sentence_transformers.models.Transformer",
    "sentence_transformers.models.Pooling",
    "sentence_transformers.models.Normalize",
]


def supports(path: Path) -> bool:
    """True when the model folder is exactly Transformer → mean Pooling → Normalize."""
    try:
        modules = json.loads((path / "modules.json").read_text())
        if [m["type"] for m in modules] != _EXPECTED_MODULES or modules[0]["path"] != "":
            return False
        pooling = json.loads((path / modules[1]["path"] / "config.json").read_text())
    except (OSError, ValueError, KeyError, IndexError):
        return False
    modes = {k: v for k, v in pooling.items() if k.startswith("pooling_mode_")}
    return (
        modes.get("pooling_mode_mean_tokens") is True and sum(bool(v) for v in modes.values()) == 1
    )


def _input_config(path: Path) -> tuple[int, bool]:
    """(max_seq_length, do_lower_case) as sentence-transformers reads them."""
    config = json.loads((path / "sentence_bert_config.json").read_text())
    return int(config.get("max_seq_length", 512)), bool(config.get("do_lower_case", False))


def onnx_path(model: Path, cache_dir: Path) -> Path:
    """Where the ONNX export of the model in `model` is cached under `cache_dir`.

    Keyed by the weight files' paths, sizes and modification times (cheap to read on every
    cold start, unlike a hash of 90 MB): new weights in the same folder get a new export.
    """
    weights = sorted(model.glob("*.safetensors")) or sorted(model.glob("*.bin"))
    stamp = [(str(w.resolve()), w.stat().st_size, w.stat().st_mtime_ns) for w in weights]
    key = hashlib.sha256(repr(stamp).encode()).hexdigest()[:16]
    return cache_dir / f"query-encoder-{key}.onnx"


class MeanPoolingEncoder:
    def __init__(self, path: Path) -> None:
        import torch
        from transformers import AutoModel, AutoTokenizer

        self._torch = torch
        self.max_length, self.lowercase = _input_config(path)
        self.tokenizer = AutoTokenizer.from_pretrained(str(path), local_files_only=True)
        self.model = AutoModel.from_pretrained(str(path), local_files_only=True).eval()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        torch = self._torch
        batch = [t.lower() for t in texts] if self.lowercase else list(texts)
        encoded = self.tokenizer(
            batch, padding=True, truncation=True, max_length=self.max_length, return_tensors="pt"
        )
        with torch.inference_mode():
            hidden = self.model(**encoded).last_hidden_state
            mask = encoded["attention_mask"].unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
            normalized = torch.nn.functional.normalize(pooled, p=2, dim=1)
        return normalized.numpy().astype(np.float32)


def export_onnx(model: Path, dest: Path) -> Path:
    """Write the ONNX graph of `model` (Transformer → mean pooling → normalize) to `dest`."""
    encoder = MeanPoolingEncoder(model)
    sample = encoder.tokenizer(["a sample question"], return_tensors="pt")
    return export_pooled(encoder.model, sample["input_ids"], sample["attention_mask"], dest)


def export_pooled(transformer: Any, input_ids: Any, attention_mask: Any, dest: Path) -> Path:
    """Write `transformer` (a Hugging Face encoder) followed by mean pooling and unit
    normalization to `dest` as ONNX, batch and length dynamic; `input_ids`/`attention_mask`
    are a sample batch (torch tensors) to trace with.

    Written to a temporary file and renamed, so a reader never opens half an export.
    """
    import torch

    class Pooled(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.transformer = transformer

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            hidden = self.transformer(
                input_ids=input_ids, attention_mask=attention_mask
            ).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, p=2, dim=1)

    dest.parent.mkdir(parents=True, exist_ok=True)
    partial = dest.with_name(f".{dest.name}.{os.getpid()}.partial")
    # The tracer warns about shapes it freezes (padding, causal masks); the export is checked
    # against the torch model on padded, truncated batches by the tests instead.
    with torch.inference_mode(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            Pooled().eval(),
            (input_ids, attention_mask),
            str(partial),
            input_names=["input_ids", "attention_mask"],
            output_names=["embedding"],
            dynamic_axes={
                "input_ids": {0: "batch", 1: "tokens"},
                "attention_mask": {0: "batch", 1: "tokens"},
                "embedding": {0: "batch"},
            },
            opset_version=17,
            dynamo=False,
        )
    os.replace(partial, dest)
    return dest


class OnnxMeanPoolingEncoder:
    """`MeanPoolingEncoder` on onnxruntime: loads in a fraction of a second, imports no torch."""

    def __init__(self, model: Path, graph: Path, *, threads: int = 2) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.max_length, self.lowercase = _input_config(model)
        self.tokenizer = Tokenizer.from_file(str(model / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length=self.max_length)
        pad_id = self.tokenizer.token_to_id("[PAD]") or 0
        self.tokenizer.enable_padding(pad_id=pad_id, pad_token="[PAD]")
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self.session = ort.InferenceSession(str(graph), options, providers=["CPUExecutionProvider"])

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        batch = [t.lower() for t in texts] if self.lowercase else list(texts)
        encoded = self.tokenizer.encode_batch(batch)
        ids = np.asarray([e.ids for e in encoded], dtype=np.int64)
        mask = np.asarray([e.attention_mask for e in encoded], dtype=np.int64)
        out = self.session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
        return np.asarray(out, dtype=np.float32)
