"""`/v1/documents`: list, read, upload and delete indexed documents."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Query, UploadFile

from assistant.access import group_of, may_see
from assistant.api.deps import (
    AdminKey,
    EditorKey,
    QADep,
    ReaderKey,
    RecordDep,
    StateDep,
    check_document_access,
    guard_groups,
    scoped_filters,
)
from assistant.api.errors import ApiError, problems
from assistant.api.schemas import DeleteResult
from assistant.models import DocumentInfo, DocumentRecord, Filters
from assistant.stores.keys import Role
from assistant.uploads import UploadedFile, UploadReport, check_group, remove_uploaded
from ingest.discovery import SUPPORTED_SUFFIXES

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
    guard_groups([d.group for d in docs], key)
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
    responses=problems(401, 403, 404, 413, 415, 422, 429, 500),
)
def upload_documents(
    key: EditorKey,
    state: StateDep,
    record: RecordDep,
    files: Annotated[
        list[UploadFile],
        File(description=f"One or more files ({', '.join(SUPPORTED_SUFFIXES)})"),
    ],
    group: Annotated[
        str,
        Form(max_length=100, description="Document group (top-level folder) to store them in"),
    ] = "uploads",
    replaces: Annotated[
        str | None,
        Form(
            max_length=1000,
            description="Admin only: the id of an indexed (corpus) document this one file "
            "replaces under the same id",
        ),
    ] = None,
) -> UploadReport:
    """Stores the files under `DATA_DIR/uploads/<group>/` and ingests them.

    Document ids are `<group>/uploads/<file name>`, apart from the corpus's own ids: an
    upload never replaces a corpus document or takes its metadata, and its `source` says
    `upload by <key name>`. Uploading a name again replaces that upload. A file that fails
    to ingest is not kept, and the index stays as it was for it. Replacing a corpus
    document is an unscoped admin's explicit act (`replaces`), and audited as such.
    With `[api] review_uploads` on, an editor's uploads are stored and listed (`source` ends
    in `, pending review`) but answer nothing until an admin approves them.
    """
    replaces = replaces.strip() if replaces and replaces.strip() else None
    if replaces is not None:
        if key.role is not Role.admin or key.scope is not None:
            raise ApiError(
                403, "replacing an indexed document ('replaces') needs an admin key without scope"
            )
        group = group_of(replaces)
    else:
        group = check_group(group)
    if not may_see(key.scope, group):
        raise ApiError(403, f"this key's scope does not include the document group {group!r}")
    with state.write_lock:
        report = state.facade().add_files(
            state.uploads_dir,
            group,
            [UploadedFile(f.filename, f.file, f.size) for f in files],
            state.settings.api.max_upload_bytes,
            uploaded_by=key.name,
            replaces=replaces,
            # An admin's own upload is its own approval.
            pending_review=state.settings.api.review_uploads and key.role is not Role.admin,
        )
    done = report.model_dump_json(include={"added", "replaced", "unchanged", "failed"})
    record.note(detail=(f"replaced document {replaces}: " if replaces else "") + done)
    return report


@router.post(
    "/v1/documents/{doc_id:path}/approve",
    response_model=DocumentInfo,
    summary="Approve an upload",
    responses={
        **problems(401, 403, 404, 409, 429, 500),
        409: {**problems(409)[409], "description": "The document is not waiting for review"},
    },
)
def approve_document(
    doc_id: str, key: AdminKey, state: StateDep, record: RecordDep
) -> DocumentInfo:
    """Makes an upload that waits for review answerable (see `[api] review_uploads`)."""
    qa = state.facade()
    with state.write_lock:
        if doc_id not in qa.index.manifest(fresh=True):
            raise ApiError(404, f"no indexed document {doc_id!r}")
        if not qa.index.store.approve_upload(doc_id):
            raise ApiError(409, f"document {doc_id!r} is not waiting for review")
        qa.index.invalidate()
    record.note(detail=f"approved upload {doc_id}")
    return qa.document(doc_id)


@router.delete(
    "/v1/documents/{doc_id:path}",
    response_model=DeleteResult,
    summary="Delete a document",
    responses=problems(401, 403, 404, 429, 500),
)
def delete_document(
    doc_id: str, key: EditorKey, state: StateDep, record: RecordDep
) -> DeleteResult:
    """Removes the document from the index, and its uploaded file if it was uploaded.

    A document from the corpus folder comes back if that folder is ingested again.
    """
    check_document_access(doc_id, key)
    with state.write_lock:
        if not state.facade().delete_document(doc_id):
            raise ApiError(404, f"no indexed document {doc_id!r}")
        removed = remove_uploaded(state.uploads_dir, doc_id)
    record.note(detail=f"deleted {doc_id}" + (" and its uploaded file" if removed else ""))
    return DeleteResult(doc_id=doc_id, file_removed=removed)
