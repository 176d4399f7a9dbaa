"""`/v1/documents`: list, read, upload and delete indexed documents."""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import APIRouter, File, Form, Query, UploadFile

from assistant.api import uploads
from assistant.api.deps import (
    AuditDep,
    EditorKey,
    QADep,
    ReaderKey,
    StateDep,
    check_document_access,
    guard_doc_ids,
    scoped_filters,
)
from assistant.api.errors import ApiError, problems
from assistant.api.schemas import DeleteResult, UploadReport
from assistant.audit import AuditEntry, utc_now
from assistant.models import DocumentInfo, DocumentRecord, Filters

router = APIRouter(tags=["documents"])


@router.get(
    "/v1/documents",
    response_model=list[DocumentInfo],
    summary="List documents",
    responses=problems(401, 403, 429, 500),
)
def list_documents(
    key: ReaderKey,
    qa: QADep,
    group: Annotated[list[str] | None, Query(description="Only these document groups")] = None,
    language: Annotated[list[str] | None, Query(description="Only these languages")] = None,
) -> list[DocumentInfo]:
    """The indexed documents the key may see, sorted by id."""
    docs = qa.documents(filters=scoped_filters(Filters(groups=group, languages=language), key))
    guard_doc_ids([d.doc_id for d in docs], key)
    return docs


@router.get(
    "/v1/documents/{doc_id:path}",
    response_model=DocumentRecord,
    summary="Read a document",
    responses=problems(401, 403, 404, 429, 500),
)
def get_document(doc_id: str, key: ReaderKey, qa: QADep) -> DocumentRecord:
    """Metadata and the full normalized text; citation offsets point into `text`."""
    check_document_access(doc_id, key)
    return qa.document(doc_id, filters=scoped_filters(None, key))


@router.post(
    "/v1/documents",
    response_model=UploadReport,
    summary="Upload documents",
    responses=problems(401, 403, 413, 415, 422, 429, 500),
)
def upload_documents(
    key: EditorKey,
    state: StateDep,
    audit: AuditDep,
    files: Annotated[
        list[UploadFile],
        File(description=f"One or more files ({', '.join(uploads.SUPPORTED_SUFFIXES)})"),
    ],
    group: Annotated[
        str, Form(description="Document group (top-level folder) to store them in")
    ] = "uploads",
) -> UploadReport:
    """Stores the files under `DATA_DIR/uploads/<group>/` and ingests them.

    Document ids are `<group>/<file name>`; a file with an existing name replaces that
    document. A file that fails to ingest is not kept, and the index stays as it was for it.
    """
    started = time.perf_counter()
    group = uploads.check_group(group)
    if not key.may_see_group(group):
        raise ApiError(403, f"this key's scope does not include the document group {group!r}")
    with state.write_lock:
        report = uploads.store_and_ingest(
            state.facade(), state.uploads_dir, group, files, state.settings.api.max_upload_bytes
        )
    audit.record(
        AuditEntry(
            time=utc_now(),
            key_id=key.id,
            endpoint="POST /v1/documents",
            latency_ms=round((time.perf_counter() - started) * 1000, 1),
            detail=report.model_dump_json(include={"added", "replaced", "unchanged", "failed"}),
        )
    )
    return report


@router.delete(
    "/v1/documents/{doc_id:path}",
    response_model=DeleteResult,
    summary="Delete a document",
    responses=problems(401, 403, 404, 429, 500),
)
def delete_document(doc_id: str, key: EditorKey, state: StateDep, audit: AuditDep) -> DeleteResult:
    """Removes the document from the index, and its uploaded file if it was uploaded.

    A document from the corpus folder comes back if that folder is ingested again.
    """
    check_document_access(doc_id, key)
    with state.write_lock:
        if not state.facade().delete_document(doc_id):
            raise ApiError(404, f"no indexed document {doc_id!r}")
        removed = uploads.remove_uploaded(state.uploads_dir, doc_id)
    audit.record(
        AuditEntry(
            time=utc_now(),
            key_id=key.id,
            endpoint="DELETE /v1/documents",
            detail=f"deleted {doc_id}" + (" and its uploaded file" if removed else ""),
        )
    )
    return DeleteResult(doc_id=doc_id, file_removed=removed)
