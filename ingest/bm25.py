"""BM25 computed at query time from term counts, so the lexical index can change in place.

bm25s precomputes every (chunk, term) score at build time, which ties each stored score to
the corpus-wide statistics of that moment (document frequencies, average length): adding one
document would change them all, and only a full rebuild gave correct scores. Here the index
keeps term counts per chunk and each chunk's length, and a query's scores are computed from
the current statistics with bm25s' default formula ("lucene": k1 = 1.5, b = 0.75) and the same
float32 rounding, in the same order, so they equal the scores bm25s gives on the same corpus.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

#: bm25s' defaults, the parameters complyqa's lexical retrieval has always used.
K1 = 1.5
B = 0.75

#: A chunk without a single token is indexed as this one empty token (as bm25s does), so it
#: still has a length and counts in the average.
EMPTY = ""


@dataclass(frozen=True)
class TermCounts:
    """How often each term occurs in each chunk (chunk x term, CSR) and each chunk's length."""

    counts: sp.csr_array
    lengths: np.ndarray

    @property
    def n_chunks(self) -> int:
        return int(self.counts.shape[0])

    @classmethod
    def empty(cls, n_terms: int = 0) -> TermCounts:
        return cls(sp.csr_array((0, n_terms), dtype=np.int32), np.zeros(0, dtype=np.int64))

    def with_terms(self, n_terms: int) -> TermCounts:
        """The same counts in a matrix wide enough for a vocabulary of `n_terms`."""
        if self.counts.shape[1] == n_terms:
            return self
        c = self.counts
        counts = sp.csr_array((c.data, c.indices, c.indptr), shape=(c.shape[0], n_terms))
        return TermCounts(counts, self.lengths)

    def rows(self, keep: np.ndarray) -> TermCounts:
        """Only the chunks whose `keep` flag is set, in their order."""
        if keep.all():
            return self
        return TermCounts(self.counts[np.flatnonzero(keep)], self.lengths[keep])

    def stacked(self, other: TermCounts) -> TermCounts:
        """These chunks followed by `other`'s (both as wide as the larger vocabulary)."""
        n_terms = max(self.counts.shape[1], other.counts.shape[1])
        a, b = self.with_terms(n_terms), other.with_terms(n_terms)
        counts = sp.vstack([a.counts, b.counts], format="csr", dtype=np.int32)
        return TermCounts(counts, np.concatenate([a.lengths, b.lengths]))


def count_terms(token_lists: Sequence[Sequence[str]], vocab: dict[str, int]) -> TermCounts:
    """Term counts of tokenized chunks; terms new to `vocab` are added to it (next free id)."""
    indptr = [0]
    indices: list[int] = []
    data: list[int] = []
    lengths: list[int] = []
    for tokens in token_lists:
        tokens = tokens or [EMPTY]
        counts = Counter(tokens)
        for term, n in counts.items():
            indices.append(vocab.setdefault(term, len(vocab)))
            data.append(n)
        indptr.append(len(indices))
        lengths.append(len(tokens))
    matrix = sp.csr_array(
        (
            np.array(data, dtype=np.int32),
            np.array(indices, dtype=np.int32),
            np.array(indptr, dtype=np.int64),
        ),
        shape=(len(lengths), len(vocab)),
    )
    return TermCounts(matrix, np.array(lengths, dtype=np.int64))


class Postings:
    """The term -> chunks view of term counts, with the statistics of this corpus state."""

    def __init__(self, terms: TermCounts) -> None:
        self.n_chunks = terms.n_chunks
        csc = terms.counts.tocsc()
        self.indptr = csc.indptr
        self.indices = csc.indices
        self.tf = csc.data
        #: Document frequency of each term: in how many chunks it occurs.
        self.df = np.diff(csc.indptr)
        # bm25s' length normalization, k1 * (1 - b + b * |d| / avg|d|), element by element in
        # the same order of float64 operations it uses for one chunk.
        avg = terms.lengths.mean() if self.n_chunks else 1.0
        self.norm = K1 * ((1 - B) + B * terms.lengths / avg)

    def doc_freq(self, term_id: int | None) -> int:
        if term_id is None or term_id >= len(self.df):
            return 0
        return int(self.df[term_id])

    def chunks(self, term_id: int | None) -> np.ndarray:
        """The chunks (row numbers) in which a term occurs."""
        if term_id is None or term_id >= len(self.df):
            return np.array([], dtype=self.indices.dtype)
        return self.indices[self.indptr[term_id] : self.indptr[term_id + 1]]

    def idf(self, df: int) -> float:
        """Lucene's inverse document frequency, as bm25s computes it."""
        return math.log(1 + (self.n_chunks - df + 0.5) / (df + 0.5))

    def scores(self, term_ids: Sequence[int]) -> np.ndarray:
        """Each chunk's BM25 score for a query's terms (repeats count again, as in bm25s)."""
        scores = np.zeros(self.n_chunks, dtype=np.float32)
        for term in term_ids:
            if term >= len(self.df) or self.df[term] == 0:
                continue
            lo, hi = self.indptr[term], self.indptr[term + 1]
            rows, tf = self.indices[lo:hi], self.tf[lo:hi].astype(np.float64)
            # bm25s keeps idf in float32 and each (chunk, term) score in float32.
            idf = np.float64(np.float32(self.idf(int(self.df[term]))))
            scores[rows] += (idf * (tf / (self.norm[rows] + tf))).astype(np.float32)
        return scores
