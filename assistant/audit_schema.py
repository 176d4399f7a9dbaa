"""The audit log's schema: numbered migrations, applied in order when a database is opened.

Append new migrations, never edit or reorder old ones. A migration is SQL, or a function for
what SQL alone cannot do (hashing rows for the chain).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime

from assistant.audit_chain import GENESIS, row_hash

__all__ = ["CHAIN_VERSION", "MIGRATIONS", "current_version", "migrate"]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


_APPEND_ONLY = """
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
"""


def _chain_rows(db: sqlite3.Connection) -> None:
    """Migration 3: who asked (forwarded user), the HTTP method, and the hash chain.

    Rows written before the chain existed are hashed once, as they are at the upgrade; the
    update trigger is lifted for exactly that, inside the migration's transaction.
    """
    for column in ("method", "user_id", "user_name", "user_email", "user_role"):
        db.execute(f"ALTER TABLE audit_log ADD COLUMN {column} TEXT")
    db.execute("ALTER TABLE audit_log ADD COLUMN prev_hash TEXT")
    db.execute("ALTER TABLE audit_log ADD COLUMN row_hash TEXT")
    db.execute("DROP TRIGGER audit_log_no_update")
    prev = GENESIS
    cur = db.execute("SELECT * FROM audit_log ORDER BY id")
    names = [d[0] for d in cur.description]
    for values in cur.fetchall():
        row = dict(zip(names, values, strict=True)) | {"prev_hash": prev}
        prev = row_hash(row)
        db.execute(
            "UPDATE audit_log SET prev_hash = ?, row_hash = ? WHERE id = ?",
            (row["prev_hash"], prev, row["id"]),
        )
    db.execute(_APPEND_ONLY)
    db.execute(
        "CREATE TRIGGER audit_log_chained BEFORE INSERT ON audit_log "
        "WHEN NEW.row_hash IS NULL OR NEW.prev_hash IS NULL "
        "BEGIN SELECT RAISE(ABORT, 'audit rows must carry their chain hashes'); END"
    )


#: Numbered schema migrations; append new ones, never edit or reorder old ones. A new column
#: must be nullable without a default, so rows before it keep their chain hashes.
MIGRATIONS: list[tuple[int, str | Callable[[sqlite3.Connection], None]]] = [
    (
        1,
        """
        CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            time TEXT NOT NULL,
            key_id TEXT,
            endpoint TEXT NOT NULL,
            question TEXT,
            answer_text TEXT,
            citations TEXT NOT NULL DEFAULT '[]',
            abstained INTEGER,
            corpus_fingerprint TEXT,
            profile TEXT,
            model_id TEXT,
            prompt_version TEXT,
            latency_ms REAL
        );
        CREATE INDEX audit_log_time ON audit_log (time);
        """,
    ),
    (
        2,
        """
        ALTER TABLE audit_log ADD COLUMN status INTEGER NOT NULL DEFAULT 200;
        ALTER TABLE audit_log ADD COLUMN conversation_id TEXT;
        ALTER TABLE audit_log ADD COLUMN detail TEXT;
        CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
        CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
        """,
    ),
    (3, _chain_rows),
]
#: The schema version from which rows carry chain hashes.
CHAIN_VERSION = 3


def migrate(db: sqlite3.Connection, upto: int | None = None) -> int:
    """Applies every migration newer than the database's version; returns the new version."""
    db.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)"
    )
    current = current_version(db)
    for version, step in MIGRATIONS:
        if version <= current or (upto is not None and version > upto):
            continue
        # The migration and its bookkeeping run as one transaction, so a crash never leaves a
        # half-applied version behind.
        record = (
            f"INSERT INTO schema_migrations (version, applied_at) VALUES ({version}, '{_now()}')"
        )
        try:
            if isinstance(step, str):
                # executescript commits first, so the transaction is part of the script.
                db.executescript(f"BEGIN;\n{step}\n{record};\nCOMMIT;")
            else:
                db.execute("BEGIN IMMEDIATE")
                step(db)
                db.execute(record)
                db.execute("COMMIT")
        except sqlite3.Error:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
        current = version
    return current


def current_version(db: sqlite3.Connection) -> int:
    row = db.execute("SELECT MAX(version) FROM schema_migrations").fetchone()
    return int(row[0] or 0)
