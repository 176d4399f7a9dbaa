"""Reranking and sentence scoring with the relevance model, on the answering side's types.

The fused hybrid ranking finds candidates; the model, reading question and passage together,
decides their order. Only the first `depth` candidates are scored (the model costs a few ms
per passage); the rest follow in their fused order.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from assistant.models import Passage
from assistant.relevance.inputs import passage_input
from assistant.relevance.model import RelevanceModel


class Reranker:
    def __init__(self, model: RelevanceModel, depth: int) -> None:
        self.model = model
        self.depth = depth

    @property
    def version(self) -> str:
        return self.model.version

    def rerank(
        self, question: str, passages: Sequence[Passage], *, depth: int | None = None
    ) -> list[Passage]:
        """The first `depth` passages by relevance (each carrying it), then the rest."""
        depth = depth or self.depth
        head = list(passages[:depth])
        scores = self.model.score(
            question, [passage_input(p.title, p.section, p.text) for p in head]
        )
        scored = [
            p.model_copy(update={"relevance": float(s)}) for p, s in zip(head, scores, strict=True)
        ]
        scored.sort(key=lambda p: -(p.relevance or 0.0))
        return scored + list(passages[depth:])

    def score_in_context(self, question: str, items: Sequence[tuple[Passage, str]]) -> np.ndarray:
        """Relevance of each text (a sentence with its lead-in) read in its passage's place."""
        return self.model.score(
            question, [passage_input(p.title, p.section, text) for p, text in items]
        )
