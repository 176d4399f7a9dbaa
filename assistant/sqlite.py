"""One way to open complyqa's small SQLite stores (keys, audit log, conversations)."""

from __future__ import annotations

import logging
import os
import sqlite3
from pathlib import Path

log = logging.getLogger(__name__)

#: Key hashes, questions and conversations are nobody else's business on a shared machine.
FILE_MODE = 0o600


def open_sqlite(path: Path) -> sqlite3.Connection:
    """A connection shared across threads (callers hold their own lock), in autocommit mode.

    WAL lets API workers read while one writes; the busy timeout makes concurrent writers
    wait instead of failing. The file is created readable by its owner only (SQLite gives its
    `-wal` and `-shm` files the same mode), and an existing one is narrowed to that.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, FILE_MODE)
    os.close(fd)
    if path.stat().st_mode & 0o777 != FILE_MODE:
        try:
            os.chmod(path, FILE_MODE)
        except PermissionError:
            log.warning("%s is readable by others and not ours to chmod: chmod 600 it", path)
    db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
    db.row_factory = sqlite3.Row
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA busy_timeout=5000")
    return db
