"""Where a document came from: the ingested corpus, or an upload through the API by a named key.

Uploads live in their own id space, `<group>/uploads/<file name>`: the group stays the first
path component (so scopes and filters treat them like the group's other documents) while no
upload can take the id, text or metadata of a corpus document. Replacing a corpus document
with an upload is a separate, admin-only act, and the replacement then says who uploaded it.
"""

from __future__ import annotations

from collections.abc import Mapping

from ingest.records import PENDING_FIELD, PENDING_REVIEW

__all__ = [
    "CORPUS",
    "UPLOADED_BY",
    "PENDING_REVIEW",
    "UPLOADS_FOLDER",
    "is_pending",
    "is_upload_id",
    "source_status",
    "upload_doc_id",
]

#: The id-space folder of uploads inside a group.
UPLOADS_FOLDER = "uploads"
#: `Document.extra` key naming the key that uploaded a document (the store keeps extras as
#: `x_<key>` in the document's manifest record).
UPLOADED_BY = "uploaded_by"
_STORED = "x_" + UPLOADED_BY
#: The source status of a document that came from ingesting a corpus folder.
CORPUS = "corpus"
#: Added to an upload's source status while it waits for review.
PENDING_NOTE = ", pending review"


def upload_doc_id(group: str, name: str) -> str:
    """The id of an uploaded file `name` in document group `group`."""
    return f"{group}/{UPLOADS_FOLDER}/{name}"


def is_upload_id(doc_id: str) -> bool:
    parts = doc_id.split("/")
    return len(parts) >= 3 and parts[1] == UPLOADS_FOLDER


def source_status(meta: Mapping[str, object]) -> str:
    """`corpus`, or `upload by <key name>` for a document uploaded through the API (with
    `, pending review` while it waits for an admin's approval and answers nothing)."""
    who = meta.get(_STORED)
    if not who:
        return CORPUS
    return f"upload by {who}" + (PENDING_NOTE if is_pending(meta) else "")


def is_pending(meta: Mapping[str, object]) -> bool:
    """Whether an upload waits for review (stored, listed, but never retrieved)."""
    return bool(meta.get(PENDING_FIELD))
