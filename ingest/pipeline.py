"""Incremental ingest: load → normalize → split → embed → store, one document at a time.

Unchanged documents (same content hash) are not re-embedded; a changed file replaces its old
version; a file that disappeared from an ingested folder is removed; a file that fails to
parse is reported and the rest continue. Embedding is batched across documents (the model is
most of the cost), while writes stay per document so a crash exposes no half document; a
group's writes run on a second thread while the next group is embedded.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tqdm import tqdm

from ingest.boilerplate import content_chunks
from ingest.discovery import discover_files
from ingest.embeddings import Embedder, passage_text
from ingest.errors import ComplyqaError, UnreadablePath
from ingest.loaders import load_file
from ingest.models import Chunk, Document
from ingest.report import FailedFile, IngestReport
from ingest.settings import ChunkingSettings, ParseLimits
from ingest.splitter import split_document
from ingest.store import ChromaStore

log = logging.getLogger(__name__)

#: Chunks embedded between writes: large enough for length-sorted batching to pay off, small
#: enough that an interrupted ingest loses little work. A bigger document is one group.
EMBED_GROUP = 2048
#: Progress should move about this often, whatever the machine's speed (a 5 MB file is
#: ~4,400 chunks: one model call for all of them left the bar still for minutes).
PROGRESS_SECONDS = 2.0
#: Bounds of one model call, in chunks: the first step is small to measure the speed; a
#: very slow machine still gets calls of at least 4.
FIRST_STEP, MAX_STEP = 16, 256


@dataclass(frozen=True)
class IngestProgress:
    """How far the embedding of one ingest has come, in chunks."""

    done: int
    total: int


def encode_in_steps(
    embedder: Embedder,
    texts: Sequence[str],
    advance: Callable[[int], None],
    *,
    seconds: float = PROGRESS_SECONDS,
    clock: Callable[[], float] = time.perf_counter,
) -> np.ndarray:
    """Embed `texts` in steps of about `seconds` each, calling `advance(n)` after each step.

    Texts are taken shortest first across the whole list, as the model would sort one big
    call, so short steps cost little extra padding; vectors come back in the input order.
    """
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    out: np.ndarray | None = None
    lo, step = 0, FIRST_STEP
    while lo < len(order):
        idx = order[lo : lo + step]
        started = clock()
        vectors = embedder.encode_passages([texts[i] for i in idx])
        rate = len(idx) / max(clock() - started, 1e-6)
        if out is None:
            out = np.empty((len(texts), vectors.shape[1]), dtype=np.float32)
        out[idx] = vectors
        advance(len(idx))
        lo += len(idx)
        step = min(MAX_STEP, max(4, int(rate * seconds)))
    return out if out is not None else np.zeros((0, 0), dtype=np.float32)


class Indexer:
    def __init__(
        self,
        store: ChromaStore,
        embedder: Embedder,
        chunking: ChunkingSettings,
        *,
        max_file_bytes: int,
        limits: ParseLimits | None = None,
        on_progress: Callable[[IngestProgress], None] | None = None,
    ) -> None:
        self.store = store
        self.embedder = embedder
        self.chunking = chunking
        self.max_file_bytes = max_file_bytes
        self.limits = limits or ParseLimits()
        #: Told after every embedding step (for an API status, a GUI...); the CLI bar too.
        self.on_progress = on_progress

    def ingest_paths(
        self,
        paths: Sequence[Path],
        root: Path | None = None,
        *,
        progress: bool = False,
    ) -> IngestReport:
        """Ingest files and folders; document ids are paths relative to `root`."""
        started = time.perf_counter()
        paths = [Path(p) for p in paths]
        for path in paths:
            if not path.exists():
                raise UnreadablePath(f"{path} does not exist; give a file or folder to ingest")
        root = (root or default_root(paths)).resolve()
        discovery = discover_files([p.resolve() for p in paths], root)
        report = IngestReport(
            skipped=[FailedFile(path=str(p), reason=r) for p, r in discovery.skipped]
        )
        documents: list[Document] = []
        for file in discovery.files:
            try:
                if file.stat().st_size > self.max_file_bytes:
                    raise ComplyqaError(
                        f"{file.stat().st_size} bytes is over the {self.max_file_bytes}-byte limit"
                    )
                documents.extend(load_file(file, root, limits=self.limits))
            except ComplyqaError as exc:
                report.failed.append(FailedFile(path=str(file), reason=str(exc)))
            except OSError as exc:
                report.failed.append(FailedFile(path=str(file), reason=f"cannot read: {exc}"))
        folders = [p.resolve() for p in paths if p.is_dir()]
        self.ingest_documents(documents, report=report, progress=progress)
        self._remove_vanished(folders, {d.doc_id for d in documents}, report)
        report.seconds = time.perf_counter() - started
        return report

    def ingest_documents(
        self,
        documents: Sequence[Document],
        *,
        report: IngestReport | None = None,
        progress: bool = False,
    ) -> IngestReport:
        """Store in-memory documents (e.g. pre-segmented benchmark passages)."""
        started = time.perf_counter()
        report = report or IngestReport()
        self.store.sweep_orphans()
        manifest = self.store.manifest()
        pending: list[tuple[Document, list[Chunk]]] = []
        for doc in documents:
            known = manifest.get(doc.doc_id)
            if known and known.get("content_hash") == doc.content_hash:
                report.unchanged.append(doc.doc_id)
                continue
            chunks = content_chunks(doc, split_document(doc, self.chunking))
            if not chunks:
                report.failed.append(FailedFile(path=doc.doc_id, reason="no text to index"))
                continue
            pending.append((doc, chunks))
            (report.replaced if known else report.added).append(doc.doc_id)
        total = sum(len(c) for _, c in pending)
        done = 0
        with tqdm(
            total=total, unit="chunk", desc="embedding", disable=not progress or not total
        ) as bar:

            def advance(n: int) -> None:
                nonlocal done
                done += n
                bar.update(n)
                if self.on_progress is not None:
                    self.on_progress(IngestProgress(done=done, total=total))

            # One group is written while the next is embedded: the writes (Chroma, SQLite,
            # fsync) would otherwise leave the model idle for a third of an ingest at scale.
            with ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingest-write") as writer:
                writing: Future[None] | None = None
                for group in _groups(pending, EMBED_GROUP):
                    texts = [
                        passage_text(self.embedder.settings, doc.title, c.text)
                        for doc, chunks in group
                        for c in chunks
                    ]
                    t0 = time.perf_counter()
                    vectors = encode_in_steps(self.embedder, texts, advance)
                    report.embed_seconds += time.perf_counter() - t0
                    if writing is not None:
                        writing.result()  # in order, and at most one group waiting in memory
                    writing = writer.submit(self._write_group, group, vectors)
                if writing is not None:
                    writing.result()
        report.chunks_embedded += total
        self._prepare_query_encoder()
        if not report.seconds:
            report.seconds = time.perf_counter() - started
        return report

    def _write_group(self, group: list[tuple[Document, list[Chunk]]], vectors: np.ndarray) -> None:
        """An embedded group: chunks in large batches, then each document made visible."""
        items, offset = [], 0
        for doc, chunks in group:
            items.append((doc, chunks, vectors[offset : offset + len(chunks)]))
            offset += len(chunks)
        self.store.write_documents(items)

    def _prepare_query_encoder(self) -> None:
        """Leave the ONNX query encoder behind for fast cold queries; not worth failing for."""
        try:
            self.embedder.prepare_query_encoder()
        except Exception:
            log.warning("could not export the query encoder; queries load torch", exc_info=True)

    def _remove_vanished(
        self, folders: list[Path], present: set[str], report: IngestReport
    ) -> None:
        """Drop documents whose source file was under an ingested folder and is gone now."""
        if not folders:
            return
        failed = {f.path for f in report.failed}
        for doc_id, meta in self.store.manifest().items():
            source = meta.get("source_path")
            if not source or doc_id in present or str(source) in failed:
                continue
            # Gone from disk, or still there but no longer ingestible (now ignored).
            if any(Path(str(source)).is_relative_to(f) for f in folders):
                self.store.delete_document(doc_id)
                report.removed.append(doc_id)


def default_root(paths: Sequence[Path]) -> Path:
    """A lone folder is its own root; otherwise ids are relative to the files' common folder."""
    if len(paths) == 1 and paths[0].is_dir():
        return paths[0]
    parents = [p.resolve() if p.is_dir() else p.resolve().parent for p in paths]
    common = parents[0]
    for parent in parents[1:]:
        while not parent.is_relative_to(common):
            common = common.parent
    return common


def _groups(
    pending: list[tuple[Document, list[Chunk]]], size: int
) -> list[list[tuple[Document, list[Chunk]]]]:
    groups: list[list[tuple[Document, list[Chunk]]]] = []
    current: list[tuple[Document, list[Chunk]]] = []
    count = 0
    for item in pending:
        current.append(item)
        count += len(item[1])
        if count >= size:
            groups.append(current)
            current, count = [], 0
    if current:
        groups.append(current)
    return groups
