"""Uploaded files: safe names, a place under `DATA_DIR/uploads/<group>/`, and an ingest that
keeps nothing it could not index.

A file replacing an earlier upload of the same name is written over it only after the old one
is set aside; if the new one fails to ingest, the old file comes back, so disk and index agree.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi import UploadFile

from assistant.api.errors import ApiError
from assistant.api.schemas import UploadReport
from assistant.keys import normalize_scope
from assistant.models import FailedFile, IngestReport
from ingest.errors import ComplyqaError
from ingest.loaders import GROUP_META, SIDECAR_SUFFIX, SUPPORTED_SUFFIXES

if TYPE_CHECKING:
    from assistant.service import ComplyQA
else:
    ComplyQA = Any

__all__ = [
    "SUPPORTED_SUFFIXES",
    "check_group",
    "remove_uploaded",
    "safe_filename",
    "store_and_ingest",
]

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


@dataclass
class _Planned:
    upload: UploadFile
    name: str
    target: Path
    doc_id: str
    backup: Path | None = None


def store_and_ingest(
    qa: ComplyQA,
    uploads_root: Path,
    group: str,
    files: Sequence[UploadFile],
    max_bytes: int,
) -> UploadReport:
    """Writes the uploads under `uploads_root/group/`, ingests them, and undoes failed ones."""
    if not files:
        raise ApiError(422, "no files in the upload; send them as multipart field 'files'")
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
        else:
            planned.append(_Planned(upload, name, folder / name, f"{group}/{name}"))
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

    staging = uploads_root.parent / "upload-staging" / secrets.token_hex(8)
    staging.mkdir(parents=True)
    folder.mkdir(parents=True, exist_ok=True)
    try:
        for p in planned:
            if p.target.exists():
                p.backup = staging / p.name
                os.replace(p.target, p.backup)
            _write(p.upload, p.target, staging)
        try:
            ingested = qa.ingest([p.target for p in planned], root=uploads_root)
        except BaseException:
            for p in planned:
                _undo(p)
            raise
        _merge(report, ingested, planned)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return report


def _merge(report: UploadReport, ingested: IngestReport, planned: list[_Planned]) -> None:
    """Copies the ingest outcome into `report`, undoing every file that failed."""
    by_key: dict[str, _Planned] = {}
    for p in planned:
        by_key[str(p.target.resolve())] = p
        by_key[str(p.target)] = p
        by_key[p.doc_id] = p
    for failure in ingested.failed:
        failed = by_key.get(failure.path)
        reason = failure.reason
        if failed is not None:
            _undo(failed)
            # Reasons name the server-side path; the client knows the file as its doc id.
            for path in (str(failed.target.resolve()), str(failed.target)):
                reason = reason.replace(path, failed.doc_id)
            report.failed.append(FailedFile(path=failed.doc_id, reason=reason))
        else:
            report.failed.append(FailedFile(path=failure.path, reason=reason))
    for skip in ingested.skipped:
        passed = by_key.get(skip.path)
        if passed is not None:
            _undo(passed)
        report.skipped.append(
            FailedFile(path=passed.doc_id if passed else skip.path, reason=skip.reason)
        )
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
    path = (uploads_root / doc_id).resolve()
    if not path.is_relative_to(root) or path == root or not path.is_file():
        return False
    path.unlink()
    return True
