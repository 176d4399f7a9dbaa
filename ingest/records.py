"""What the store writes for a document and its chunks, and the names of index states.

Pure functions of a `Document` and its chunks: the chunk ids, the metadata Chroma holds for a
chunk and for a document's manifest record, and the version and fingerprint that name what
the index holds. The lexical index and retrieval read these fields, so they live apart from
the Chroma plumbing in `ingest.store`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ingest.models import Chunk, Document
from ingest.versions import Validity, facts_of, version_table

Metadata = dict[str, str | int | float | bool]


@dataclass(frozen=True)
class StoredChunk:
    chunk_id: str
    text: str
    metadata: Metadata
    distance: float | None = None


def chunk_id(doc: Document, chunk: Chunk) -> str:
    return f"{doc.doc_id}::{doc.content_hash[:12]}::{chunk.key}"


#: `Document.extra` key (any value) of an upload that waits for an admin's review; the store
#: keeps it as `PENDING_FIELD` = 1 on the document and its chunks, and retrieval admits none of
#: them until approval sets it to 0.
PENDING_REVIEW = "pending_review"
PENDING_FIELD = "x_" + PENDING_REVIEW


def committed_chunks(manifest: dict[str, Metadata]) -> int:
    """How many chunks the manifest's documents hold (each exactly its `n_chunks`)."""
    return sum(int(m.get("n_chunks", 0)) for m in manifest.values())


def corpus_fingerprint(manifest: dict[str, Metadata], embedding_model: str) -> str:
    """Names one exact state of the index: which document versions, embedded by which model."""
    digest = hashlib.sha256(embedding_model.encode())
    for doc_id in sorted(manifest):
        digest.update(f"\n{doc_id}\t{document_version(manifest[doc_id])}".encode())
    return digest.hexdigest()[:16]


def document_version(meta: Metadata) -> str:
    """Names the state of one document's record that the lexical index must follow."""
    version = str(meta["content_hash"])
    if "valid_to" in meta:
        # Which text is in force is part of the index's state: a new version ends the
        # old one's period, and the lexical index must see that too.
        version += f"\t{meta.get('valid_from')}\t{meta['valid_to']}"
    if meta.get(PENDING_FIELD):
        # Approving an upload changes what is answerable: the lexical index follows.
        version += "\tpending"
    return version


def _clean(meta: dict[str, Any]) -> Metadata:
    # Chroma rejects None values in metadata.
    return {k: v for k, v in meta.items() if v is not None}


def chunk_metadata(doc: Document, chunk: Chunk, validity: Validity | None = None) -> Metadata:
    """A chunk's metadata: its place, its document, and its text's period in force.

    `validity` comes from the versions of the document's instrument; without it the document
    is taken as the only version.
    """
    validity = validity or _alone(doc)
    return _clean(
        {
            "doc_id": doc.doc_id,
            "key": chunk.key,
            "start": chunk.start,
            "end": chunk.end,
            "section": chunk.section,
            "article": chunk.article,
            **_shared_fields(doc),
            # Who uploaded it (`x_uploaded_by`) travels with every chunk, so each cited
            # passage can say where it came from without a manifest lookup.
            **_scalar_extras(doc),
            **_review_flag(doc),
            **validity.to_metadata(),
        }
    )


def _shared_fields(doc: Document) -> dict[str, Any]:
    """What the manifest record and every chunk both carry: retrieval filters chunks by these
    (language, date, group …) without a manifest lookup."""
    return {
        "title": doc.title,
        "language": doc.language,
        "date": doc.date,
        "jurisdiction": doc.jurisdiction,
        "group": doc.group,
        "content_hash": doc.content_hash,
    }


def _scalar_extras(doc: Document) -> Metadata:
    """The document's extra metadata Chroma can hold on a chunk, as `x_<key>`."""
    return {f"x_{k}": v for k, v in doc.extra.items() if isinstance(v, str | int | float | bool)}


def _review_flag(doc: Document) -> Metadata:
    # A number, as retrieval compares it (`!= 1`) in the Chroma `where` and the BM25 mask.
    return {PENDING_FIELD: 1} if doc.extra.get(PENDING_REVIEW) else {}


def document_metadata(doc: Document, n_chunks: int, validity: Validity | None = None) -> Metadata:
    extra = {f"x_{k}": v for k, v in doc.extra.items()}
    facts = facts_of(doc.doc_id, doc.text, doc.extra)
    validity = validity or _alone(doc)
    return _clean(
        {
            **_shared_fields(doc),
            "n_chunks": n_chunks,
            "chars": len(doc.text),
            "source_path": doc.source_path,
            "ingested_at": datetime.now(UTC).isoformat(timespec="seconds"),
            **extra,
            **_review_flag(doc),
            **facts.to_metadata(),
            **validity.to_metadata(),
        }
    )


def _alone(doc: Document) -> Validity:
    facts = facts_of(doc.doc_id, doc.text, doc.extra)
    return version_table([facts])[doc.doc_id]
