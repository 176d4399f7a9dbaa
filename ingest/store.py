"""The Chroma side of the index: chunks with their vectors, and the document manifest.

Chroma is the single source of truth. A document becomes visible only when its manifest
record (holding the full normalized text) is written, and that happens after its chunks are
stored; chunks carry their document's content hash, so chunks of a half-written or replaced
version are never served and are swept by the next ingest.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlparse

import numpy as np

from ingest.errors import ConfigurationError, EmbeddingModelMismatch
from ingest.models import Chunk, Document
from ingest.settings import IndexSettings

log = logging.getLogger(__name__)

Metadata = dict[str, str | int | float | bool]

#: Rows per bulk read. Chroma turns a `get` into one SQLite statement with a variable per row,
#: so an unbounded read of a large collection (~32k rows and up) fails; every bulk read pages.
PAGE_SIZE = 5000


@dataclass(frozen=True)
class StoredChunk:
    chunk_id: str
    text: str
    metadata: Metadata
    distance: float | None = None


def chunk_id(doc: Document, chunk: Chunk) -> str:
    return f"{doc.doc_id}::{doc.content_hash[:12]}::{chunk.key}"


def corpus_fingerprint(manifest: dict[str, Metadata], embedding_model: str) -> str:
    """Names one exact state of the index: which document versions, embedded by which model."""
    digest = hashlib.sha256(embedding_model.encode())
    for doc_id in sorted(manifest):
        digest.update(f"\n{doc_id}\t{manifest[doc_id]['content_hash']}".encode())
    return digest.hexdigest()[:16]


def _clean(meta: dict[str, Any]) -> Metadata:
    # Chroma rejects None values in metadata.
    return {k: v for k, v in meta.items() if v is not None}


def chunk_metadata(doc: Document, chunk: Chunk) -> Metadata:
    return _clean(
        {
            "doc_id": doc.doc_id,
            "key": chunk.key,
            "start": chunk.start,
            "end": chunk.end,
            "section": chunk.section,
            "article": chunk.article,
            "title": doc.title,
            "language": doc.language,
            "date": doc.date,
            "jurisdiction": doc.jurisdiction,
            "group": doc.group,
            "content_hash": doc.content_hash,
        }
    )


def document_metadata(doc: Document, n_chunks: int) -> Metadata:
    extra = {f"x_{k}": v for k, v in doc.extra.items()}
    return _clean(
        {
            "title": doc.title,
            "language": doc.language,
            "date": doc.date,
            "jurisdiction": doc.jurisdiction,
            "group": doc.group,
            "content_hash": doc.content_hash,
            "n_chunks": n_chunks,
            "chars": len(doc.text),
            "source_path": doc.source_path,
            "ingested_at": datetime.now(UTC).isoformat(timespec="seconds"),
            **extra,
        }
    )


class ChromaStore:
    """Chunks and manifest in two Chroma collections, local or on a Chroma server."""

    def __init__(self, settings: IndexSettings, embedding_model: str) -> None:
        self.settings = settings
        self.embedding_model = embedding_model
        self.client = _make_client(settings)
        self.chunks = self.client.get_or_create_collection(
            f"{settings.collection}_chunks",
            embedding_function=None,
            configuration={"hnsw": {"space": "cosine"}},
            metadata={"embedding_model": embedding_model},
        )
        self.documents = self.client.get_or_create_collection(
            f"{settings.collection}_documents",
            embedding_function=None,
            metadata={"embedding_model": embedding_model},
        )
        built_with = (self.chunks.metadata or {}).get("embedding_model")
        if built_with != embedding_model:
            raise EmbeddingModelMismatch(
                f"the index in {self.location} was built with embedding model {built_with!r}, "
                f"not {embedding_model!r}; set the same model, or use another data dir "
                "(COMPLYQA_DATA_DIR) or collection to build a new index"
            )

    @property
    def location(self) -> str:
        return self.settings.chroma_url or str(self.settings.data_dir / "chroma")

    # -- manifest -----------------------------------------------------------------------
    def manifest(self) -> dict[str, Metadata]:
        return {i: dict(m or {}) for i, _, m in _paged(self.documents, include=["metadatas"])}

    def document_text(self, doc_id: str) -> str | None:
        got = self.documents.get(ids=[doc_id], include=["documents"])
        docs = got["documents"] or []
        return docs[0] if docs else None

    # -- writes -------------------------------------------------------------------------
    def write_document(self, doc: Document, chunks: Sequence[Chunk], vectors: np.ndarray) -> None:
        """Store a document version: chunks first, the manifest record last, then sweep."""
        ids = [chunk_id(doc, c) for c in chunks]
        batch = max(1, self.client.get_max_batch_size())
        for lo in range(0, len(ids), batch):
            hi = lo + batch
            self.chunks.upsert(
                ids=ids[lo:hi],
                embeddings=vectors[lo:hi],
                documents=[c.text for c in chunks[lo:hi]],
                metadatas=[chunk_metadata(doc, c) for c in chunks[lo:hi]],
            )
        self.documents.upsert(
            ids=[doc.doc_id],
            embeddings=[[1.0]],
            documents=[doc.text],
            metadatas=[document_metadata(doc, len(chunks))],
        )
        self.chunks.delete(
            where={"$and": [{"doc_id": doc.doc_id}, {"content_hash": {"$ne": doc.content_hash}}]}
        )

    def delete_document(self, doc_id: str) -> None:
        """Hide the document first (manifest), then drop its chunks."""
        self.documents.delete(ids=[doc_id])
        self.chunks.delete(where={"doc_id": doc_id})

    def sweep_orphans(self) -> int:
        """Delete chunks no manifest record makes visible (left by an interrupted ingest)."""
        manifest = self.manifest()
        orphans = [
            cid
            for cid, _, meta in _paged(self.chunks, include=["metadatas"])
            if manifest.get(str(meta.get("doc_id")), {}).get("content_hash")
            != meta.get("content_hash")
        ]
        for lo in range(0, len(orphans), 1000):
            self.chunks.delete(ids=orphans[lo : lo + 1000])
        if orphans:
            log.info("removed %d chunks left by an interrupted ingest", len(orphans))
        return len(orphans)

    # -- reads --------------------------------------------------------------------------
    def visible_chunks(self, manifest: dict[str, Metadata]) -> list[StoredChunk]:
        """Every chunk a reader may see, for building the lexical index."""
        rows = _paged(self.chunks, include=["documents", "metadatas"])
        return [
            StoredChunk(cid, text, meta) for cid, text, meta in rows if _visible(meta, manifest)
        ]

    def find(
        self, where: dict[str, Any], manifest: dict[str, Metadata], *, limit: int
    ) -> list[StoredChunk]:
        """Visible chunks whose metadata match `where` (e.g. an article number), unranked."""
        got = self.chunks.get(
            where=where, include=["documents", "metadatas"], limit=min(limit, PAGE_SIZE)
        )
        return [c for c in _rows(got) if _visible(c.metadata, manifest)]

    def query(
        self,
        vector: np.ndarray,
        k: int,
        where: dict[str, Any] | None,
        manifest: dict[str, Metadata],
    ) -> list[StoredChunk]:
        """Nearest visible chunks; `where` (filters, scopes) is applied inside Chroma."""
        total = self.chunks.count()
        if total == 0:
            return []
        got = self.chunks.query(
            query_embeddings=[vector],
            n_results=min(k, total),
            where=where,
            include=["documents", "metadatas", "distances"],
        )
        rows = zip(
            got["ids"][0],
            (got["documents"] or [[]])[0],
            (got["metadatas"] or [[]])[0],
            (got["distances"] or [[]])[0],
            strict=True,
        )
        out = [StoredChunk(cid, t or "", dict(m or {}), float(d)) for cid, t, m, d in rows]
        return [c for c in out if _visible(c.metadata, manifest)]

    def get_chunks(self, ids: Iterable[str]) -> list[StoredChunk]:
        ids = list(ids)
        out: list[StoredChunk] = []
        for lo in range(0, len(ids), PAGE_SIZE):
            page = ids[lo : lo + PAGE_SIZE]
            out += _rows(self.chunks.get(ids=page, include=["documents", "metadatas"]))
        return out

    def count_chunks(self) -> int:
        return int(self.chunks.count())


def _paged(
    collection: Any, include: list[str], page_size: int = PAGE_SIZE
) -> Iterator[tuple[str, str, Metadata]]:
    """Every row of a collection as (id, document, metadata), read one page at a time."""
    offset = 0
    while True:
        got = collection.get(include=include, limit=page_size, offset=offset)
        ids = got["ids"]
        docs = got.get("documents") or [None] * len(ids)
        metas = got.get("metadatas") or [None] * len(ids)
        for cid, text, meta in zip(ids, docs, metas, strict=True):
            yield cid, text or "", dict(meta or {})
        if len(ids) < page_size:
            return
        offset += page_size


def _rows(got: Any) -> list[StoredChunk]:
    """Chroma's column-wise `get` result as chunks."""
    return [
        StoredChunk(cid, text or "", dict(meta or {}))
        for cid, text, meta in zip(
            got["ids"], got["documents"] or [], got["metadatas"] or [], strict=True
        )
    ]


def _visible(meta: Metadata, manifest: dict[str, Metadata]) -> bool:
    record = manifest.get(str(meta.get("doc_id")))
    return record is not None and record.get("content_hash") == meta.get("content_hash")


def _make_client(settings: IndexSettings):  # type: ignore[no-untyped-def]
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_url:
        url = urlparse(settings.chroma_url)
        if not url.hostname:
            raise ConfigurationError(
                f"COMPLYQA_CHROMA_URL {settings.chroma_url!r} is not a URL; "
                "use the form http://HOST:PORT"
            )
        try:
            return chromadb.HttpClient(
                host=url.hostname,
                port=url.port or (443 if url.scheme == "https" else 8000),
                ssl=url.scheme == "https",
                settings=chroma_settings,
            )
        except Exception as exc:
            raise ConfigurationError(
                f"cannot reach the Chroma server at {settings.chroma_url}: {exc}; "
                "start it (chroma run --path DIR --port PORT) or unset COMPLYQA_CHROMA_URL"
            ) from exc
    path = settings.data_dir / "chroma"
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=chroma_settings)
