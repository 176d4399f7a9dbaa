"""The BM25 side of the index, derived from Chroma and rebuilt when the corpus changes.

Chroma's own sparse index is not available in local or single-node server mode, so the
lexical index is kept behind this small interface and persisted per corpus fingerprint.
Filters and scopes are applied as a weight mask inside the BM25 scoring, not afterwards.
"""

from __future__ import annotations

import json
import logging
import math
import os
import shutil
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import bm25s
import numpy as np

from ingest.store import PENDING_FIELD, StoredChunk
from ingest.tokenize import tokenize
from ingest.versions import NO_START, OPEN_END

log = logging.getLogger(__name__)

#: Metadata fields kept beside the lexical index so filters can be applied as masks.
FILTER_FIELDS = ("doc_id", "group", "language", "jurisdiction")
#: Numeric fields kept the same way, with the value a chunk without the field gets: the
#: period a text is in force (`valid_from <= d < valid_to`, as YYYYMMDD day numbers), and
#: whether an upload still waits for review.
NUMERIC_FIELDS = {"valid_from": NO_START, "valid_to": OPEN_END, PENDING_FIELD: 0}

#: A mask condition: allowed values, or comparisons on a numeric field ({"$lte": n, ...}),
#: the same shapes a Chroma `where` uses.
Condition = list[str] | dict[str, int]
_COMPARE = {
    "$lt": np.less,
    "$lte": np.less_equal,
    "$gt": np.greater,
    "$gte": np.greater_equal,
    "$ne": np.not_equal,
}


@dataclass(frozen=True)
class LexicalHit:
    chunk_id: str
    score: float


class LexicalIndex:
    """bm25s over the visible chunks, with per-chunk filter fields for masking."""

    def __init__(
        self,
        fingerprint: str,
        ids: list[str],
        fields: dict[str, list[str]],
        bm25: bm25s.BM25 | None,
        doc_freq: dict[str, int] | None = None,
        numbers: dict[str, list[int]] | None = None,
    ) -> None:
        self.fingerprint = fingerprint
        self.doc_freq = doc_freq or {}
        self.ids = ids
        self.fields = {k: np.array(v, dtype=object) for k, v in fields.items()}
        self.numbers = {
            k: np.array((numbers or {}).get(k, [d] * len(ids)), dtype=np.int64)
            for k, d in NUMERIC_FIELDS.items()
        }
        self.bm25 = bm25

    @classmethod
    def build(cls, fingerprint: str, chunks: Sequence[StoredChunk]) -> LexicalIndex:
        ids = [c.chunk_id for c in chunks]
        fields = {f: [str(c.metadata.get(f, "")) for c in chunks] for f in FILTER_FIELDS}
        numbers = {
            f: [int(c.metadata.get(f, default)) for c in chunks]
            for f, default in NUMERIC_FIELDS.items()
        }
        bm25 = None
        doc_freq: Counter[str] = Counter()
        if chunks:
            bm25 = bm25s.BM25()
            corpus = [tokenize(_index_text(c)) or [""] for c in chunks]
            bm25.index(corpus, show_progress=False)
            for tokens in corpus:
                doc_freq.update(set(tokens))
        return cls(fingerprint, ids, fields, bm25, dict(doc_freq), numbers)

    def idf(self, term: str) -> float:
        """BM25's inverse document frequency; a term the corpus lacks gets the highest weight."""
        n = len(self.ids)
        df = self.doc_freq.get(term, 0)
        return math.log(1 + (n - df + 0.5) / (df + 0.5))

    def save(self, directory: Path) -> None:
        # Several processes may build the same index at once: each writes its own folder.
        tmp = directory.with_name(f"{directory.name}.tmp-{os.getpid()}-{threading.get_ident()}")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        if self.bm25 is not None:
            self.bm25.save(str(tmp / "bm25"))
        meta = {
            "fingerprint": self.fingerprint,
            "ids": self.ids,
            "fields": {k: v.tolist() for k, v in self.fields.items()},
            "numbers": {k: v.tolist() for k, v in self.numbers.items()},
            "doc_freq": self.doc_freq,
        }
        (tmp / "meta.json").write_text(json.dumps(meta, ensure_ascii=False))
        shutil.rmtree(directory, ignore_errors=True)
        tmp.rename(directory)

    @classmethod
    def load(cls, directory: Path) -> LexicalIndex | None:
        meta_path = directory / "meta.json"
        if not meta_path.is_file():
            return None
        try:
            meta = json.loads(meta_path.read_text())
            if set(meta.get("numbers", {})) != set(NUMERIC_FIELDS):
                return None  # saved before these fields were kept: rebuild
            bm25 = bm25s.BM25.load(str(directory / "bm25")) if meta["ids"] else None
        except Exception:  # a damaged cache is rebuilt, never trusted
            log.warning("lexical index in %s is unreadable; it will be rebuilt", directory)
            return None
        return cls(
            meta["fingerprint"],
            meta["ids"],
            meta["fields"],
            bm25,
            meta.get("doc_freq"),
            meta["numbers"],
        )

    def mask(self, where: dict[str, Condition] | None) -> np.ndarray | None:
        """1.0 for chunks every `where` condition allows, else 0.0.

        A condition is a list of allowed values, or comparisons on a numeric field
        (`{"valid_from": {"$lte": 20210301}}`), as in a Chroma `where`.
        """
        if not where:
            return None
        keep = np.ones(len(self.ids), dtype=bool)
        for field, condition in where.items():
            if isinstance(condition, dict):
                for op, value in condition.items():
                    keep &= _COMPARE[op](self.numbers[field], value)
            else:
                keep &= np.isin(self.fields[field], list(condition))
        return keep.astype(np.float32)

    def search(
        self, query: str, k: int, where: dict[str, Condition] | None = None
    ) -> list[LexicalHit]:
        if self.bm25 is None or not self.ids:
            return []
        tokens = tokenize(query)
        if not tokens:
            return []
        scores = self.bm25.get_scores(tokens, weight_mask=self.mask(where))
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top])]
        return [LexicalHit(self.ids[i], float(scores[i])) for i in top if scores[i] > 0]


def _index_text(chunk: StoredChunk) -> str:
    # The section path and title name the article ("第二十一条", "§ 744.23"), so a question
    # that cites an article or a law by name finds it lexically.
    meta = chunk.metadata
    return f"{meta.get('title', '')}\n{meta.get('section', '')}\n{chunk.text}"


class LexicalCache:
    """Keeps the lexical index current with the manifest, loading or rebuilding as needed."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._index: LexicalIndex | None = None

    def get(
        self,
        fingerprint: str,
        chunks: Callable[[], Sequence[StoredChunk]],
    ) -> LexicalIndex:
        if self._index is not None and self._index.fingerprint == fingerprint:
            return self._index
        path = self.directory / fingerprint
        index = LexicalIndex.load(path)
        if index is None or index.fingerprint != fingerprint:
            log.info("building lexical index for corpus %s", fingerprint)
            index = LexicalIndex.build(fingerprint, chunks())
            try:
                index.save(path)
                self._prune(keep=fingerprint)
            except OSError:
                log.warning("could not persist the lexical index in %s", path, exc_info=True)
        self._index = index
        return index

    def _prune(self, keep: str) -> None:
        for child in self.directory.iterdir():
            if child.is_dir() and child.name != keep:
                shutil.rmtree(child, ignore_errors=True)
