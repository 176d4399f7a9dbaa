"""Opens the index for reading: Chroma store, embedding model and the derived lexical index.

Several API workers, on several machines, may share one Chroma server. The manifest (and with
it the corpus fingerprint) is re-read when the store's change marker moves (polled at most every
`CHANGE_POLL_SECONDS`), and in any case every `lexical_refresh_seconds`; the lexical index is
brought up to date (only the documents that changed are re-read) whenever the fingerprint
it was built for is no longer current.
"""

from __future__ import annotations

import time
from threading import Lock

from ingest import sandbox
from ingest.embeddings import Embedder
from ingest.lexical import LexicalCache, LexicalIndex
from ingest.pipeline import Indexer, IngestProgress
from ingest.records import Metadata, corpus_fingerprint
from ingest.settings import IngestSettings
from ingest.store import ChromaStore

#: How often a process on a Chroma server asks whether another machine changed the manifest
#: (one small read each time: the documents collection's change marker).
CHANGE_POLL_SECONDS = 0.1


class Index:
    def __init__(self, settings: IngestSettings, embedder: Embedder | None = None) -> None:
        self.settings = settings
        # Uploads are parsed by the process-wide sandbox; it applies these settings' limits.
        sandbox.configure(settings.parse)
        self.embedder = embedder or Embedder(
            settings.embedding, cache_dir=settings.index.data_dir / "models"
        )
        self._store: ChromaStore | None = None
        self._lexical = LexicalCache(
            settings.index.data_dir / "lexical" / settings.index.collection
        )
        self._manifest: dict[str, Metadata] | None = None
        self._fingerprint: tuple[dict[str, Metadata], str] | None = None
        self._manifest_read_at = 0.0
        self._manifest_generation = -1
        self._marker: str | None = None
        self._marker_read_at = 0.0
        self._lock = Lock()
        #: How far this process's current (or last) ingest has embedded, for status displays.
        self.progress: IngestProgress | None = None

    @property
    def store(self) -> ChromaStore:
        if self._store is None:
            self._store = ChromaStore(self.settings.index, self.settings.embedding.identity)
        return self._store

    @property
    def indexer(self) -> Indexer:
        return Indexer(
            self.store,
            self.embedder,
            self.settings.chunking,
            max_file_bytes=self.settings.max_file_bytes,
            limits=self.settings.parse,
            on_progress=self._note_progress,
        )

    def _note_progress(self, progress: IngestProgress) -> None:
        self.progress = progress

    def manifest(self, *, fresh: bool = False) -> dict[str, Metadata]:
        """The manifest, re-read as soon as another process's commit shows: locally when the
        connection has reopened on it (Chroma's write sequence is checked on every
        operation), on a Chroma server when the change marker moved; and every
        `lexical_refresh_seconds` whatever the signs say."""
        now = time.monotonic()
        stale = now - self._manifest_read_at > self.settings.index.lexical_refresh_seconds
        moved = self.store.db.generation != self._manifest_generation or self._marker_moved(now)
        if fresh or self._manifest is None or stale or moved:
            with self._lock:
                self._manifest = self.store.manifest()
                self._manifest_read_at = now
                self._manifest_generation = self.store.db.generation
        return self._manifest

    def _marker_moved(self, now: float) -> bool:
        """On a Chroma server (configured, or the managed one that owns a local data dir now):
        whether the change marker moved since last polled."""
        if now - self._marker_read_at < CHANGE_POLL_SECONDS or not self.store.db.remote:
            return False
        marker = self.store.change_marker()
        self._marker_read_at = now
        moved, self._marker = marker != self._marker, marker
        return moved

    def invalidate(self) -> None:
        """Forget the cached manifest after this process changed the index."""
        self._manifest = None

    def fingerprint(self) -> str:
        """The corpus fingerprint of the current manifest (hashed once per manifest read:
        ~4 ms at 1,564 documents, and every search and answer needs it)."""
        manifest = self.manifest()
        cached = self._fingerprint
        if cached is not None and cached[0] is manifest:
            return cached[1]
        fingerprint = corpus_fingerprint(manifest, self.settings.embedding.model)
        self._fingerprint = (manifest, fingerprint)
        return fingerprint

    def lexical(self) -> LexicalIndex:
        manifest = self.manifest()
        fingerprint = self.fingerprint()
        with self._lock:
            return self._lexical.get(
                fingerprint, manifest, lambda doc_ids: self.store.visible_chunks(manifest, doc_ids)
            )
