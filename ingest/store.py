"""The Chroma side of the index: chunks with their vectors, and the document manifest.

Chroma is the single source of truth. A document becomes visible only when its manifest
record (holding the full normalized text) is written, and that happens after its chunks are
stored; chunks carry their document's content hash, so chunks of a half-written or replaced
version are never served and are swept by the next ingest.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable, Collection, Iterable, Sequence
from functools import partial
from typing import Any, TypeVar

import numpy as np

from ingest import text_codec
from ingest.chroma_db import connect
from ingest.chroma_rows import (
    PAGE_SIZE,
    Collections,
    all_chunks,
    get_ids,
    is_visible,
    mark_changed,
    paged,
    read_manifest,
    read_marker,
    rows,
)
from ingest.errors import EmbeddingModelMismatch
from ingest.models import Chunk, Document
from ingest.records import (
    PENDING_FIELD,
    Metadata,
    StoredChunk,
    chunk_id,
    chunk_metadata,
    committed_chunks,
    document_metadata,
)
from ingest.row_cache import RowCache
from ingest.settings import IndexSettings
from ingest.version_store import (
    instrument_records,
    metadatas,
    settle,
    upgrade_legacy,
    write_period,
)
from ingest.versions import Validity, VersionFacts, facts_of, version_table

log = logging.getLogger(__name__)

T = TypeVar("T")

#: Chunks per Chroma write call (larger calls are much cheaper per chunk, see write_documents).
_WRITE_BATCH = 1000
#: Indexes up to this many chunks are searched exactly (every chunk asked for): a few ms,
#: and runs repeat. Larger ones keep the approximate graph search (issue 10's latency).
EXACT_SEARCH_UP_TO = 2000
#: Documents named in one `$in` read of their chunks (each name is one SQL variable).
_DOCS_PER_READ = 200
#: Chunk field: when it was written (epoch seconds), for the orphan sweep's age rule.
WRITTEN_AT = "written_at"


class ChromaStore:
    """Chunks and manifest in two Chroma collections, local or on a Chroma server.

    Every operation goes through the process's `ChromaConnection`, so what other processes
    commit to the same data dir or server is seen here (see `ingest.chroma_db`).
    """

    def __init__(self, settings: IndexSettings, embedding_model: str) -> None:
        self.settings = settings
        self.embedding_model = embedding_model
        self.db = connect(settings)
        self._cached: tuple[int, Collections] | None = None
        self._manifest_cache: tuple[object, dict[str, Metadata]] | None = None
        self._rows = RowCache()
        # Creating the collections is a write: two first runs must not race.
        self.db.write(self._collections)
        self.upgrade_versions()

    @property
    def location(self) -> str:
        return self.settings.chroma_url or str(self.settings.data_dir / "chroma")

    def _collections(self, client: Any, generation: int) -> Collections:
        """This store's collections as handles of the connection's current client."""
        cached = self._cached
        if cached is not None and cached[0] == generation:
            return cached[1]
        chunks = client.get_or_create_collection(
            f"{self.settings.collection}_chunks",
            embedding_function=None,
            configuration={"hnsw": {"space": "cosine"}},
            metadata={"embedding_model": self.embedding_model},
        )
        documents = client.get_or_create_collection(
            f"{self.settings.collection}_documents",
            embedding_function=None,
            # Used only when the collection is created; an older one keeps its plain texts.
            metadata={
                "embedding_model": self.embedding_model,
                text_codec.CODEC_KEY: text_codec.ZLIB_BASE64,
            },
        )
        built_with = (chunks.metadata or {}).get("embedding_model")
        if built_with != self.embedding_model:
            raise EmbeddingModelMismatch(
                f"the index in {self.location} was built with embedding model {built_with!r}, "
                f"not {self.embedding_model!r}; set the same model, or use another data dir "
                "(COMPLYQA_DATA_DIR) or collection to build a new index"
            )
        collections = Collections(chunks, documents)
        self._cached = (generation, collections)
        return collections

    def _read(self, op: Callable[[Collections], T]) -> T:
        return self.db.read(lambda client, gen: op(self._collections(client, gen)))

    def _write(self, op: Callable[[Collections], T]) -> T:
        return self.db.write(lambda client, gen: op(self._collections(client, gen)))

    def manifest(self) -> dict[str, Metadata]:
        """Every document's record. Kept while the connection's state is unchanged: at 1,564
        documents one read costs 0.15 s, and one upload used to read it three times."""

        return self._read(self._manifest_of)

    def _manifest_of(self, c: Collections) -> dict[str, Metadata]:
        """The manifest inside an operation: the kept copy if the state it was read in is the
        state now, else read again (and kept). A copy the caller may change."""
        state, cached = self.db.state(), self._manifest_cache
        if state is not None and cached is not None and cached[0] == state:
            return dict(cached[1])
        manifest = read_manifest(c)
        self._manifest_cache = None if state is None else (state, manifest)
        return dict(manifest)

    def change_marker(self) -> str | None:
        """The manifest's change marker as stored now (`chroma_rows.read_marker`)."""
        name = f"{self.settings.collection}_documents"
        return self.db.read(lambda client, _: read_marker(client, name))

    def document_text(self, doc_id: str) -> str | None:
        def read(c: Collections) -> str | None:
            docs = c.documents.get(ids=[doc_id], include=["documents"])["documents"] or []
            return text_codec.decode(docs[0], c.codec) if docs else None

        return self._read(read)

    def write_documents(
        self, items: Sequence[tuple[Document, Sequence[Chunk], np.ndarray]]
    ) -> None:
        """Store several document versions: all their chunks first, in large batches, then
        each document's manifest record in turn.

        Until its record is written a document's new chunks are invisible (their content hash
        is not the manifest's), so a crash still exposes no half document; the next ingest
        sweeps them. Batching is for speed: at cn-laws scale one document's ~27 chunks per
        call cost 4.7 ms a chunk, 400 per call 1.2 ms. Each record is its own write, so
        readers wait for one document at a time, not for the whole batch.
        """
        planned: list[tuple[Document, list[str], Validity]] = []

        def write_chunks(c: Collections) -> None:
            rows: list[tuple[str, np.ndarray, str, Metadata]] = []
            written_at = int(time.time())
            for doc, chunks, vectors in items:
                own = self._versions(c, doc)[0]
                ids = [chunk_id(doc, ch) for ch in chunks]
                planned.append((doc, ids, own))
                rows += [
                    (i, v, ch.text, {**chunk_metadata(doc, ch, own), WRITTEN_AT: written_at})
                    for i, v, ch in zip(ids, vectors, chunks, strict=True)
                ]
            batch = max(1, min(_WRITE_BATCH, self.db.client.get_max_batch_size()))
            for lo in range(0, len(rows), batch):
                part = rows[lo : lo + batch]
                c.chunks.upsert(
                    ids=[r[0] for r in part],
                    embeddings=np.stack([r[1] for r in part]),
                    documents=[r[2] for r in part],
                    metadatas=[r[3] for r in part],
                )

        # The lease spans the gap between the chunk write and the records, in which another
        # process's sweep would otherwise take the new chunks for a crashed ingest's.
        with self.db.writing():
            self._write(write_chunks)
            for doc, ids, written_with in planned:
                self._write(partial(self._commit, doc=doc, ids=ids, written_with=written_with))

    def _versions(
        self, c: Collections, doc: Document
    ) -> tuple[Validity, dict[str, Metadata], dict[str, Validity]]:
        """This text's period as the stored versions of its instrument make it, the other
        versions' records (and of the instrument this id belonged to, if a sidecar moved it),
        and the version table over all of them."""
        facts = facts_of(doc.doc_id, doc.text, doc.extra)
        before = metadatas(c.documents.get(ids=[doc.doc_id], include=["metadatas"]))
        instruments = {facts.instrument, *(str(m.get("instrument", "")) for m in before)}
        others = {
            doc_id: meta
            for doc_id, meta in instrument_records(c.documents, instruments, PAGE_SIZE).items()
            if doc_id != doc.doc_id
        }
        table = version_table(
            [facts, *(VersionFacts.from_metadata(i, m) for i, m in others.items())]
        )
        return table[doc.doc_id], others, table

    def _commit(
        self, c: Collections, *, doc: Document, ids: list[str], written_with: Validity
    ) -> None:
        """Make a document version visible: its manifest record, then old chunks dropped and
        the other versions' periods settled."""
        own, others, table = self._versions(c, doc)
        if own != written_with:
            # Another version of the same instrument was committed in between (same batch).
            write_period(c.chunks, ids, own.to_metadata())
        c.documents.upsert(
            ids=[doc.doc_id],
            embeddings=[[1.0]],
            documents=[text_codec.encode(doc.text, c.codec)],
            metadatas=[document_metadata(doc, len(ids), own)],
        )
        c.chunks.delete(
            where={"$and": [{"doc_id": doc.doc_id}, {"content_hash": {"$ne": doc.content_hash}}]}
        )
        # Written after the new text is visible: a crash in between leaves two texts in
        # force for a moment (fixed by the next write), never none.
        settle(c.documents, c.chunks, others, table, PAGE_SIZE)
        mark_changed(c)

    def delete_document(self, doc_id: str) -> None:
        """Hide the document first (manifest), then drop its chunks."""

        def delete(c: Collections) -> None:
            before = metadatas(c.documents.get(ids=[doc_id], include=["metadatas"]))
            c.documents.delete(ids=[doc_id])
            c.chunks.delete(where={"doc_id": doc_id})
            # The version this one had superseded may be in force again.
            instruments = {str(m.get("instrument", "")) for m in before}
            others = instrument_records(c.documents, instruments, PAGE_SIZE)
            table = version_table(VersionFacts.from_metadata(i, m) for i, m in others.items())
            settle(c.documents, c.chunks, others, table, PAGE_SIZE)
            mark_changed(c)

        self._write(delete)

    def approve_upload(self, doc_id: str) -> bool:
        """Makes a document waiting for review answerable; False if it was not waiting."""

        def approve(c: Collections) -> bool:
            record = metadatas(c.documents.get(ids=[doc_id], include=["metadatas"]))
            if not record or not record[0].get(PENDING_FIELD):
                return False
            ids = c.chunks.get(where={"doc_id": doc_id}, include=[])["ids"]
            # Chroma merges updated metadata into the stored one: only the flag changes.
            for lo in range(0, len(ids), PAGE_SIZE):
                batch = ids[lo : lo + PAGE_SIZE]
                c.chunks.update(ids=batch, metadatas=[{PENDING_FIELD: 0}] * len(batch))
            # The manifest last: until it changes, the fingerprint still says "pending".
            c.documents.update(ids=[doc_id], metadatas=[{PENDING_FIELD: 0}])
            mark_changed(c)
            return True

        return self._write(approve)

    def upgrade_versions(self) -> int:
        """Give records written before versions were tracked their facts and periods.

        Returns how many records were upgraded; a no-op read when there are none.
        """
        if all("instrument" in m for m in self.manifest().values()):
            return 0

        def upgrade(c: Collections) -> int:
            upgraded = upgrade_legacy(
                c.documents, c.chunks, self._manifest_of(c), PAGE_SIZE, c.codec
            )
            mark_changed(c)
            return upgraded

        upgraded = self._write(upgrade)
        if upgraded:
            log.info("recorded the versions of %d documents indexed before versions", upgraded)
        return upgraded

    def sweep_orphans(self) -> int:
        """Delete chunks no manifest record makes visible (left by an interrupted ingest),
        but not those of a writer still between its chunk write and its records."""

        def sweep(c: Collections, cutoff: float) -> int:
            manifest = self._manifest_of(c)
            # Every committed document holds exactly its `n_chunks` chunks, so equal counts
            # mean no orphan: one count instead of reading all 66k chunks' metadata (5 s).
            if c.chunks.count() == committed_chunks(manifest):
                return 0
            orphans = [
                cid
                for cid, _, meta in paged(c.chunks, include=["metadatas"])
                if manifest.get(str(meta.get("doc_id")), {}).get("content_hash")
                != meta.get("content_hash")
                and float(meta.get(WRITTEN_AT, 0)) < cutoff
            ]
            for lo in range(0, len(orphans), 1000):
                c.chunks.delete(ids=orphans[lo : lo + 1000])
            return len(orphans)

        with self.db.sweeping() as cutoff:
            removed = self._write(partial(sweep, cutoff=cutoff))
        if removed:
            log.info("removed %d chunks left by an interrupted ingest", removed)
        return removed

    def visible_chunks(
        self, manifest: dict[str, Metadata], doc_ids: Collection[str] | None = None
    ) -> list[StoredChunk]:
        """Every chunk a reader may see (of `doc_ids` only, if given), for the lexical index."""
        if doc_ids is None:
            rows = self._read(all_chunks)
        else:
            ids = sorted(doc_ids)
            rows = []
            for lo in range(0, len(ids), _DOCS_PER_READ):
                where = {"doc_id": {"$in": ids[lo : lo + _DOCS_PER_READ]}}
                rows += self._read(partial(all_chunks, where=where))
        return [
            StoredChunk(cid, text, meta) for cid, text, meta in rows if is_visible(meta, manifest)
        ]

    def find(
        self, where: dict[str, Any], manifest: dict[str, Metadata], *, limit: int
    ) -> list[StoredChunk]:
        """Visible chunks whose metadata match `where` (e.g. an article number), unranked."""
        got = self._read(
            lambda c: c.chunks.get(
                where=where, include=["documents", "metadatas"], limit=min(limit, PAGE_SIZE)
            )
        )
        return [c for c in rows(got) if is_visible(c.metadata, manifest)]

    def query(
        self,
        vector: np.ndarray,
        k: int,
        where: dict[str, Any] | None,
        manifest: dict[str, Metadata],
    ) -> list[StoredChunk]:
        """Nearest visible chunks; `where` (filters, scopes) is applied inside Chroma."""

        # The committed chunks bound the result; counting them in Chroma costs ~9 ms at 65k.
        total = committed_chunks(manifest)

        def nearest(c: Collections, n: int, include: list[str]) -> Any:
            return c.chunks.query(
                query_embeddings=[vector], n_results=n, where=where, include=include
            )

        if total == 0:
            return []
        if total > EXACT_SEARCH_UP_TO:
            got = self._read(
                partial(nearest, n=min(k, total), include=["documents", "metadatas", "distances"])
            )
            found = [
                StoredChunk(cid, t or "", dict(m or {}), float(d))
                for cid, t, m, d in zip(
                    got["ids"][0],
                    (got["documents"] or [[]])[0],
                    (got["metadatas"] or [[]])[0],
                    (got["distances"] or [[]])[0],
                    strict=True,
                )
            ]
            return [c for c in found if is_visible(c.metadata, manifest)]
        # A small index is searched whole: asking for every chunk makes the graph search
        # exact, so the same question gets the same candidates in every process. Distances
        # alone come back in ~2 ms for 742 chunks; texts and metadata are read for the
        # nearest only, a window at a time, until k of them are visible.
        got = self._read(partial(nearest, n=total, include=["distances"]))
        ranked = sorted(zip(got["ids"][0], (got["distances"] or [[]])[0], strict=True),
                        key=lambda row: (row[1], row[0]))  # fmt: skip
        exact: list[StoredChunk] = []
        for lo in range(0, len(ranked), 2 * k):
            window = ranked[lo : lo + 2 * k]
            chunks = {c.chunk_id: c for c in self.get_chunks([cid for cid, _ in window])}
            exact += [
                dataclasses.replace(chunks[cid], distance=float(d))
                for cid, d in window
                if cid in chunks and is_visible(chunks[cid].metadata, manifest)
            ]
            if len(exact) >= k:
                break
        return exact[:k]

    def get_chunks(self, ids: Iterable[str]) -> list[StoredChunk]:
        """The rows of `ids` (in no particular order; unknown ids are left out), those read
        before in the same index state from memory (`ingest.row_cache`)."""
        return self._read(partial(self._chunks_by_id, ids=list(ids)))

    def _chunks_by_id(self, c: Collections, ids: list[str]) -> list[StoredChunk]:
        state = self.db.state()
        kept, missing = self._rows.lookup(state, ids)
        read: list[StoredChunk] = []
        for lo in range(0, len(missing), PAGE_SIZE):
            read += rows(get_ids(c, missing[lo : lo + PAGE_SIZE]))
        self._rows.keep(state, read)
        return [*kept.values(), *read]

    def count_chunks(self) -> int:
        return int(self._read(lambda c: c.chunks.count()))
