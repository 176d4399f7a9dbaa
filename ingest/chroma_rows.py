"""Rows out of the store's two Chroma collections (`ingest.store`): paged bulk reads, and
Chroma's column-wise results as `StoredChunk`s."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ingest import text_codec
from ingest.records import Metadata, StoredChunk

#: Rows per bulk read. Chroma turns a `get` into one SQLite statement with a variable per row,
#: so an unbounded read of a large collection (~32k rows and up) fails; every bulk read pages.
PAGE_SIZE = 5000


@dataclass(frozen=True)
class Collections:
    chunks: Any
    documents: Any

    @property
    def codec(self) -> str | None:
        """How the documents collection stores full texts (see `ingest.text_codec`)."""
        return text_codec.codec_of(self.documents.metadata)


def all_chunks(
    c: Collections, where: dict[str, Any] | None = None
) -> list[tuple[str, str, Metadata]]:
    return list(paged(c.chunks, ["documents", "metadatas"], where=where))


def get_ids(c: Collections, ids: list[str]) -> Any:
    return c.chunks.get(ids=ids, include=["documents", "metadatas"])


def read_manifest(c: Collections) -> dict[str, Metadata]:
    return {i: dict(m or {}) for i, _, m in paged(c.documents, include=["metadatas"])}


def paged(
    collection: Any,
    include: list[str],
    page_size: int = PAGE_SIZE,
    where: dict[str, Any] | None = None,
) -> Iterator[tuple[str, str, Metadata]]:
    """Every row of a collection (matching `where`) as (id, document, metadata), by pages."""
    offset = 0
    while True:
        got = collection.get(where=where, include=include, limit=page_size, offset=offset)
        ids = got["ids"]
        docs = got.get("documents") or [None] * len(ids)
        metas = got.get("metadatas") or [None] * len(ids)
        for cid, text, meta in zip(ids, docs, metas, strict=True):
            yield cid, text or "", dict(meta or {})
        if len(ids) < page_size:
            return
        offset += page_size


def rows(got: Any) -> list[StoredChunk]:
    """Chroma's column-wise `get` result as chunks."""
    return [
        StoredChunk(cid, text or "", dict(meta or {}))
        for cid, text, meta in zip(
            got["ids"], got["documents"] or [], got["metadatas"] or [], strict=True
        )
    ]


def is_visible(meta: Metadata, manifest: dict[str, Metadata]) -> bool:
    record = manifest.get(str(meta.get("doc_id")))
    return record is not None and record.get("content_hash") == meta.get("content_hash")
