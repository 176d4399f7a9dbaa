"""Rows out of the store's two Chroma collections (`ingest.store`): paged bulk reads,
Chroma's column-wise results as `StoredChunk`s, and the manifest's change marker."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ingest import text_codec
from ingest.records import Metadata, StoredChunk

#: Rows per bulk read. Chroma turns a `get` into one SQLite statement with a variable per row,
#: so an unbounded read of a large collection (~32k rows and up) fails; every bulk read pages.
PAGE_SIZE = 5000
#: Documents-collection metadata key, a fresh random value after every manifest change: a
#: reader on a Chroma server (which gives no other sign of another machine's writes) polls
#: this one value instead of re-reading the whole manifest.
CHANGE_MARKER = "changed"


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


def mark_changed(c: Collections) -> None:
    """A new `CHANGE_MARKER` (the other metadata keys never change after creation)."""
    metadata = {k: v for k, v in (c.documents.metadata or {}).items() if k != CHANGE_MARKER}
    c.documents.modify(metadata={**metadata, CHANGE_MARKER: uuid.uuid4().hex})


def read_marker(client: Any, documents: str) -> str | None:
    """The `CHANGE_MARKER` of the collection named `documents` as stored now (one small
    read: the collection's metadata, fetched afresh)."""
    marker = (client.get_collection(documents, embedding_function=None).metadata or {}).get(
        CHANGE_MARKER
    )
    return None if marker is None else str(marker)
