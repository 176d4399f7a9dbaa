"""Keeping the stored periods of an instrument's versions current in the Chroma collections.

The rules live in `ingest.versions`; this module only reads the records they need and writes
their results, so `ChromaStore` can call it inside its write lock (on write, delete, open).
"""

from __future__ import annotations

from typing import Any

from ingest import text_codec
from ingest.versions import Validity, VersionFacts, facts_of, version_table

#: Chunk ids updated per Chroma call.
_UPDATE_BATCH = 1000


def instrument_records(
    documents: Any, instruments: set[str], limit: int
) -> dict[str, dict[str, Any]]:
    """Manifest records of every version of these instruments."""
    wanted = sorted(i for i in instruments if i)
    if not wanted:
        return {}
    got = documents.get(where={"instrument": {"$in": wanted}}, include=["metadatas"], limit=limit)
    return dict(zip(got["ids"], metadatas(got), strict=True))


def metadatas(got: Any) -> list[dict[str, Any]]:
    """The metadata column of a Chroma `get` result."""
    return [dict(m or {}) for m in got["metadatas"] or []]


def settle(
    documents: Any,
    chunks: Any,
    records: dict[str, dict[str, Any]],
    table: dict[str, Validity],
    page_size: int,
) -> None:
    """Write each record's period where it differs from the stored one, chunks included."""
    for doc_id, meta in records.items():
        validity = table.get(doc_id)
        if validity is None or Validity.from_metadata(meta) == validity:
            continue
        fields = validity.to_metadata()
        documents.update(ids=[doc_id], metadatas=[fields])
        ids: list[str] = []
        while True:
            got = chunks.get(where={"doc_id": doc_id}, include=[], limit=page_size, offset=len(ids))
            ids += got["ids"]
            if len(got["ids"]) < page_size:
                break
        write_period(chunks, ids, fields)


def write_period(chunks: Any, ids: list[str], fields: dict[str, Any]) -> None:
    """Set these chunks' period fields (`Validity.to_metadata()`), in batches."""
    for lo in range(0, len(ids), _UPDATE_BATCH):
        page = ids[lo : lo + _UPDATE_BATCH]
        chunks.update(ids=page, metadatas=[fields] * len(page))


def upgrade_legacy(
    documents: Any,
    chunks: Any,
    manifest: dict[str, dict[str, Any]],
    page_size: int,
    codec: str | None = None,
) -> int:
    """Give records written before versions were tracked their facts, then every period.

    Their facts come from their id and stored text; sidecar claims re-index a document
    anyway, as they change its hash. Returns how many records were upgraded.
    """
    legacy = [doc_id for doc_id, meta in manifest.items() if "instrument" not in meta]
    for lo in range(0, len(legacy), 100):
        got = documents.get(ids=legacy[lo : lo + 100], include=["documents"])
        for doc_id, text in zip(got["ids"], got["documents"] or [], strict=True):
            facts = facts_of(doc_id, text_codec.decode(text, codec) if text else "", {})
            documents.update(ids=[doc_id], metadatas=[facts.to_metadata()])
            manifest[doc_id] = {
                **manifest[doc_id],
                **facts.to_metadata(),
                "instrument": facts.instrument,
            }
    # Without a stored period every legacy record differs from its computed one.
    table = version_table(VersionFacts.from_metadata(i, m) for i, m in manifest.items())
    settle(documents, chunks, manifest, table, page_size)
    return len(legacy)
