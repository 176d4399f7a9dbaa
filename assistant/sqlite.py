"""One way to open complyqa's small SQLite stores (keys, audit log, conversations)."""

from __future__ import annotations

import sqlite3
from pathlib import Path


def open_sqlite(path: Path) -> sqlite3.Connection:
    """A connection shared across threads (callers hold their own lock), in autocommit mode.

    WAL lets API workers read while one writes; the busy timeout makes concurrent writers
    wait instead of failing.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
    db.row_factory = sqlite3.Row
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA busy_timeout=5000")
    return db
