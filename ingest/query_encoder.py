"""Query-time twin of a sentence-transformers mean-pooling model, without sentence-transformers.

Importing sentence-transformers pulls in scikit-learn and more: about three seconds before a
cold `complyqa ask` can embed its one question. A model made of Transformer → mean Pooling →
Normalize (all-MiniLM-L6-v2 is) is reproduced here with `transformers` alone, from the same
folder, weights and tokenizer; `tests/ingest/test_query_encoder.py` checks that the vectors
equal sentence-transformers' own. Any other model layout is left to sentence-transformers.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

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


class MeanPoolingEncoder:
    def __init__(self, path: Path) -> None:
        import torch
        from transformers import AutoModel, AutoTokenizer

        self._torch = torch
        config = json.loads((path / "sentence_bert_config.json").read_text())
        self.max_length = int(config.get("max_seq_length", 512))
        self.lowercase = bool(config.get("do_lower_case", False))
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
