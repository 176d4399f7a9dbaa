"""The audit log's schema: numbered migrations (see `assistant.stores.sqlite`), applied in order when
a database is opened.

Append new migrations, never edit, rename or reorder old ones. A new column must be nullable
without a default, so rows before it keep their chain hashes.

Audit logs made before `_migrations` recorded their version numbers in `schema_migrations
(version, applied_at)`. The first time such a file is opened, those versions are carried into
`_migrations` under their migrations' names, with their times, so none runs twice;
`schema_migrations` itself is left as it was (and no longer written).
"""

from __future__ import annotations

import sqlite3

from assistant.stores.audit_chain import GENESIS, row_hash
from assistant.stores.sqlite import (
    Migration,
    applied_migrations,
    create_migrations_table,
    migration_number,
    table_exists,
    transaction,
)
from assistant.stores.sqlite import migrate as apply_migrations

__all__ = ["CHAIN_VERSION", "MIGRATIONS", "current_version", "migrate"]

_NO_UPDATE = """CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END"""
_NO_DELETE = """CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END"""


def m001_audit_log(db: sqlite3.Connection) -> None:
    db.execute(
        """CREATE TABLE audit_log (
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
        )"""
    )
    db.execute("CREATE INDEX audit_log_time ON audit_log (time)")


def m002_status_detail_append_only(db: sqlite3.Connection) -> None:
    db.execute("ALTER TABLE audit_log ADD COLUMN status INTEGER NOT NULL DEFAULT 200")
    db.execute("ALTER TABLE audit_log ADD COLUMN conversation_id TEXT")
    db.execute("ALTER TABLE audit_log ADD COLUMN detail TEXT")
    db.execute(_NO_UPDATE)
    db.execute(_NO_DELETE)


def m003_forwarded_user_and_chain(db: sqlite3.Connection) -> None:
    """Who asked (forwarded user), the HTTP method, and the hash chain.

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
    db.execute(_NO_UPDATE)
    db.execute(
        "CREATE TRIGGER audit_log_chained BEFORE INSERT ON audit_log "
        "WHEN NEW.row_hash IS NULL OR NEW.prev_hash IS NULL "
        "BEGIN SELECT RAISE(ABORT, 'audit rows must carry their chain hashes'); END"
    )


MIGRATIONS: list[Migration] = [
    m001_audit_log,
    m002_status_detail_append_only,
    m003_forwarded_user_and_chain,
]
#: The schema version from which rows carry chain hashes.
CHAIN_VERSION = migration_number(m003_forwarded_user_and_chain)


def migrate(db: sqlite3.Connection, upto: int | None = None) -> int:
    """Applies every migration newer than the database's version; returns the new version."""
    _carry_over_schema_migrations(db)
    return apply_migrations(db, MIGRATIONS, upto)


def current_version(db: sqlite3.Connection) -> int:
    """The number of the last migration applied to `db`, read without changing it (also from
    a file whose `schema_migrations` was not yet carried over); raises `sqlite3.DatabaseError`
    if `db` has neither table."""
    if table_exists(db, "_migrations"):
        applied = applied_migrations(db)
        done = [migration_number(step) for step in MIGRATIONS if step.__name__ in applied]
        return max(done, default=0)
    row = db.execute("SELECT MAX(version) FROM schema_migrations").fetchone()
    return int(row[0] or 0)


def _carry_over_schema_migrations(db: sqlite3.Connection) -> None:
    if table_exists(db, "_migrations") or not table_exists(db, "schema_migrations"):
        return
    with transaction(db):
        if table_exists(db, "_migrations"):  # another process carried them over first
            return
        create_migrations_table(db)
        names = {migration_number(step): step.__name__ for step in MIGRATIONS}
        old = db.execute("SELECT version, applied_at FROM schema_migrations ORDER BY version")
        for version, applied_at in old.fetchall():
            db.execute(
                "INSERT INTO _migrations (name, applied_at) VALUES (?, ?)",
                (names[version], applied_at),
            )
