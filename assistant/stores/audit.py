"""The audit log: one append-only row for every `/v1` request, answer and key change.

Rows are never updated or deleted (SQLite triggers refuse it), each row carries a hash chained
to the previous row (`assistant.stores.audit_chain`) so editing the file around the triggers shows,
and the schema changes only through numbered migrations (`assistant.stores.audit_schema`), so an
old database upgrades itself when it is opened. The log stores the id of the API key, never
the key.
"""

from __future__ import annotations

import csv
import json
import sqlite3
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Literal, TextIO

from pydantic import BaseModel, Field

from assistant.models import Answer
from assistant.stores.audit_chain import GENESIS, ChainReport, row_hash, verify_rows
from assistant.stores.audit_schema import CHAIN_VERSION, MIGRATIONS, current_version, migrate
from assistant.stores.sqlite import SqliteStore, table_exists, utc_now
from ingest.errors import ComplyqaError

__all__ = [
    "AuditEntry",
    "AuditLog",
    "ChainReport",
    "MIGRATIONS",
    "InvalidSince",
    "answer_fields",
    "parse_since",
    "utc_now",
]


class AuditCitation(BaseModel):
    marker: int
    doc_id: str
    start: int
    end: int


class AuditEntry(BaseModel):
    """One audited call: who, which route, with what outcome; for answers also what was asked,
    what was answered, from which corpus and settings."""

    id: int | None = None
    time: str = Field(description="UTC time, ISO 8601")
    key_id: str | None = Field(default=None, description="Id of the API key (never the key)")
    endpoint: str = Field(description="Route (path template), or the CLI command")
    method: str | None = Field(default=None, description="HTTP method")
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
    user_id: str | None = Field(
        default=None, description="End user forwarded by a client such as Open WebUI"
    )
    user_name: str | None = None
    user_email: str | None = None
    user_role: str | None = None
    prev_hash: str | None = Field(default=None, description="Hash of the row before this one")
    row_hash: str | None = Field(default=None, description="Hash of this row (and prev_hash)")

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
            latency_ms=round(latency_ms, 1),
            conversation_id=conversation_id,
            **answer_fields(answer),
        )


def answer_fields(answer: Answer) -> dict[str, Any]:
    """The audit columns an answer fills: its text, citations and provenance.

    One list for every writer of an answer's row (`AuditEntry.for_answer`, the API's request
    trail, the MCP tools), so a column added here is recorded by all of them.
    """
    return {
        "answer_text": answer.text,
        "citations": [
            AuditCitation(marker=c.marker, doc_id=c.doc_id, start=c.start, end=c.end)
            for c in answer.citations
        ],
        "abstained": answer.abstained,
        "corpus_fingerprint": answer.corpus_fingerprint,
        "profile": answer.profile,
        "model_id": answer.model_id,
        "prompt_version": answer.prompt_version,
    }


class InvalidSince(ComplyqaError):
    """A `since` that is not an ISO date or time."""


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
    "method",
    "user_id",
    "user_name",
    "user_email",
    "user_role",
    "prev_hash",
    "row_hash",
]


class AuditLog(SqliteStore):
    """The append-only audit table in a SQLite file (normally `DATA_DIR/audit.sqlite`)."""

    FILENAME = "audit.sqlite"
    MIGRATIONS = MIGRATIONS  # assistant.stores.audit_schema's

    def _migrate(self, db: sqlite3.Connection) -> None:
        migrate(db)  # also carries over the versions of logs from before `_migrations`

    @property
    def schema_version(self) -> int:
        with self._read() as db:
            return current_version(db)

    def record(self, entry: AuditEntry) -> int:
        """Appends `entry`, chained to the last row; returns its row id.

        The write lock is taken before the last row is read, so writers in other processes
        (API workers, the CLI) chain one after another, never two rows onto the same one.
        """
        values: dict[str, object] = entry.model_dump(exclude={"id", "prev_hash", "row_hash"})
        values["citations"] = json.dumps(values["citations"], ensure_ascii=False)
        if values["abstained"] is not None:
            values["abstained"] = int(bool(values["abstained"]))
        with self._tx() as db:
            last = db.execute(
                "SELECT id, row_hash FROM audit_log ORDER BY id DESC LIMIT 1"
            ).fetchone()
            row_id = max(last["id"] if last else 0, _highest_id(db)) + 1
            values["id"] = row_id
            values["prev_hash"] = last["row_hash"] if last else GENESIS
            values["row_hash"] = row_hash(values)
            cols = list(values)
            db.execute(
                f"INSERT INTO audit_log ({', '.join(cols)}) "
                f"VALUES ({', '.join('?' for _ in cols)})",
                [values[c] for c in cols],
            )
        return row_id

    def verify(self) -> ChainReport:
        """Checks the hash chain from the first row; names the first row that breaks it."""
        with self._read() as db:
            return _verify(db)

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
        with self._read() as db:
            rows = db.execute(sql, params).fetchall()
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


def verify_file(path: Path) -> ChainReport:
    """Checks the chain of the audit database at `path` without changing it (read-only: no
    migration, so a copy under examination stays as it was found)."""
    if not Path(path).is_file():
        raise ComplyqaError(f"no audit log at {path}; give one with --db")
    db = sqlite3.connect(f"file:{Path(path).resolve()}?mode=ro", uri=True)
    db.row_factory = sqlite3.Row
    try:
        try:
            version = current_version(db) if table_exists(db, "audit_log") else None
        except sqlite3.DatabaseError:  # not SQLite, or no migration records
            version = None
        if version is None:
            raise ComplyqaError(f"{path} is not a complyqa audit log")
        if version < CHAIN_VERSION:
            raise ComplyqaError(
                f"{path} is an audit log from before the hash chain (schema version {version}); "
                "open it with complyqa once (e.g. `complyqa audit export`) to upgrade it"
            )
        return _verify(db)
    finally:
        db.close()


def _verify(db: sqlite3.Connection) -> ChainReport:
    highest = _highest_id(db)
    rows = db.execute("SELECT * FROM audit_log ORDER BY id")
    return verify_rows((dict(r) for r in rows), highest_id_ever=highest)


def _highest_id(db: sqlite3.Connection) -> int:
    row = db.execute("SELECT seq FROM sqlite_sequence WHERE name = 'audit_log'").fetchone()
    return int(row[0]) if row else 0


def _row_to_entry(row: sqlite3.Row) -> AuditEntry:
    data = dict(row)
    data["citations"] = json.loads(data.get("citations") or "[]")
    if data.get("abstained") is not None:
        data["abstained"] = bool(data["abstained"])
    return AuditEntry(**data)
