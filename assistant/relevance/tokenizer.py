"""The relevance model's tokenizer: (question, passage) pairs over multilingual-e5's vocabulary.

The vocabulary and its normalization live in `ingest.unigram` (the dense e5 encoder reads
the same pieces). Question and passage are packed as `<s> question </s> passage </s>`, the
question cut first to a small budget so the passage keeps most of the window.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from assistant.relevance.inputs import with_head
from ingest.unigram import UnigramTokenizer, Vocabulary

__all__ = ["PairTokenizer", "Vocabulary"]


class PairTokenizer(UnigramTokenizer):
    """Packs (question, passage) pairs into fixed-width id and mask arrays."""

    def __init__(self, vocab: Vocabulary, *, max_length: int = 256, max_question: int = 64):
        super().__init__(vocab)
        self.max_length = max_length
        self.max_question = max_question

    def pack(
        self, questions: Sequence[str], passages: Sequence[str]
    ) -> tuple[np.ndarray, np.ndarray]:
        """`input_ids` and `attention_mask` (int64, padded to the longest pair)."""
        return self.pack_ids(self.ids(questions), self.ids(passages))

    def room(self, question_ids: Sequence[int]) -> int:
        """Passage tokens that fit beside the (cut) question."""
        return max(self.max_length - len(question_ids[: self.max_question]) - 3, 0)

    def windows(
        self, question_ids: Sequence[int], head: str, text: str, *, limit: int = 4
    ) -> list[list[int]]:
        """A passage too long for one pair as up to `limit` overlapping windows of its text,
        each behind the passage's head (title, section), so every window says where it sits.
        A passage that fits is one window, exactly what `pack` would read."""
        full, head_ids, text_ids = self.ids([with_head(head, text), head, text])
        head_ids = head_ids if head else []
        room = self.room(question_ids) - len(head_ids)
        if len(full) <= self.room(question_ids) or room < 16:
            return [full]
        stride = max(room * 3 // 4, 1)
        starts = list(range(0, len(text_ids) - room + stride, stride))[:limit]
        return [[*head_ids, *text_ids[lo : lo + room]] for lo in starts]

    def pack_ids(
        self, q_ids: Sequence[Sequence[int]], p_ids: Sequence[Sequence[int]]
    ) -> tuple[np.ndarray, np.ndarray]:
        rows: list[list[int]] = []
        for q, p in zip(q_ids, p_ids, strict=True):
            q = list(q[: self.max_question])
            room = self.room(q)
            rows.append([self.vocab.bos, *q, self.vocab.eos, *p[:room], self.vocab.eos])
        width = max(len(r) for r in rows) if rows else 0
        ids = np.full((len(rows), width), self.vocab.pad, dtype=np.int64)
        mask = np.zeros((len(rows), width), dtype=np.int64)
        for i, r in enumerate(rows):
            ids[i, : len(r)] = r
            mask[i, : len(r)] = 1
        return ids, mask
