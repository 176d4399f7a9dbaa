"""Pre-segmented passages (.json, .jsonl, or in memory): one chunk per passage, ids kept.

Benchmarks such as ObliQA point their gold answers at passage ids, so a passage must stay one
chunk keyed by its id: the document remembers where each passage sits in its text
(`Document.segments`), and the splitter cuts there. Needs no extra.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ingest.documents import KNOWN_META, build_document
from ingest.errors import DocumentParseError
from ingest.formats.text import read_text
from ingest.limits import ParseBudget
from ingest.models import Document, Segment
from ingest.normalize import normalize_text
from ingest.settings import ParseLimits

__all__ = ["PASSAGE_SUFFIXES", "document_from_passages", "load_passages"]

PASSAGE_SUFFIXES = (".json", ".jsonl")


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
    return build_document(doc_id, text, info, segments=segments)


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


def load_passages(
    path: Path, doc_id: str, meta: dict[str, str], limits: ParseLimits
) -> list[Document]:
    """The documents of a passage file: records grouped by their `metadata.doc_id` (the
    file's own id by default), each group one document with one segment per passage."""
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
        info.update({k: str(first[k]) for k in KNOWN_META if first.get(k)})
        docs.append(
            build_document(group_id, text, info, title_hint=group_id, source_path=str(path),
                           segments=segments)
        )  # fmt: skip
    if not docs:
        raise DocumentParseError(f"{path}: the file holds no passage with text.")
    return docs
