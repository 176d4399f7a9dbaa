"""Plain text and markdown files (.txt, .md, .markdown): decoded, front matter split off.

Needs no extra: these are the formats a core install reads.
"""

from __future__ import annotations

import logging
from pathlib import Path

from ingest.errors import DocumentParseError
from ingest.limits import ParseBudget
from ingest.normalize import split_front_matter
from ingest.settings import ParseLimits

__all__ = ["extract_text", "read_text"]

log = logging.getLogger(__name__)


def read_text(path: Path) -> str:
    """Decode a text file: UTF-8 first, then whatever encoding charset_normalizer detects."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        from charset_normalizer import from_bytes
    except ImportError as exc:  # pragma: no cover - a core dependency, kept optional here
        raise DocumentParseError(
            f"{path}: the file is not UTF-8. Save it as UTF-8 and ingest it again."
        ) from exc
    best = from_bytes(data).best()
    if best is None:
        raise DocumentParseError(
            f"{path}: the file is not UTF-8 and its encoding could not be detected. "
            "Save it as UTF-8 and ingest it again."
        )
    log.info("%s: decoded as %s", path, best.encoding)
    return str(best)


def extract_text(path: Path, limits: ParseLimits) -> tuple[str, dict[str, str]]:
    """The file's raw text without its front matter, and the front matter's fields."""
    raw = read_text(path)
    ParseBudget(path, limits).check_text(raw)
    front, body = split_front_matter(raw)
    return body, front
