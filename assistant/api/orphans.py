"""Uploaded files that no indexed document came from, set aside when the server starts.

An upload writes its file first and indexes it after; a kill -9 in between leaves a file under
`uploads/` that nothing serves and that a later upload of the same name would treat as an
earlier version. At startup such files (and the staging folders of interrupted uploads) are
moved to `DATA_DIR/upload-orphans/<time>/`, never deleted: an operator can look at them.

Two guards keep the sweep from touching what it must not: a file younger than
`MIN_AGE_SECONDS` may belong to an upload still running in another worker, and with an empty
index nothing is swept (an index being rebuilt is not evidence that the files are orphans).
"""

from __future__ import annotations

import logging
import os
import shutil
import time
from collections.abc import Collection
from datetime import UTC, datetime
from pathlib import Path

from assistant.api.deps import ApiState
from assistant.uploads import doc_id_of_file

log = logging.getLogger(__name__)

__all__ = ["MIN_AGE_SECONDS", "find_orphans", "sweep_at_startup", "sweep_upload_orphans"]

#: Longer than any upload takes to parse and embed (parse limit 120 s, 25 MB of text).
MIN_AGE_SECONDS = 30 * 60.0


def find_orphans(
    data_dir: Path, indexed: Collection[str], *, now: float, min_age: float
) -> list[Path]:
    """Uploaded files whose document is not indexed, and staging folders left behind."""
    uploads = data_dir / "uploads"
    found: list[Path] = []
    ids = set(indexed)
    # A passage file (.jsonl) is indexed as `<its id>#<passage document>` documents.
    ids |= {i.split("#", 1)[0] for i in ids if "#" in i}
    if uploads.is_dir():
        for path in sorted(uploads.rglob("*")):
            if not path.is_file() or now - path.stat().st_mtime < min_age:
                continue
            if doc_id_of_file(uploads, path) not in ids:
                found.append(path)
    staging = data_dir / "upload-staging"
    if staging.is_dir():
        found += [p for p in sorted(staging.iterdir()) if now - p.stat().st_mtime >= min_age]
    return found


def sweep_upload_orphans(data_dir: Path, indexed: Collection[str]) -> list[Path]:
    """Move orphaned upload files aside (see the module doc); returns where they went."""
    if not indexed:
        return []
    data_dir = Path(data_dir)
    orphans = find_orphans(data_dir, indexed, now=time.time(), min_age=MIN_AGE_SECONDS)
    if not orphans:
        return []
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target_root = data_dir / "upload-orphans" / stamp
    moved = []
    for path in orphans:
        target = target_root / path.relative_to(data_dir)
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.replace(path, target)
        except OSError:
            shutil.move(str(path), str(target))
        log.warning("moved %s, which no indexed document came from, to %s", path, target)
        moved.append(target)
    return moved


def sweep_at_startup(state: ApiState) -> None:
    """The startup hook: sweep against the index as it is now; a failure only logs."""
    try:
        indexed = state.facade().index.manifest(fresh=True)
        sweep_upload_orphans(Path(state.settings.data_dir), indexed)
    except Exception:  # a sweep must never keep the server from starting
        log.warning("could not sweep orphaned uploads", exc_info=True)
