"""The relevance model's tokenizer: multilingual-e5's SentencePiece unigram vocabulary.

It is a `tokenizers` unigram model (Rust, fast) behind the same character normalization the
vocabulary was built with (a code point map, applied with `str.translate`). Question and
passage are packed as `<s> question </s> passage </s>`, the question cut first to a small
budget so the passage keeps most of the window.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tokenizers import Tokenizer, models, pre_tokenizers

from assistant.relevance.inputs import with_head

_SPACES = re.compile(r" {2,}")


@dataclass(frozen=True)
class Vocabulary:
    """Pieces with their unigram scores, the special ids, and the normalization map."""

    pieces: list[str]
    scores: list[float]
    bos: int
    eos: int
    pad: int
    unk: int
    norm: dict[int, str]

    @classmethod
    def load(cls, path: Path) -> Vocabulary:
        raw = json.loads(path.read_text(encoding="utf-8"))
        s = raw["specials"]
        norm = {int(k): "".join(map(chr, v)) for k, v in raw["norm"].items()}
        return cls(raw["pieces"], raw["scores"], s["bos"], s["eos"], s["pad"], s["unk"], norm)

    def save(self, path: Path) -> None:
        raw = {
            "pieces": self.pieces,
            "scores": self.scores,
            "specials": {"bos": self.bos, "eos": self.eos, "pad": self.pad, "unk": self.unk},
            "norm": {str(k): [ord(c) for c in v] for k, v in self.norm.items()},
        }
        path.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")

    def subset(self, keep: Sequence[int]) -> tuple[Vocabulary, list[int]]:
        """A smaller vocabulary of the pieces `keep` (specials always kept), and the old ids
        of its rows in order, to cut the embedding matrix with."""
        ids = sorted(set(keep) | {self.bos, self.eos, self.pad, self.unk})
        new = {old: i for i, old in enumerate(ids)}
        vocab = Vocabulary(
            [self.pieces[i] for i in ids],
            [self.scores[i] for i in ids],
            new[self.bos],
            new[self.eos],
            new[self.pad],
            new[self.unk],
            self.norm,
        )
        return vocab, ids


class PairTokenizer:
    """Packs (question, passage) pairs into fixed-width id and mask arrays."""

    def __init__(self, vocab: Vocabulary, *, max_length: int = 256, max_question: int = 64):
        self.vocab = vocab
        self.max_length = max_length
        self.max_question = max_question
        unigram = models.Unigram(
            list(zip(vocab.pieces, vocab.scores, strict=True)), unk_id=vocab.unk
        )
        self._tok = Tokenizer(unigram)
        self._tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")

    def normalize(self, text: str) -> str:
        return _SPACES.sub(" ", text.translate(self.vocab.norm)).strip()

    def ids(self, texts: Sequence[str]) -> list[list[int]]:
        """Content token ids (no specials) of each text."""
        encoded = self._tok.encode_batch([self.normalize(t) or " " for t in texts])
        return [e.ids for e in encoded]

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
