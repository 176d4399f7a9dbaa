"""Which files an ingest reads: folders walked, files of supported types chosen, others skipped.

A walk is sorted, so ingest order (and thus reports) are reproducible. Hidden files,
metadata sidecars and files matched by `root/.complyqaignore` are passed over; files of
unsupported types inside folders are listed as skipped, with the reason, for the report.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pathspec

from ingest.errors import UnreadablePath, UnsupportedFileType

__all__ = [
    "GROUP_META",
    "IGNORE_FILE",
    "SIDECAR_SUFFIX",
    "SUPPORTED_SUFFIXES",
    "Discovery",
    "discover_files",
    "relative_id",
    "unsupported",
]

SUPPORTED_SUFFIXES: tuple[str, ...] = (
    ".txt", ".md", ".markdown", ".html", ".htm", ".pdf", ".docx", ".json", ".jsonl",
)  # fmt: skip
IGNORE_FILE = ".complyqaignore"
GROUP_META = "_group.meta.json"
SIDECAR_SUFFIX = ".meta.json"


@dataclass(frozen=True)
class Discovery:
    """Files to ingest, plus files passed over with the reason, so the caller can report them."""

    files: list[Path] = field(default_factory=list)
    skipped: list[tuple[Path, str]] = field(default_factory=list)


def is_sidecar(path: Path) -> bool:
    """A metadata file, read together with its document (or its folder), never on its own."""
    return path.name == GROUP_META or path.name.endswith(SIDECAR_SUFFIX)


def unsupported(path: Path) -> UnsupportedFileType:
    """The error for a file no loader reads, listing the types that can be ingested."""
    return UnsupportedFileType(
        f"{path}: files of type '{path.suffix or '(no suffix)'}' cannot be ingested. "
        f"Supported types: {', '.join(SUPPORTED_SUFFIXES)}. Convert the file to one of them."
    )


def relative_id(path: Path, root: Path) -> str | None:
    """`path` as a POSIX path relative to `root` (a document id), or None when outside it."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return None


def _ignore_spec(root: Path) -> pathspec.PathSpec | None:
    ignore_file = root / IGNORE_FILE
    if not ignore_file.is_file():
        return None
    lines = ignore_file.read_text(encoding="utf-8").splitlines()
    return pathspec.PathSpec.from_lines("gitignore", lines)


def discover_files(paths: Sequence[Path], root: Path) -> Discovery:
    """Expand the paths a user named into the list of files to ingest.

    Folders are walked recursively in sorted order; see the module docstring for what is
    passed over. A file named explicitly must exist and have a supported type: that is a user
    error, not a skip.
    """
    spec = _ignore_spec(root)
    files: list[Path] = []
    skipped: list[tuple[Path, str]] = []
    seen: set[Path] = set()

    def ignored(path: Path) -> bool:
        rel = relative_id(path, root)
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
                raise unsupported(path)
            if is_sidecar(path):
                skipped.append((path, "metadata sidecar, read together with its document"))
            else:
                add(path)
            continue
        for child in sorted(path.rglob("*")):
            rel_parts = child.relative_to(path).parts
            if any(part.startswith(".") for part in rel_parts) or not child.is_file():
                continue
            if is_sidecar(child):
                continue
            if ignored(child):
                skipped.append((child, f"matched by {IGNORE_FILE}"))
            elif child.suffix.lower() not in SUPPORTED_SUFFIXES:
                skipped.append((child, f"unsupported file type '{child.suffix or '(none)'}'"))
            else:
                add(child)
    return Discovery(files=files, skipped=skipped)
