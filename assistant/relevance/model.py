"""The shipped relevance model: how well a passage (or one sentence) answers a question.

A cross-encoder trained by `make train-relevance` (scripts/relevance/) and shipped in
`assistant/relevance/model/` as int8 ONNX with its vocabulary and model card. It runs on
onnxruntime, so answering needs neither torch nor a download. Scores are probabilities
(sigmoid of the logit): comparable across questions, which is what lets one calibrated
threshold decide whether any passage answers at all.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from assistant.relevance.tokenizer import PairTokenizer, Vocabulary
from ingest.errors import ConfigurationError

MODEL_DIR = Path(__file__).with_name("model")
_FILES = ("model.onnx", "vocab.json", "card.json")


class RelevanceModel:
    """Scores (question, passage) pairs; loads lazily, thread-safe, batches internally."""

    def __init__(self, directory: Path = MODEL_DIR, *, threads: int = 2, batch: int = 16) -> None:
        missing = [f for f in _FILES if not (directory / f).is_file()]
        if missing:
            raise ConfigurationError(
                f"the relevance model in {directory} lacks {', '.join(missing)}; reinstall "
                "complyqa, rebuild it with `make train-relevance`, or turn reranking off "
                "(COMPLYQA_RELEVANCE__ENABLED=false)"
            )
        self.directory = directory
        self.card: dict[str, Any] = json.loads((directory / "card.json").read_text())
        self.version: str = str(self.card["version"])
        max_length = int(self.card.get("inference", {}).get("max_length", 192))
        self.tokenizer = PairTokenizer(
            Vocabulary.load(directory / "vocab.json"), max_length=max_length
        )
        self.threads = threads
        self.batch = batch
        self._session: Any = None
        self._lock = threading.Lock()

    @property
    def session(self) -> Any:
        if self._session is None:
            with self._lock:
                if self._session is None:
                    import onnxruntime as ort

                    options = ort.SessionOptions()
                    options.intra_op_num_threads = self.threads
                    options.inter_op_num_threads = 1
                    self._session = ort.InferenceSession(
                        str(self.directory / "model.onnx"),
                        options,
                        providers=["CPUExecutionProvider"],
                    )
        return self._session

    def score(self, question: str, passages: Sequence[str]) -> np.ndarray:
        """Probability that each passage answers `question`, in the given order."""
        return self.score_pairs([question] * len(passages), passages)

    def score_pairs(self, questions: Sequence[str], passages: Sequence[str]) -> np.ndarray:
        tok = self.tokenizer
        return self._probabilities(tok.ids(questions), tok.ids(passages))

    def score_windows(
        self, question: str, passages: Sequence[tuple[str, str]], *, limit: int = 4
    ) -> np.ndarray:
        """Like `score` for (head, text) passages, but a passage longer than the model's
        window is read as up to `limit` overlapping windows and scores its best one: the
        answering sentence of a long passage is often past the first window."""
        if not passages:
            return np.zeros(0, dtype=np.float32)
        tok = self.tokenizer
        q = tok.ids([question])[0]
        owner, windows = [], []
        for i, (head, text) in enumerate(passages):
            for window in tok.windows(q, head, text, limit=limit):
                owner.append(i)
                windows.append(window)
        probs = self._probabilities([q] * len(windows), windows)
        out = np.zeros(len(passages), dtype=np.float32)
        np.maximum.at(out, np.asarray(owner), probs)
        return out

    def _probabilities(
        self, q_ids: Sequence[Sequence[int]], p_ids: Sequence[Sequence[int]]
    ) -> np.ndarray:
        if not p_ids:
            return np.zeros(0, dtype=np.float32)
        # Similar lengths batch together: less padding to compute.
        order = sorted(range(len(p_ids)), key=lambda i: len(p_ids[i]))
        out = np.zeros(len(p_ids), dtype=np.float32)
        for lo in range(0, len(order), self.batch):
            idx = order[lo : lo + self.batch]
            ids, mask = self.tokenizer.pack_ids([q_ids[i] for i in idx], [p_ids[i] for i in idx])
            logits = self.session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
            out[idx] = 1.0 / (1.0 + np.exp(-np.asarray(logits, dtype=np.float32).reshape(-1)))
        return out


@lru_cache(maxsize=4)
def load_model(directory: Path = MODEL_DIR) -> RelevanceModel:
    """One model per directory per process (the ONNX session is the costly part)."""
    return RelevanceModel(directory)
