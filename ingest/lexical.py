"""The BM25 side of the index, derived from Chroma and changed document by document.

Chroma's own sparse index is not available in local or single-node server mode, so the
lexical index is kept behind this small interface and persisted beside Chroma. It keeps term
counts (`ingest.bm25`), not precomputed scores, so adding, replacing or deleting a document
changes only that document's rows, and scores still equal a full rebuild's. Filters and scopes
are applied as a weight mask inside the BM25 scoring, not afterwards.
"""

from __future__ import annotations

import logging
import os
import shutil
import threading
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from ingest.bm25 import Postings, TermCounts, count_terms
from ingest.records import PENDING_FIELD, Metadata, StoredChunk, document_version
from ingest.tokenize import tokenize
from ingest.versions import NO_START, OPEN_END

log = logging.getLogger(__name__)

#: Metadata fields kept beside the lexical index so filters can be applied as masks.
FILTER_FIELDS = ("doc_id", "group", "language", "jurisdiction")
#: Numeric fields kept the same way, with the value a chunk without the field gets: the
#: period a text is in force (`valid_from <= d < valid_to`, as YYYYMMDD day numbers), and
#: whether an upload still waits for review.
NUMERIC_FIELDS = {"valid_from": NO_START, "valid_to": OPEN_END, PENDING_FIELD: 0}
#: Bumped whenever the saved layout changes; an index saved in another layout is rebuilt.
FORMAT = 2
FILE_NAME = "index.npz"

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
    """BM25 over the visible chunks, with per-chunk filter fields for masking.

    An index is never changed once made: `updated` returns a new one, so a search running in
    another thread keeps a consistent view.
    """

    def __init__(
        self,
        fingerprint: str,
        ids: list[str],
        fields: dict[str, np.ndarray],
        numbers: dict[str, np.ndarray],
        terms: TermCounts,
        vocab: dict[str, int],
        documents: dict[str, str],
    ) -> None:
        self.fingerprint = fingerprint
        self.ids = ids
        self.fields = fields
        self.numbers = numbers
        self.terms = terms
        self.vocab = vocab
        #: The version (`ingest.records.document_version`) of each document the index holds.
        self.documents = documents
        self.postings = Postings(terms)

    @classmethod
    def empty(cls) -> LexicalIndex:
        fields = {f: np.array([], dtype=object) for f in FILTER_FIELDS}
        numbers = {f: np.array([], dtype=np.int64) for f in NUMERIC_FIELDS}
        return cls("", [], fields, numbers, TermCounts.empty(), {}, {})

    @classmethod
    def build(
        cls,
        fingerprint: str,
        chunks: Sequence[StoredChunk],
        documents: dict[str, str] | None = None,
    ) -> LexicalIndex:
        """An index of `chunks`; `documents` names the version of each (default: unnamed)."""
        return cls.empty().updated(fingerprint, (), chunks, documents)

    def updated(
        self,
        fingerprint: str,
        drop: Collection[str],
        add: Sequence[StoredChunk],
        documents: dict[str, str] | None = None,
    ) -> LexicalIndex:
        """This index without the documents `drop` and with the chunks `add`.

        A replaced document is both dropped and added. `documents` is the version of every
        document the new index holds (default: the old versions, the added ones unnamed).
        """
        if documents is None:
            gone = set(drop)
            documents = {d: v for d, v in self.documents.items() if d not in gone}
            documents.update((str(c.metadata.get("doc_id", "")), "") for c in add)
        keep = ~np.isin(self.fields["doc_id"], list(drop)) if drop else np.ones(len(self.ids), bool)
        vocab = dict(self.vocab)
        new_terms = count_terms([tokenize(_index_text(c)) for c in add], vocab)
        fields = {
            f: np.concatenate(
                [self.fields[f][keep], np.array([str(c.metadata.get(f, "")) for c in add], object)]
            )
            for f in FILTER_FIELDS
        }
        numbers = {
            f: np.concatenate(
                [
                    self.numbers[f][keep],
                    np.array([int(c.metadata.get(f, d)) for c in add], dtype=np.int64),
                ]
            )
            for f, d in NUMERIC_FIELDS.items()
        }
        ids = [i for i, k in zip(self.ids, keep.tolist(), strict=True) if k]
        ids += [c.chunk_id for c in add]
        terms = self.terms.rows(keep).stacked(new_terms)
        return LexicalIndex(fingerprint, ids, fields, numbers, terms, vocab, documents)

    def contains(self, text: str) -> bool:
        """Whether some indexed chunk holds every token of `text` (masks not applied): a name
        of several words ("EU AI Act") is held only where its words meet."""
        tokens = tokenize(text)
        if not tokens:
            return False
        together: np.ndarray | None = None
        for token in tokens:
            chunks = self.postings.chunks(self.vocab.get(token))
            together = chunks if together is None else np.intersect1d(together, chunks)
            if not len(together):
                return False
        return True

    def idf(self, term: str) -> float:
        """BM25's inverse document frequency; a term the corpus lacks gets the highest weight."""
        return self.postings.idf(self.postings.doc_freq(self.vocab.get(term)))

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
        if not self.ids:
            return []
        tokens = tokenize(query)
        term_ids = [self.vocab[t] for t in tokens if t in self.vocab]
        if not term_ids:
            return []
        scores = self.postings.scores(term_ids)
        weights = self.mask(where)
        if weights is not None:
            scores *= weights
        return [LexicalHit(self.ids[i], float(scores[i])) for i in _top(scores, self.ids, k)]

    # -- persistence --------------------------------------------------------------------
    def save(self, path: Path) -> None:
        """Write the index to `path` atomically: a reader sees the old file or the new one."""
        c = self.terms.counts
        arrays = {
            "format": np.array(FORMAT),
            "fingerprint": _pack([self.fingerprint]),
            "ids": _pack(self.ids),
            "terms": _pack(sorted(self.vocab, key=self.vocab.__getitem__)),
            "doc_ids": _pack(list(self.documents)),
            "doc_versions": _pack(list(self.documents.values())),
            "indptr": c.indptr,
            "indices": c.indices,
            "counts": c.data,
            "lengths": self.terms.lengths,
            **{f"field.{f}": _pack(self.fields[f].tolist()) for f in FILTER_FIELDS},
            **{f"number.{f}": self.numbers[f] for f in NUMERIC_FIELDS},
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        # Several processes may save at once: each writes its own file, the last rename wins.
        tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}-{threading.get_ident()}")
        try:
            with tmp.open("wb") as f:
                np.savez(f, **arrays)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)

    @classmethod
    def load(cls, path: Path) -> LexicalIndex | None:
        """The index saved at `path`; None when there is none or it cannot be trusted."""
        if not path.is_file():
            return None
        try:
            with np.load(path, allow_pickle=False) as saved:
                if int(saved["format"]) != FORMAT:
                    return None
                ids = _unpack(saved["ids"])
                terms = _unpack(saved["terms"])
                counts = sp.csr_array(
                    (saved["counts"], saved["indices"], saved["indptr"]),
                    shape=(len(ids), len(terms)),
                )
                fields = {f: np.array(_unpack(saved[f"field.{f}"]), object) for f in FILTER_FIELDS}
                numbers = {f: saved[f"number.{f}"] for f in NUMERIC_FIELDS}
                documents = dict(
                    zip(_unpack(saved["doc_ids"]), _unpack(saved["doc_versions"]), strict=True)
                )
                (fingerprint,) = _unpack(saved["fingerprint"])
                lengths = saved["lengths"]
            sizes = {
                len(ids),
                len(lengths),
                *(len(v) for v in (*fields.values(), *numbers.values())),
            }
            if len(sizes) != 1:
                raise ValueError("columns of different lengths")
        except Exception:  # a damaged file is rebuilt, never trusted
            log.warning("lexical index %s is unreadable; it will be rebuilt", path, exc_info=True)
            return None
        vocab = {t: i for i, t in enumerate(terms)}
        return cls(fingerprint, ids, fields, numbers, TermCounts(counts, lengths), vocab, documents)


def matches(metadata: dict[str, Any], where: dict[str, Condition]) -> bool:
    """Whether one chunk's metadata meets every condition, as `LexicalIndex.mask` reads them
    (a missing numeric field has its `NUMERIC_FIELDS` default)."""
    for field, condition in where.items():
        if isinstance(condition, dict):
            value = int(metadata.get(field, NUMERIC_FIELDS.get(field, 0)))
            if not all(_COMPARE[op](value, bound) for op, bound in condition.items()):
                return False
        elif str(metadata.get(field, "")) not in condition:
            return False
    return True


def saved_fingerprint(path: Path) -> str | None:
    """The fingerprint of the index saved at `path`, reading nothing else."""
    try:
        with np.load(path, allow_pickle=False) as saved:
            return _unpack(saved["fingerprint"])[0]
    except Exception:
        return None


def _top(scores: np.ndarray, ids: list[str], k: int) -> list[int]:
    """The best `k` positive scores; equal scores in chunk id order, whatever the row order."""
    hits = np.flatnonzero(scores > 0)
    if len(hits) > k:
        cut = np.partition(scores[hits], len(hits) - k)[len(hits) - k]
        hits = hits[scores[hits] >= cut]
    return sorted(hits.tolist(), key=lambda i: (-scores[i], ids[i]))[:k]


def _pack(strings: Iterable[str]) -> np.ndarray:
    # One UTF-8 buffer of NUL-terminated strings: compact and fast to load, unlike a fixed-width
    # unicode array (4 bytes a character, padded to the longest) or JSON.
    items = list(strings)
    text = "\0".join(items) + "\0" if items else ""
    return np.frombuffer(text.encode(), dtype=np.uint8)


def _unpack(packed: np.ndarray) -> list[str]:
    return packed.tobytes().decode().split("\0")[:-1]


def _index_text(chunk: StoredChunk) -> str:
    # The section path and title name the article ("第二十一条", "§ 744.23"), so a question
    # that cites an article or a law by name finds it lexically.
    meta = chunk.metadata
    return f"{meta.get('title', '')}\n{meta.get('section', '')}\n{chunk.text}"


#: Reads the visible chunks of some documents from Chroma (all of them when given None).
ChunkReader = Callable[[Collection[str] | None], Sequence[StoredChunk]]


class LexicalCache:
    """Keeps the lexical index current with the manifest, re-reading only changed documents.

    The index is saved in `directory` after every change; a process that starts, or that sees
    another process's change in the manifest, loads or keeps its index and re-reads from
    Chroma only the documents whose version differs from the one the index holds.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.path = directory / FILE_NAME
        self._index: LexicalIndex | None = None
        self._save_lock = threading.Lock()
        self._pending: LexicalIndex | None = None
        self._saver: threading.Thread | None = None

    def get(
        self, fingerprint: str, manifest: dict[str, Metadata], read: ChunkReader
    ) -> LexicalIndex:
        index = self._index
        if index is not None and index.fingerprint == fingerprint:
            return index
        index = index or LexicalIndex.load(self.path)
        versions = {doc_id: document_version(meta) for doc_id, meta in manifest.items()}
        if index is None:
            log.info("building lexical index for corpus %s", fingerprint)
            index = LexicalIndex.build(fingerprint, read(None), versions)
        elif index.fingerprint != fingerprint:
            index = _brought_up_to_date(index, fingerprint, versions, read)
        self._index = index
        if saved_fingerprint(self.path) != fingerprint:
            self._save_soon(index)
        return index

    def flush(self) -> None:
        """Wait until the last index handed to the saver is on disk."""
        saver = self._saver
        if saver is not None:
            saver.join()

    def _save_soon(self, index: LexicalIndex) -> None:
        """Save on a thread: the request that found the change (0.2 s to write 58 MB at
        cn-laws scale) is not kept waiting. Not a daemon, so a process that exits first
        still finishes the file; only the newest pending index is written."""
        with self._save_lock:
            self._pending = index
            if self._saver is None:
                self._saver = threading.Thread(target=self._save_pending, name="lexical-save")
                self._saver.start()

    def _save_pending(self) -> None:
        while True:
            with self._save_lock:
                index, self._pending = self._pending, None
                if index is None:
                    self._saver = None
                    return
            if saved_fingerprint(self.path) == index.fingerprint:
                continue  # another process saved this state already
            try:
                index.save(self.path)
                self._prune()
            except OSError:
                log.warning("could not persist the lexical index in %s", self.path, exc_info=True)

    def _prune(self) -> None:
        # Indexes of the earlier layout: one folder per corpus fingerprint.
        for child in self.directory.iterdir():
            if child.is_dir():
                shutil.rmtree(child, ignore_errors=True)


def _brought_up_to_date(
    index: LexicalIndex, fingerprint: str, versions: dict[str, str], read: ChunkReader
) -> LexicalIndex:
    held = index.documents
    drop = [doc_id for doc_id, version in held.items() if versions.get(doc_id) != version]
    add = [doc_id for doc_id, version in versions.items() if held.get(doc_id) != version]
    if add or drop:
        log.info("lexical index: %d documents dropped, %d (re-)read", len(drop), len(add))
    return index.updated(fingerprint, drop, read(add) if add else [], versions)
