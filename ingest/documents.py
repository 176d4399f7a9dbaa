"""A `Document` from a file's text and its metadata, whatever the file's format.

Metadata comes from four places, later ones winning: the folder's `_group.meta.json`, a date
in the file name, the file's front matter, and its own `NAME.meta.json` sidecar. What the
metadata says about the text's version changes the document's hash, so editing it re-indexes
the document as editing the text would.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from ingest.discovery import GROUP_META, SIDECAR_SUFFIX
from ingest.errors import DocumentParseError
from ingest.models import Document, Segment
from ingest.normalize import (
    content_hash,
    date_from_filename,
    detect_language,
    extract_title,
    normalize_text,
)
from ingest.versions import facts_of, stated

__all__ = ["KNOWN_META", "build_document", "file_metadata"]

#: Metadata keys that are `Document` fields; any other key goes to `Document.extra`.
KNOWN_META = ("title", "date", "jurisdiction", "language")


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


def file_metadata(path: Path, front_matter: dict[str, str]) -> dict[str, str]:
    """Merge metadata, later sources winning: folder default, file name, front matter, sidecar."""
    meta = _read_meta(path.parent / GROUP_META)
    name_date = date_from_filename(path.name)
    if name_date:
        meta["date"] = name_date
    meta.update(front_matter)
    meta.update(_read_meta(path.with_name(path.name + SIDECAR_SUFFIX)))
    return meta


def build_document(
    doc_id: str,
    text: str,
    meta: dict[str, str],
    *,
    title_hint: str | None = None,
    source_path: str | None = None,
    segments: tuple[Segment, ...] = (),
) -> Document:
    """The document for normalized `text`: title and language from the metadata if it names
    them, else from the format (`title_hint`) or the text itself."""
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
        extra={k: v for k, v in meta.items() if k not in KNOWN_META},
    )


def _version_hash(doc_id: str, text: str, meta: dict[str, str]) -> str:
    """The text's hash, changed by what the sidecar says about the text's version.

    Editing a sidecar's `effective_from`, `superseded_by`, `repealed`... changes the period
    every chunk carries, so it must re-index the document like an edit of its text would.
    """
    digest = content_hash(text)
    claims: dict[str, str] = stated(meta)
    if claims:
        facts_of(doc_id, text, meta)  # a malformed date is this file's error, reported at load
    # The names a question may call the document by (`aliases`) are stored with it, so
    # editing them must re-index it too.
    if meta.get("aliases"):
        claims = {**claims, "aliases": meta["aliases"]}
    if not claims:
        return digest
    return hashlib.sha256(
        f"{digest}\n{json.dumps(claims, sort_keys=True, ensure_ascii=False)}".encode()
    ).hexdigest()
