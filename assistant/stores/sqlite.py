"""The base of complyqa's small SQLite stores (API keys, audit log, conversations).

A store is one SQLite file with one connection shared across threads behind one lock. It
declares its schema as numbered migrations, functions named `m001_...`, `m002_...`, each
applied once, in order, when the file is opened, and recorded by name in the file's
`_migrations` table (the scheme of simonw/llm). Append new migrations; never edit, rename or
reorder old ones.

Files made before `_migrations` existed carry no record of what was applied: a store's first
migrations are written to be no-ops on them (`CREATE TABLE IF NOT EXISTS`, a column check),
or the store carries its older bookkeeping over (the audit log's `schema_migrations`).
"""

from __future__ import annotations

import logging
import os
import re
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import ClassVar, Literal, Self

log = logging.getLogger(__name__)

__all__ = [
    "FILE_MODE",
    "Migration",
    "SqliteStore",
    "Timespec",
    "applied_migrations",
    "create_migrations_table",
    "migrate",
    "migration_number",
    "open_sqlite",
    "table_exists",
    "transaction",
    "utc_now",
]

#: Key hashes, questions and conversations are nobody else's business on a shared machine.
FILE_MODE = 0o600

#: One schema step; its name (`m003_what_it_does`) is its number and its record.
Migration = Callable[[sqlite3.Connection], None]
Timespec = Literal["seconds", "milliseconds"]
_NAME = re.compile(r"^m(\d{3})_\w+$")


def utc_now(timespec: Timespec = "milliseconds") -> str:
    """The current UTC time as ISO 8601 text, e.g. `2025-01-31T08:00:00.000+00:00`."""
    return datetime.now(UTC).isoformat(timespec=timespec)


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


@contextmanager
def transaction(db: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """A write transaction on an autocommit connection: committed if the block ends normally,
    rolled back if it raises. It takes the write lock at once (`BEGIN IMMEDIATE`), so what the
    block reads stays true until it commits, also against other processes."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def migration_number(step: Migration) -> int:
    match = _NAME.match(step.__name__)
    if match is None:
        raise ValueError(f"a migration is named m001_what_it_does, not {step.__name__!r}")
    return int(match.group(1))


def table_exists(db: sqlite3.Connection, name: str) -> bool:
    sql = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?"
    return db.execute(sql, (name,)).fetchone() is not None


def applied_migrations(db: sqlite3.Connection) -> dict[str, str]:
    """Names of the migrations applied to `db`, with when; raises if it has no `_migrations`."""
    rows = db.execute("SELECT name, applied_at FROM _migrations").fetchall()
    return {name: applied_at for name, applied_at in rows}


def create_migrations_table(db: sqlite3.Connection) -> None:
    db.execute(
        "CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
    )


def migrate(
    db: sqlite3.Connection, migrations: Sequence[Migration], upto: int | None = None
) -> int:
    """Applies each of `migrations` not yet recorded in `db` (up to number `upto`), in order;
    returns the number of the last one applied, now or before (0 for none).

    Each migration and its record are one transaction, so a crash never leaves a half-applied
    migration behind, and a process opening the file at the same moment waits for it instead
    of applying it a second time.
    """
    numbers = [migration_number(step) for step in migrations]
    if numbers != list(range(1, len(numbers) + 1)):
        raise ValueError(f"migrations must be numbered 1, 2, 3, ... in order, not {numbers}")
    create_migrations_table(db)
    applied = applied_migrations(db)
    version = 0
    for number, step in zip(numbers, migrations, strict=True):
        if upto is not None and number > upto:
            break
        if step.__name__ not in applied:
            with transaction(db):
                if step.__name__ not in applied_migrations(db):  # another process was first
                    step(db)
                    db.execute(
                        "INSERT INTO _migrations (name, applied_at) VALUES (?, ?)",
                        (step.__name__, utc_now()),
                    )
        version = number
    return version


class SqliteStore:
    """A store in one SQLite file: one connection behind one lock, migrated when opened.

    A subclass names its file (`FILENAME`, for `in_data_dir`), its `MIGRATIONS` and the
    precision of its timestamps (`TIMESPEC`, for `_now`); it reads under `_read()` and writes
    under `_tx()`.
    """

    FILENAME: ClassVar[str]
    MIGRATIONS: ClassVar[Sequence[Migration]] = ()
    TIMESPEC: ClassVar[Timespec] = "milliseconds"

    @classmethod
    def in_data_dir(cls, data_dir: Path) -> Self:
        return cls(Path(data_dir) / cls.FILENAME)

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._db = open_sqlite(self.path)
        self._migrate(self._db)

    def _migrate(self, db: sqlite3.Connection) -> None:
        migrate(db, self.MIGRATIONS)

    def _now(self) -> str:
        return utc_now(self.TIMESPEC)

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        """The connection, held by this thread alone (autocommit: each statement by itself)."""
        with self._lock:
            yield self._db

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        """The connection inside one write transaction (see `transaction`)."""
        with self._lock, transaction(self._db) as db:
            yield db

    def close(self) -> None:
        with self._lock:
            self._db.close()
