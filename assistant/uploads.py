"""Uploaded files: safe names, a place under `DATA_DIR/uploads/<group>/`, ids of their own
(`<group>/uploads/<file name>`, see `assistant.provenance`), and an ingest that keeps nothing
it could not index. Every interface that takes files (the API, and any other) goes through
`add_files` (`ComplyQA.add_files`), so these rules hold whoever sends the files.

A file replacing an earlier upload of the same name is written over it only after the old one
is set aside; if the new one fails to ingest, the old file comes back, so disk and index agree.
An admin's explicit replacement of a corpus document keeps its file under
`uploads/.replacements/<doc id>`, a folder no document group can be named.

An upload none of whose files was stored fails as a whole (`UploadRefused`, holding each
file's refusal and the error behind it, such as a zip bomb's `FileOverLimit`); an upload that
stored at least one file returns its report and lists the others in `failed`.
"""

from __future__ import annotations

import io
import os
import re
import secrets
import shutil
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from pydantic import BaseModel, Field

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
from ingest.errors import (
    ComplyqaError,
    FileRefused,
    InvalidUpload,
    NothingToReplace,
    UnsupportedUpload,
    UploadConflict,
    UploadOverLimit,
    UploadRefused,
)
from ingest.models import Document
from ingest.sandbox import load_untrusted

if TYPE_CHECKING:
    from assistant.service import ComplyQA

__all__ = [
    "REPLACEMENTS",
    "UploadReport",
    "UploadedFile",
    "add_files",
    "check_group",
    "doc_id_of_file",
    "file_of_doc_id",
    "remove_uploaded",
    "safe_filename",
]

#: Files of admin replacements of corpus documents; never a valid group name (leading dot).
REPLACEMENTS = ".replacements"

_MAX_NAME = 180
_UNSAFE = re.compile(r"[^\w.\-()（） ]+")


@dataclass(frozen=True)
class UploadedFile:
    """One file as a client sent it: the name it gave (untrusted) and its content.

    `content` must be seekable (it is measured, then copied); `size` saves the measuring when
    the interface already knows it.
    """

    name: str | None
    content: BinaryIO
    size: int | None = None

    @classmethod
    def of_bytes(cls, name: str | None, data: bytes) -> UploadedFile:
        return cls(name, io.BytesIO(data), len(data))


class UploadReport(BaseModel):
    """What happened to each uploaded file (document ids are `<group>/uploads/<file name>`)."""

    group: str
    added: list[str] = []
    replaced: list[str] = []
    unchanged: list[str] = []
    skipped: list[FailedFile] = Field(default=[], description="Not ingested, and why")
    failed: list[FailedFile] = Field(
        default=[], description="Could not be ingested; the file was not kept, the index unchanged"
    )
    chunks_embedded: int = 0
    seconds: float = 0.0


def check_group(group: str) -> str:
    """A document group usable as a single folder name; `InvalidUpload` if it is not one."""
    try:
        groups = normalize_scope([group])
    except ComplyqaError as exc:
        raise InvalidUpload(str(exc)) from None
    if groups is None or len(groups) != 1:
        raise InvalidUpload(f"invalid document group {group!r}: give exactly one group name")
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


def remove_uploaded(uploads_root: Path, doc_id: str) -> bool:
    """Deletes the uploaded file behind `doc_id`, if there is one; never leaves `uploads_root`."""
    root = uploads_root.resolve()
    path = file_of_doc_id(uploads_root, doc_id).resolve()
    if not path.is_relative_to(root) or path == root or not path.is_file():
        return False
    path.unlink()
    return True


@dataclass
class _Planned:
    upload: UploadedFile
    name: str
    target: Path
    doc_id: str
    backup: Path | None = None
    doc_ids: list[str] = field(default_factory=list)


def add_files(
    qa: ComplyQA,
    uploads_root: Path,
    group: str,
    files: Sequence[UploadedFile],
    max_bytes: int,
    *,
    uploaded_by: str,
    replaces: str | None = None,
    pending_review: bool = False,
) -> UploadReport:
    """Writes the files under `uploads_root/group/`, ingests them, and undoes failed ones.

    Every document gets an id in the upload space and `uploaded_by` as its source; with
    `replaces` (an admin's explicit act, checked by the caller) the one file is indexed under
    that existing id instead. With `pending_review` the documents are stored but answer
    nothing until an admin approves them.
    Raises `InvalidUpload`, `UnsupportedUpload`, `UploadOverLimit` or `NothingToReplace`
    before anything is written, and `UploadRefused` when no file of the upload was stored.
    """
    if not files:
        raise InvalidUpload("no files in the upload; send them as multipart field 'files'")
    if replaces is not None and len(files) != 1:
        raise InvalidUpload("replacing a document takes exactly one file")
    planned, skipped = _plan(uploads_root, group, files, replaces)
    total = sum(_size(p.upload) for p in planned)
    if total > max_bytes:
        raise UploadOverLimit(
            f"the upload is {total} bytes; the limit is {max_bytes} bytes "
            "(setting api.max_upload_bytes)"
        )
    report = UploadReport(group=group, skipped=skipped)
    if not planned:
        return report
    refusals: dict[str, FileRefused] = {}
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


def _plan(
    uploads_root: Path, group: str, files: Sequence[UploadedFile], replaces: str | None
) -> tuple[list[_Planned], list[FailedFile]]:
    """Where each file goes and under which id, and the files skipped with their reason;
    raises for a file no upload may hold (an unsupported type, a misfit replacement)."""
    skipped: list[FailedFile] = []
    planned: list[_Planned] = []
    unsupported: list[str] = []
    folder = uploads_root / group
    for upload in files:
        name = safe_filename(upload.name)
        shown = upload.name or "(unnamed)"
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
                raise InvalidUpload(
                    f"{name} cannot replace {replaces}: the replacement must be a "
                    f"{Path(replaces).suffix or 'suffix-less'} file like the document it replaces"
                )
            planned.append(_Planned(upload, name, file_of_doc_id(uploads_root, replaces), replaces))
        else:
            doc_id = upload_doc_id(group, name)
            planned.append(_Planned(upload, name, folder / name, doc_id))
    if unsupported:
        raise UnsupportedUpload(
            f"unsupported file type: {', '.join(unsupported)}; "
            f"supported types are {', '.join(SUPPORTED_SUFFIXES)}"
        )
    return planned, skipped


def _fail_if_nothing_stored(report: UploadReport, refusals: dict[str, FileRefused]) -> None:
    """Raises `UploadRefused` for an upload that stored nothing, with every failed file's
    refusal (its own error where one decided it)."""
    if not report.failed or report.added or report.replaced or report.unchanged:
        return
    raise UploadRefused(
        [refusals.get(f.path) or FileRefused(f.path, f.reason) for f in report.failed]
    )


def _refuse_corpus_ids(
    qa: ComplyQA,
    planned: list[_Planned],
    report: UploadReport,
    replaces: str | None,
    refusals: dict[str, FileRefused],
) -> None:
    """Fails uploads whose id a corpus document holds (possible only if a corpus folder is
    itself named `uploads`); an admin's `replaces` must name an existing document."""
    ids = [p.doc_id for p in planned]
    sources = {d.doc_id: d.source for d in qa.documents(filters=Filters(doc_ids=ids))}
    if replaces is not None:
        if replaces not in sources:
            raise NothingToReplace(f"no indexed document {replaces!r} to replace")
        return
    for p in planned:
        if sources.get(p.doc_id) == CORPUS:
            reason = (
                f"{p.doc_id}: a corpus document has this id; an upload never replaces one "
                "(an admin can, with the form field 'replaces')"
            )
            report.failed.append(FailedFile(path=p.doc_id, reason=reason))
            refusals[p.doc_id] = UploadConflict(p.doc_id, reason)


def _documents_of(
    p: _Planned,
    uploaded_by: str,
    pending_review: bool,
    report: UploadReport,
    refusals: dict[str, FileRefused],
) -> list[Document]:
    """The documents in one stored upload, in the upload id space and marked with who sent it;
    a file that cannot be read is reported (with its error in `refusals`), put back as it
    was, and yields nothing."""
    try:
        # The one place an untrusted file is parsed.
        loaded = load_untrusted(p.target, p.target.parent)
    except (ComplyqaError, OSError) as exc:
        _undo(p)
        reason = str(exc)
        # The client sees its document id, never a path of the server's.
        for path in (str(p.target.resolve()), str(p.target)):
            reason = reason.replace(path, p.doc_id)
        report.failed.append(FailedFile(path=p.doc_id, reason=reason))
        cause = exc if isinstance(exc, ComplyqaError) else None
        refusals[p.doc_id] = FileRefused(p.doc_id, reason, cause)
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


def _size(upload: UploadedFile) -> int:
    if upload.size is not None:
        return upload.size
    f = upload.content
    here = f.tell()
    f.seek(0, os.SEEK_END)
    size = f.tell()
    f.seek(here)
    return size


def _write(upload: UploadedFile, target: Path, staging: Path) -> None:
    """Copies the file in through staging, so `target` never holds half a file."""
    tmp = staging / ("incoming-" + secrets.token_hex(6))
    upload.content.seek(0)
    with tmp.open("wb") as out:
        shutil.copyfileobj(upload.content, out, length=1024 * 1024)
    os.replace(tmp, target)
