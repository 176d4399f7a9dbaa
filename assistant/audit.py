"""The audit log: one append-only row for every answer (and search) the API gives.

Rows are never updated or deleted (SQLite triggers refuse it), and the schema changes only
through numbered migrations recorded in `schema_migrations`, so an old database upgrades
itself when it is opened. The log stores the id of the API key, never the key.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Literal, TextIO

from pydantic import BaseModel, Field

from assistant.models import Answer
from assistant.sqlite import open_sqlite
from ingest.errors import ComplyqaError

__all__ = ["AuditEntry", "AuditLog", "MIGRATIONS", "InvalidSince", "parse_since"]

#: Numbered schema migrations; append new ones, never edit or reorder old ones.
MIGRATIONS: list[tuple[int, str]] = [
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
]


class AuditCitation(BaseModel):
    marker: int
    doc_id: str
    start: int
    end: int


class AuditEntry(BaseModel):
    """One audited call: what was asked, what was answered, from which corpus and settings."""

    id: int | None = None
    time: str = Field(description="UTC time, ISO 8601")
    key_id: str | None = Field(default=None, description="Id of the API key (never the key)")
    endpoint: str
    question: str | None = None
    answer_text: str | None = None
    citations: list[AuditCitation] = []
    abstained: bool | None = None
    corpus_fingerprint: str | None = None
    profile: str | None = None
    model_id: str | None = None
    prompt_version: str | None = None
    latency_ms: float | None = None
    status: int = 200
    conversation_id: str | None = None
    detail: str | None = Field(default=None, description="Error message, or what a write did")

    @classmethod
    def for_answer(
        cls,
        answer: Answer,
        *,
        endpoint: str,
        key_id: str | None,
        latency_ms: float,
        conversation_id: str | None = None,
    ) -> AuditEntry:
        return cls(
            time=utc_now(),
            key_id=key_id,
            endpoint=endpoint,
            question=answer.question,
            answer_text=answer.text,
            citations=[
                AuditCitation(marker=c.marker, doc_id=c.doc_id, start=c.start, end=c.end)
                for c in answer.citations
            ],
            abstained=answer.abstained,
            corpus_fingerprint=answer.corpus_fingerprint,
            profile=answer.profile,
            model_id=answer.model_id,
            prompt_version=answer.prompt_version,
            latency_ms=round(latency_ms, 1),
            conversation_id=conversation_id,
        )


class InvalidSince(ComplyqaError):
    status_code = 422


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def parse_since(value: str | date | datetime | None) -> str | None:
    """An ISO date or date-time as the UTC timestamp text the log compares against."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            raise InvalidSince(
                f"cannot read {value!r} as a date; use ISO 8601, e.g. 2025-01-31 or "
                "2025-01-31T08:00:00Z"
            ) from None
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="milliseconds")


_COLUMNS = [
    "id",
    "time",
    "key_id",
    "endpoint",
    "question",
    "answer_text",
    "citations",
    "abstained",
    "corpus_fingerprint",
    "profile",
    "model_id",
    "prompt_version",
    "latency_ms",
    "status",
    "conversation_id",
    "detail",
]


class AuditLog:
    """The append-only audit table in a SQLite file (normally `DATA_DIR/audit.sqlite`)."""

    FILENAME = "audit.sqlite"

    @classmethod
    def in_data_dir(cls, data_dir: Path) -> AuditLog:
        return cls(Path(data_dir) / cls.FILENAME)

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._db = open_sqlite(self.path)
        migrate(self._db)

    @property
    def schema_version(self) -> int:
        with self._lock:
            return _current_version(self._db)

    def record(self, entry: AuditEntry) -> int:
        """Appends `entry`; returns its row id."""
        values = entry.model_dump(exclude={"id"})
        values["citations"] = json.dumps(values["citations"], ensure_ascii=False)
        if values["abstained"] is not None:
            values["abstained"] = int(values["abstained"])
        cols = list(values)
        sql = f"INSERT INTO audit_log ({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)})"
        with self._lock:
            cur = self._db.execute(sql, [values[c] for c in cols])
            return int(cur.lastrowid or 0)

    def entries(
        self, since: str | None = None, limit: int | None = None, after_id: int = 0
    ) -> list[AuditEntry]:
        """Entries at or after `since` (ISO UTC), oldest first."""
        return list(self.iter_entries(since=since, limit=limit, after_id=after_id))

    def iter_entries(
        self, since: str | None = None, limit: int | None = None, after_id: int = 0
    ) -> Iterator[AuditEntry]:
        sql = "SELECT * FROM audit_log WHERE id > ?"
        params: list[object] = [after_id]
        since_ts = parse_since(since)
        if since_ts is not None:
            sql += " AND time >= ?"
            params.append(since_ts)
        sql += " ORDER BY id"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        with self._lock:
            rows = self._db.execute(sql, params).fetchall()
        for row in rows:
            yield _row_to_entry(row)

    def export(
        self,
        out: TextIO,
        since: str | None = None,
        format: Literal["jsonl", "csv"] = "jsonl",
    ) -> int:
        """Writes entries to `out` as JSON lines or CSV; returns how many."""
        return write_entries(self.iter_entries(since=since), out, format)

    def close(self) -> None:
        with self._lock:
            self._db.close()


def write_entries(
    entries: Iterable[AuditEntry], out: TextIO, format: Literal["jsonl", "csv"] = "jsonl"
) -> int:
    n = 0
    if format == "csv":
        writer = csv.DictWriter(out, fieldnames=_COLUMNS)
        writer.writeheader()
        for entry in entries:
            row = entry.model_dump()
            row["citations"] = json.dumps(row["citations"], ensure_ascii=False)
            writer.writerow(row)
            n += 1
    elif format == "jsonl":
        for entry in entries:
            out.write(entry.model_dump_json() + "\n")
            n += 1
    else:
        raise ComplyqaError(f"unknown export format {format!r}; use jsonl or csv")
    return n


def export_text(entries: Iterable[AuditEntry], format: Literal["jsonl", "csv"]) -> str:
    buf = io.StringIO()
    write_entries(entries, buf, format)
    return buf.getvalue()


def migrate(db: sqlite3.Connection, upto: int | None = None) -> int:
    """Applies every migration newer than the database's version; returns the new version."""
    db.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)"
    )
    current = _current_version(db)
    for version, sql in MIGRATIONS:
        if version <= current or (upto is not None and version > upto):
            continue
        # executescript commits first; the migration and its bookkeeping then run as one
        # transaction, so a crash never leaves a half-applied version behind.
        try:
            db.executescript(
                "BEGIN;\n"
                + sql
                + f"\nINSERT INTO schema_migrations (version, applied_at) VALUES ({version}, "
                f"'{utc_now()}');\nCOMMIT;"
            )
        except sqlite3.Error:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
        current = version
    return current


def _current_version(db: sqlite3.Connection) -> int:
    row = db.execute("SELECT MAX(version) FROM schema_migrations").fetchone()
    return int(row[0] or 0)


def _row_to_entry(row: sqlite3.Row) -> AuditEntry:
    data = dict(row)
    data["citations"] = json.loads(data.get("citations") or "[]")
    if data.get("abstained") is not None:
        data["abstained"] = bool(data["abstained"])
    return AuditEntry(**data)
