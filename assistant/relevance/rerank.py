"""Reranking and sentence scoring with the relevance model, on the answering side's types.

The fused hybrid ranking finds candidates; the model, reading question and passage together,
decides their order. Only the first `depth` candidates are scored (the model costs a few ms
per passage); the rest follow in their fused order.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from assistant.models import Passage
from assistant.relevance.inputs import passage_head, passage_input
from assistant.relevance.model import RelevanceModel


class Reranker:
    """Reorders fused candidates by `(1 - prior) * relevance + prior / (fused rank + 1)`.

    The fused rank keeps a say (`prior`): measured on held-out ObliQA and on the dev set, the
    first model alone ranks below the fused order, the blend above it (docs/benchmarks.md).
    """

    def __init__(
        self, model: RelevanceModel, depth: int, prior: float = 0.0, windows: int = 4
    ) -> None:
        self.model = model
        self.depth = depth
        self.prior = prior
        self.windows = windows

    @property
    def version(self) -> str:
        return self.model.version

    def rerank(
        self, question: str, passages: Sequence[Passage], *, depth: int | None = None
    ) -> list[Passage]:
        """The first `depth` passages by relevance (each carrying it), then the rest."""
        depth = depth or self.depth
        head = list(passages[:depth])
        scores = self.model.score_windows(
            question,
            [(passage_head(p.title, p.section), p.text) for p in head],
            limit=self.windows,
        )
        blended = [
            ((1 - self.prior) * float(s) + self.prior / (rank + 1), rank)
            for rank, s in enumerate(scores)
        ]
        order = [rank for _, rank in sorted(blended, key=lambda b: (-b[0], b[1]))]
        scored = [head[i].model_copy(update={"relevance": float(scores[i])}) for i in order]
        return scored + list(passages[depth:])

    def score_in_context(self, question: str, items: Sequence[tuple[Passage, str]]) -> np.ndarray:
        """Relevance of each text (a sentence with its lead-in) read in its passage's place."""
        return self.model.score(
            question, [passage_input(p.title, p.section, text) for p, text in items]
        )
