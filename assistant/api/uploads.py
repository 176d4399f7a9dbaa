"""Uploaded files: safe names, a place under `DATA_DIR/uploads/<group>/`, ids of their own
(`<group>/uploads/<file name>`, see `assistant.provenance`), and an ingest that keeps nothing
it could not index.

A file replacing an earlier upload of the same name is written over it only after the old one
is set aside; if the new one fails to ingest, the old file comes back, so disk and index agree.
An admin's explicit replacement of a corpus document keeps its file under
`uploads/.replacements/<doc id>`, a folder no document group can be named.

An upload none of whose files was stored fails as a whole, with the 4xx of its files' refusal
(413 for a file over a parse limit, such as a zip bomb; 422 for an unreadable one); an upload
that stored at least one file answers 200 and lists the others in `failed`.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi import UploadFile

from assistant.api.errors import ApiError, Problem, problem, problem_for_exception
from assistant.api.schemas import UploadReport
from assistant.models import FailedFile, Filters, IngestReport
from assistant.provenance import (
    CORPUS,
    PENDING_REVIEW,
    UPLOADED_BY,
    is_upload_id,
    upload_doc_id,
)
from assistant.stores.keys import normalize_scope
from ingest.discovery import GROUP_META, SIDECAR_SUFFIX, SUPPORTED_SUFFIXES
from ingest.errors import ComplyqaError
from ingest.models import Document
from ingest.sandbox import load_untrusted

if TYPE_CHECKING:
    from assistant.service import ComplyQA
else:
    ComplyQA = Any

__all__ = [
    "SUPPORTED_SUFFIXES",
    "check_group",
    "doc_id_of_file",
    "file_of_doc_id",
    "remove_uploaded",
    "safe_filename",
    "store_and_ingest",
]

#: The error type of an upload refused for several reasons (or for a reason of its own).
UPLOAD_REFUSED = "urn:complyqa:error:upload-refused"

#: Files of admin replacements of corpus documents; never a valid group name (leading dot).
REPLACEMENTS = ".replacements"

_MAX_NAME = 180
_UNSAFE = re.compile(r"[^\w.\-()（） ]+")


def check_group(group: str) -> str:
    """A document group usable as a single folder name, or a 422."""
    try:
        groups = normalize_scope([group])
    except ComplyqaError as exc:
        raise ApiError(422, str(exc)) from None
    if groups is None or len(groups) != 1:
        raise ApiError(422, f"invalid document group {group!r}: give exactly one group name")
    return groups[0]


def safe_filename(raw: str | None) -> str | None:
    """The last path part of a client's file name, with only harmless characters; None if
    nothing usable remains. Never a hidden file, never a path."""
    name = unicodedata.normalize("NFC", (raw or "").replace("\\", "/").split("/")[-1])
    name = "".join(ch for ch in name if ch.isprintable())
    name = _UNSAFE.sub("_", name).strip(" .")
    if not name or set(name) <= {"_", "."}:
        return None
    if len(name) > _MAX_NAME:
        stem, dot, suffix = name.rpartition(".")
        name = (stem[: _MAX_NAME - len(suffix) - 1] + dot + suffix) if dot else name[:_MAX_NAME]
    return name


def file_of_doc_id(uploads_root: Path, doc_id: str) -> Path:
    """Where the uploaded file behind `doc_id` is (or would be) kept: in its group's folder, or
    under `.replacements/` for an admin's replacement of a corpus document."""
    if is_upload_id(doc_id):
        group, _, rest = doc_id.split("/", 2)
        return uploads_root / group / rest
    return uploads_root / REPLACEMENTS / doc_id


def doc_id_of_file(uploads_root: Path, path: Path) -> str | None:
    """The document id an uploaded file is indexed under (the inverse of `file_of_doc_id`)."""
    try:
        parts = path.relative_to(uploads_root).parts
    except ValueError:
        return None
    if len(parts) < 2:
        return None
    if parts[0] == REPLACEMENTS:
        return "/".join(parts[1:])
    return upload_doc_id(parts[0], "/".join(parts[1:]))


@dataclass
class _Planned:
    upload: UploadFile
    name: str
    target: Path
    doc_id: str
    backup: Path | None = None
    doc_ids: list[str] = field(default_factory=list)


def store_and_ingest(
    qa: ComplyQA,
    uploads_root: Path,
    group: str,
    files: Sequence[UploadFile],
    max_bytes: int,
    *,
    uploaded_by: str,
    replaces: str | None = None,
    pending_review: bool = False,
) -> UploadReport:
    """Writes the uploads under `uploads_root/group/`, ingests them, and undoes failed ones.

    Every document gets an id in the upload space and `uploaded_by` as its source; with
    `replaces` (an admin's explicit act, checked by the caller) the one file is indexed under
    that existing id instead. With `pending_review` the documents are stored but answer
    nothing until an admin approves them.
    Raises an `ApiError` (the files' 4xx) when no file of the upload was stored.
    """
    if not files:
        raise ApiError(422, "no files in the upload; send them as multipart field 'files'")
    if replaces is not None and len(files) != 1:
        raise ApiError(422, "replacing a document takes exactly one file")
    skipped: list[FailedFile] = []
    planned: list[_Planned] = []
    unsupported: list[str] = []
    folder = uploads_root / group
    for upload in files:
        name = safe_filename(upload.filename)
        shown = upload.filename or "(unnamed)"
        if name is None:
            skipped.append(FailedFile(path=shown, reason="no usable file name"))
        elif name == GROUP_META or name.endswith(SIDECAR_SUFFIX):
            skipped.append(
                FailedFile(path=name, reason="metadata sidecars cannot be uploaded on their own")
            )
        elif Path(name).suffix.lower() not in SUPPORTED_SUFFIXES:
            unsupported.append(name)
        elif any(p.name == name for p in planned):
            skipped.append(FailedFile(path=name, reason="same file name twice in this upload"))
        elif replaces is not None:
            if Path(name).suffix.lower() != Path(replaces).suffix.lower():
                raise ApiError(
                    422,
                    f"{name} cannot replace {replaces}: the replacement must be a "
                    f"{Path(replaces).suffix or 'suffix-less'} file like the document it replaces",
                )
            planned.append(_Planned(upload, name, file_of_doc_id(uploads_root, replaces), replaces))
        else:
            doc_id = upload_doc_id(group, name)
            planned.append(_Planned(upload, name, folder / name, doc_id))
    if unsupported:
        raise ApiError(
            415,
            f"unsupported file type: {', '.join(unsupported)}; "
            f"supported types are {', '.join(SUPPORTED_SUFFIXES)}",
        )
    total = sum(_size(p.upload) for p in planned)
    if total > max_bytes:
        raise ApiError(
            413,
            f"the upload is {total} bytes; the limit is {max_bytes} bytes "
            "(setting api.max_upload_bytes)",
        )
    report = UploadReport(group=group, skipped=skipped)
    if not planned:
        return report
    refusals: dict[str, Problem] = {}
    _refuse_corpus_ids(qa, planned, report, replaces, refusals)
    planned = [p for p in planned if p.doc_id not in {f.path for f in report.failed}]
    if not planned:
        _fail_if_nothing_stored(report, refusals)
        return report

    staging = uploads_root.parent / "upload-staging" / secrets.token_hex(8)
    staging.mkdir(parents=True)
    try:
        documents: list[Document] = []
        for p in planned:
            p.target.parent.mkdir(parents=True, exist_ok=True)
            if p.target.exists():
                p.backup = staging / p.name
                os.replace(p.target, p.backup)
            _write(p.upload, p.target, staging)
            loaded = _documents_of(p, uploaded_by, pending_review, report, refusals)
            p.doc_ids = [d.doc_id for d in loaded]
            documents.extend(loaded)
        try:
            ingested = qa.ingest_documents(documents) if documents else IngestReport()
        except BaseException:
            for p in planned:
                _undo(p)
            raise
        _merge(report, ingested, planned)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    _fail_if_nothing_stored(report, refusals)
    return report


def _fail_if_nothing_stored(report: UploadReport, refusals: Mapping[str, Problem]) -> None:
    """Raises the refusal of an upload that stored nothing: one file's own status and reason,
    or for several files their common status (else 422) with every reason in `errors`."""
    if not report.failed or report.added or report.replaced or report.unchanged:
        return
    found = [
        refusals.get(f.path) or problem(422, f.reason, type=UPLOAD_REFUSED) for f in report.failed
    ]
    errors = [
        {"loc": f.path, "msg": f.reason, "type": p.type}
        for f, p in zip(report.failed, found, strict=True)
    ]
    if len(found) == 1:
        raise ApiError(found[0].status, report.failed[0].reason, type=found[0].type, errors=errors)
    statuses = {p.status for p in found}
    raise ApiError(
        statuses.pop() if len(statuses) == 1 else 422,
        f"none of the {len(found)} files was stored: "
        + "; ".join(f.reason for f in report.failed)
        + ". Fix or leave out these files and upload again.",
        type=UPLOAD_REFUSED,
        errors=errors,
    )


def _refuse_corpus_ids(
    qa: ComplyQA,
    planned: list[_Planned],
    report: UploadReport,
    replaces: str | None,
    refusals: dict[str, Problem],
) -> None:
    """Fails uploads whose id a corpus document holds (possible only if a corpus folder is
    itself named `uploads`); an admin's `replaces` must name an existing document."""
    ids = [p.doc_id for p in planned]
    sources = {d.doc_id: d.source for d in qa.documents(filters=Filters(doc_ids=ids))}
    if replaces is not None:
        if replaces not in sources:
            raise ApiError(404, f"no indexed document {replaces!r} to replace")
        return
    for p in planned:
        if sources.get(p.doc_id) == CORPUS:
            reason = (
                f"{p.doc_id}: a corpus document has this id; an upload never replaces one "
                "(an admin can, with the form field 'replaces')"
            )
            report.failed.append(FailedFile(path=p.doc_id, reason=reason))
            refusals[p.doc_id] = problem(409, reason, type=UPLOAD_REFUSED)


def _documents_of(
    p: _Planned,
    uploaded_by: str,
    pending_review: bool,
    report: UploadReport,
    refusals: dict[str, Problem],
) -> list[Document]:
    """The documents in one stored upload, in the upload id space and marked with who sent it;
    a file that cannot be read is reported (with its status in `refusals`), put back as it
    was, and yields nothing."""
    try:
        # The one place an untrusted file is parsed.
        loaded = load_untrusted(p.target, p.target.parent)
    except (ComplyqaError, OSError) as exc:
        _undo(p)
        reason = str(exc)
        for path in (str(p.target.resolve()), str(p.target)):
            reason = reason.replace(path, p.doc_id)
        report.failed.append(FailedFile(path=p.doc_id, reason=reason))
        refusals[p.doc_id] = (
            problem_for_exception(exc)
            if isinstance(exc, ComplyqaError)
            else problem(422, reason, type=UPLOAD_REFUSED)
        )
        return []
    documents = []
    for doc in loaded:
        # A passage file may name ids of its own: they stay inside this upload's space.
        doc_id = p.doc_id if doc.doc_id == p.target.name else f"{p.doc_id}#{doc.doc_id}"
        extra = {**doc.extra, UPLOADED_BY: uploaded_by}
        if pending_review:
            extra[PENDING_REVIEW] = "yes"
        documents.append(replace(doc, doc_id=doc_id, extra=extra))
    return documents


def _merge(report: UploadReport, ingested: IngestReport, planned: list[_Planned]) -> None:
    """Copies the ingest outcome into `report`, undoing every file that failed."""
    by_doc: dict[str, _Planned] = {d: p for p in planned for d in p.doc_ids}
    for failure in ingested.failed:
        failed = by_doc.get(failure.path)
        if failed is not None:
            _undo(failed)
        report.failed.append(FailedFile(path=failure.path, reason=failure.reason))
    report.skipped.extend(ingested.skipped)
    report.added = list(ingested.added)
    report.replaced = list(ingested.replaced)
    report.unchanged = list(ingested.unchanged)
    report.chunks_embedded = ingested.chunks_embedded
    report.seconds = round(ingested.seconds, 3)


def _undo(p: _Planned) -> None:
    """Puts the disk back as it was before this upload: the earlier file, or nothing."""
    p.target.unlink(missing_ok=True)
    if p.backup is not None and p.backup.exists():
        os.replace(p.backup, p.target)


def _size(upload: UploadFile) -> int:
    if upload.size is not None:
        return upload.size
    f = upload.file
    here = f.tell()
    f.seek(0, os.SEEK_END)
    size = f.tell()
    f.seek(here)
    return size


def _write(upload: UploadFile, target: Path, staging: Path) -> None:
    tmp = staging / ("incoming-" + secrets.token_hex(6))
    upload.file.seek(0)
    with tmp.open("wb") as out:
        shutil.copyfileobj(upload.file, out, length=1024 * 1024)
    os.replace(tmp, target)


def remove_uploaded(uploads_root: Path, doc_id: str) -> bool:
    """Deletes the uploaded file behind `doc_id`, if there is one; never leaves `uploads_root`."""
    root = uploads_root.resolve()
    path = file_of_doc_id(uploads_root, doc_id).resolve()
    if not path.is_relative_to(root) or path == root or not path.is_file():
        return False
    path.unlink()
    return True
