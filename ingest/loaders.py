"""Read corpus files from disk into normalized `Document`s.

This is the only ingest module that touches the file system. Every failure a user can cause
(missing path, unsupported type, broken file) becomes a `ComplyqaError` naming the file, so
the pipeline can report it and continue with the other files.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pathspec

from ingest.errors import DocumentParseError, UnreadablePath, UnsupportedFileType
from ingest.formats import EXTRACTORS, read_text
from ingest.limits import ParseBudget
from ingest.models import Document, Segment
from ingest.normalize import (
    content_hash,
    date_from_filename,
    detect_language,
    extract_title,
    normalize_text,
    split_front_matter,
)
from ingest.settings import ParseLimits
from ingest.versions import facts_of, stated

__all__ = [
    "SUPPORTED_SUFFIXES",
    "Discovery",
    "discover_files",
    "document_from_passages",
    "load_file",
]

log = logging.getLogger(__name__)

SUPPORTED_SUFFIXES: tuple[str, ...] = (
    ".txt", ".md", ".markdown", ".html", ".htm", ".pdf", ".docx", ".json", ".jsonl",
)  # fmt: skip
IGNORE_FILE = ".complyqaignore"
GROUP_META = "_group.meta.json"
SIDECAR_SUFFIX = ".meta.json"
_KNOWN_META = ("title", "date", "jurisdiction", "language")


@dataclass(frozen=True)
class Discovery:
    """Files to ingest, plus files passed over with the reason, so the caller can report them."""

    files: list[Path] = field(default_factory=list)
    skipped: list[tuple[Path, str]] = field(default_factory=list)


def _is_sidecar(path: Path) -> bool:
    return path.name == GROUP_META or path.name.endswith(SIDECAR_SUFFIX)


def _unsupported(path: Path) -> UnsupportedFileType:
    return UnsupportedFileType(
        f"{path}: files of type '{path.suffix or '(no suffix)'}' cannot be ingested. "
        f"Supported types: {', '.join(SUPPORTED_SUFFIXES)}. Convert the file to one of them."
    )


def _ignore_spec(root: Path) -> pathspec.PathSpec | None:
    ignore_file = root / IGNORE_FILE
    if not ignore_file.is_file():
        return None
    lines = ignore_file.read_text(encoding="utf-8").splitlines()
    return pathspec.PathSpec.from_lines("gitignore", lines)


def _relative(path: Path, root: Path) -> str | None:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return None


def discover_files(paths: Sequence[Path], root: Path) -> Discovery:
    """Expand the paths a user named into the list of files to ingest.

    Folders are walked recursively in sorted order (so ingest order, and thus reports, are
    reproducible). Hidden files, metadata sidecars and files matched by `root/.complyqaignore`
    are passed over; files of unsupported types inside folders are listed in `skipped`. A file
    named explicitly must exist and have a supported type: that is a user error, not a skip.
    """
    spec = _ignore_spec(root)
    files: list[Path] = []
    skipped: list[tuple[Path, str]] = []
    seen: set[Path] = set()

    def ignored(path: Path) -> bool:
        rel = _relative(path, root)
        return spec is not None and rel is not None and spec.match_file(rel)

    def add(path: Path) -> None:
        key = path.resolve()
        if key not in seen:
            seen.add(key)
            files.append(path)

    for path in paths:
        if not path.exists():
            raise UnreadablePath(
                f"{path}: no such file or folder. Check the spelling, or give a path relative "
                f"to the current directory ({Path.cwd()})."
            )
        if path.is_file():
            if path.suffix.lower() not in SUPPORTED_SUFFIXES:
                raise _unsupported(path)
            if _is_sidecar(path):
                skipped.append((path, "metadata sidecar, read together with its document"))
            else:
                add(path)
            continue
        for child in sorted(path.rglob("*")):
            rel_parts = child.relative_to(path).parts
            if any(part.startswith(".") for part in rel_parts) or not child.is_file():
                continue
            if _is_sidecar(child):
                continue
            if ignored(child):
                skipped.append((child, f"matched by {IGNORE_FILE}"))
            elif child.suffix.lower() not in SUPPORTED_SUFFIXES:
                skipped.append((child, f"unsupported file type '{child.suffix or '(none)'}'"))
            else:
                add(child)
    return Discovery(files=files, skipped=skipped)


# --- metadata -----------------------------------------------------------------------------


def _read_meta(path: Path) -> dict[str, str]:
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DocumentParseError(f"{path}: metadata file is not valid JSON ({exc}).") from exc
    if not isinstance(data, dict):
        raise DocumentParseError(f"{path}: metadata file must hold a JSON object.")
    return {str(k): str(v) for k, v in data.items() if v is not None}


def _file_metadata(path: Path, front_matter: dict[str, str]) -> dict[str, str]:
    """Merge metadata, later sources winning: folder default, file name, front matter, sidecar."""
    meta = _read_meta(path.parent / GROUP_META)
    name_date = date_from_filename(path.name)
    if name_date:
        meta["date"] = name_date
    meta.update(front_matter)
    meta.update(_read_meta(path.with_name(path.name + SIDECAR_SUFFIX)))
    return meta


def _build(
    doc_id: str,
    text: str,
    meta: dict[str, str],
    *,
    title_hint: str | None = None,
    source_path: str | None = None,
    segments: tuple[Segment, ...] = (),
) -> Document:
    title = meta.get("title") or title_hint or extract_title(text, fallback=doc_id)
    language = meta.get("language") or detect_language(text)
    return Document(
        doc_id=doc_id,
        text=text,
        title=normalize_text(title),
        language=language,
        content_hash=_version_hash(doc_id, text, meta),
        date=meta.get("date") or None,
        jurisdiction=meta.get("jurisdiction") or None,
        source_path=source_path,
        segments=segments,
        extra={k: v for k, v in meta.items() if k not in _KNOWN_META},
    )


def _version_hash(doc_id: str, text: str, meta: dict[str, str]) -> str:
    """The text's hash, changed by what the sidecar says about the text's version.

    Editing a sidecar's `effective_from`, `superseded_by`, `repealed`... changes the period
    every chunk carries, so it must re-index the document like an edit of its text would.
    """
    digest = content_hash(text)
    claims = stated(meta)
    if not claims:
        return digest
    facts_of(doc_id, text, meta)  # a malformed date is this file's error, reported at load
    return hashlib.sha256(
        f"{digest}\n{json.dumps(claims, sort_keys=True, ensure_ascii=False)}".encode()
    ).hexdigest()


# --- passages (pre-segmented JSON / JSONL) ------------------------------------------------


def _assemble(
    passages: Sequence[tuple[str, str, str | None]],
) -> tuple[str, tuple[Segment, ...]]:
    """Join passages into one text and remember where each one sits in it."""
    parts: list[str] = []
    segments: list[Segment] = []
    used: dict[str, int] = {}
    pos = 0
    for key, raw, section in passages:
        text = normalize_text(raw)
        if not text:
            continue
        if parts:
            pos += 2  # the "\n\n" separator
        # Keys must be unique per document; a repeated source id gets a visible suffix.
        used[key] = used.get(key, 0) + 1
        unique = key if used[key] == 1 else f"{key}~{used[key]}"
        segments.append(Segment(key=unique, start=pos, end=pos + len(text), section=section))
        parts.append(text)
        pos += len(text)
    return "\n\n".join(parts), tuple(segments)


def document_from_passages(
    doc_id: str,
    passages: Sequence[tuple[str, str]],
    *,
    title: str,
    language: str | None = None,
    **meta: str,
) -> Document:
    """Build a document from already-cut passages `(passage_id, text)`, keeping their ids.

    Used for benchmarks such as ObliQA, whose gold answers point at passage ids: the splitter
    turns each passage into exactly one chunk keyed by its id. Extra keyword arguments become
    metadata (`date`, `jurisdiction`, others go to `Document.extra`).
    """
    text, segments = _assemble([(pid, body, None) for pid, body in passages])
    info = {k: str(v) for k, v in meta.items()}
    info["title"] = title
    if language:
        info["language"] = language
    return _build(doc_id, text, info, segments=segments)


def _parse_records(path: Path, raw: str) -> list[dict[str, Any]]:
    records: list[Any]
    if path.suffix.lower() == ".jsonl":
        records = []
        for lineno, line in enumerate(raw.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise DocumentParseError(
                    f"{path}: line {lineno} is not valid JSON ({exc.msg}). Each line must hold "
                    'one object like {"id": "...", "text": "...", "metadata": {...}}.'
                ) from exc
    else:
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise DocumentParseError(
                f"{path}: invalid JSON at line {exc.lineno}, column {exc.colno} ({exc.msg})."
            ) from exc
        records = data if isinstance(data, list) else [data]
    for n, rec in enumerate(records, start=1):
        if not (isinstance(rec, dict) and isinstance(rec.get("text"), str)):
            raise DocumentParseError(
                f"{path}: record {n} must be an object with a string 'text' "
                "(and optionally 'id' and 'metadata')."
            )
    return records


def _record_meta(record: dict[str, Any]) -> dict[str, Any]:
    meta = record.get("metadata")
    return meta if isinstance(meta, dict) else {}


def _load_passages(
    path: Path, doc_id: str, meta: dict[str, str], limits: ParseLimits
) -> list[Document]:
    raw = read_text(path)
    ParseBudget(path, limits).check_text(raw)
    records = _parse_records(path, raw)
    groups: dict[str, list[dict[str, Any]]] = {}
    for rec in records:
        groups.setdefault(str(_record_meta(rec).get("doc_id") or doc_id), []).append(rec)
    docs: list[Document] = []
    for group_id, recs in groups.items():
        passages = []
        for n, rec in enumerate(recs, start=1):
            section = _record_meta(rec).get("section")
            key = str(rec.get("id") or n)
            passages.append((key, rec["text"], str(section) if section else None))
        text, segments = _assemble(passages)
        if not text:
            continue
        first = _record_meta(recs[0])
        info = dict(meta)
        info.update({k: str(first[k]) for k in _KNOWN_META if first.get(k)})
        docs.append(
            _build(group_id, text, info, title_hint=group_id, source_path=str(path),
                   segments=segments)
        )  # fmt: skip
    if not docs:
        raise DocumentParseError(f"{path}: the file holds no passage with text.")
    return docs


# --- files --------------------------------------------------------------------------------


def load_file(path: Path, root: Path, *, limits: ParseLimits | None = None) -> list[Document]:
    """Load one corpus file as normalized documents (one, or several for passage files).

    The document id is the file's POSIX path relative to `root`, the stable name that chunks,
    citations and the manifest all use. `limits` bound what reading it may cost (defaults:
    `ParseLimits()`); to parse an untrusted file, use `ingest.sandbox.load_untrusted`.
    """
    limits = limits or ParseLimits()
    if not path.is_file():
        raise UnreadablePath(f"{path}: no such file. Check the path and try again.")
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise _unsupported(path)
    doc_id = _relative(path, root) or path.name
    try:
        if suffix in (".json", ".jsonl"):
            return _load_passages(path, doc_id, _file_metadata(path, {}), limits)
        title_hint: str | None = None
        if suffix in EXTRACTORS:
            raw, title_hint = EXTRACTORS[suffix](path, limits)
            front: dict[str, str] = {}
        else:
            raw = read_text(path)
            ParseBudget(path, limits).check_text(raw)
            front, raw = split_front_matter(raw)
    except OSError as exc:
        raise UnreadablePath(f"{path}: cannot read the file ({exc.strerror}).") from exc
    text = normalize_text(raw)
    if not text:
        raise DocumentParseError(f"{path}: the file contains no text.")
    meta = _file_metadata(path, front)
    return [_build(doc_id, text, meta, title_hint=title_hint, source_path=str(path))]
