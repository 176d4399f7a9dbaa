"""The audit log: append-only, self-migrating, exportable."""

from __future__ import annotations

import csv
import io
import json
import shutil
import sqlite3
import stat
from pathlib import Path

import pytest

from assistant.models import Answer, Citation
from assistant.stores.audit import (
    MIGRATIONS,
    AuditEntry,
    AuditLog,
    InvalidSince,
    migrate,
    parse_since,
    utc_now,
)
from assistant.stores.audit_chain import GENESIS, row_hash
from assistant.stores.sqlite import migration_number

_NAMES = [step.__name__ for step in MIGRATIONS]


def _answer() -> Answer:
    return Answer(
        question="Q?",
        text="A [1]",
        citations=[
            Citation(marker=1, doc_id="us-ear/744.23.md", title="t", start=5, end=9, quote="xxxx")
        ],
        corpus_fingerprint="fp",
        profile="fast",
        model_id="m",
        prompt_version="v1",
    )


def test_answers_are_recorded_with_provenance(tmp_path: Path) -> None:
    log = AuditLog.in_data_dir(tmp_path)
    entry = AuditEntry.for_answer(_answer(), endpoint="/v1/ask", key_id="k1", latency_ms=12.34)
    row_id = log.record(entry)
    (stored,) = log.entries()
    assert stored.id == row_id
    chain = {"id", "prev_hash", "row_hash"}
    assert stored.model_dump(exclude=chain) == entry.model_dump(exclude=chain)
    assert stored.citations[0].doc_id == "us-ear/744.23.md" and stored.citations[0].start == 5
    assert stored.profile == "fast" and stored.corpus_fingerprint == "fp"
    assert stored.model_id == "m" and stored.prompt_version == "v1" and stored.latency_ms == 12.3


def test_rows_cannot_be_updated_or_deleted(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "a.sqlite")
    log.record(AuditEntry(time="2025-01-01T00:00:00.000+00:00", endpoint="/v1/ask"))
    db = sqlite3.connect(tmp_path / "a.sqlite")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute("UPDATE audit_log SET question = 'forged'")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute("DELETE FROM audit_log")
    assert len(log.entries()) == 1


def _log_with_rows(path: Path, n: int) -> AuditLog:
    log = AuditLog(path)
    for i in range(n):
        log.record(AuditEntry(time=f"2025-01-0{i + 1}T00:00:00.000+00:00", endpoint=f"/v1/r{i}"))
    return log


def test_each_row_is_chained_to_the_one_before(tmp_path: Path) -> None:
    log = _log_with_rows(tmp_path / "a.sqlite", 3)
    first, second, third = log.entries()
    assert first.prev_hash == GENESIS
    assert second.prev_hash == first.row_hash and third.prev_hash == second.row_hash
    assert len({first.row_hash, second.row_hash, third.row_hash}) == 3
    report = log.verify()
    assert report.ok and report.rows == 3 and report.head == third.row_hash


def _tampered_copy(src: Path, dst: Path, sql: str) -> AuditLog:
    """What an intruder with file access does: copy, drop the triggers, change rows."""
    shutil.copy(src, dst)
    db = sqlite3.connect(dst, isolation_level=None)
    db.execute("DROP TRIGGER audit_log_no_update")
    db.execute("DROP TRIGGER audit_log_no_delete")
    db.execute(sql)
    db.close()
    return AuditLog(dst)


def test_verify_names_an_edited_row(tmp_path: Path) -> None:
    log = _log_with_rows(tmp_path / "a.sqlite", 4)
    log.close()
    copy = _tampered_copy(
        tmp_path / "a.sqlite", tmp_path / "b.sqlite", "UPDATE audit_log SET key_id='x' WHERE id=3"
    )
    report = copy.verify()
    assert not report.ok and report.bad_row == 3 and "edited" in (report.reason or "")
    assert AuditLog(tmp_path / "a.sqlite").verify().ok  # the original is untouched


def test_verify_names_the_row_after_a_removed_or_rehashed_one(tmp_path: Path) -> None:
    _log_with_rows(tmp_path / "a.sqlite", 4).close()
    removed = _tampered_copy(
        tmp_path / "a.sqlite", tmp_path / "b.sqlite", "DELETE FROM audit_log WHERE id=2"
    )
    assert removed.verify().bad_row == 3
    rehashed = _tampered_copy(
        tmp_path / "a.sqlite", tmp_path / "c.sqlite", "UPDATE audit_log SET row_hash='f' WHERE id=2"
    )
    assert rehashed.verify().bad_row == 2


def test_verify_sees_rows_removed_from_the_end(tmp_path: Path) -> None:
    _log_with_rows(tmp_path / "a.sqlite", 4).close()
    cut = _tampered_copy(
        tmp_path / "a.sqlite", tmp_path / "b.sqlite", "DELETE FROM audit_log WHERE id >= 3"
    )
    report = cut.verify()
    assert report.bad_row == 3 and "removed from the end" in (report.reason or "")


def test_rows_without_chain_hashes_are_refused(tmp_path: Path) -> None:
    _log_with_rows(tmp_path / "a.sqlite", 1).close()
    db = sqlite3.connect(tmp_path / "a.sqlite")
    with pytest.raises(sqlite3.DatabaseError, match="chain hashes"):
        db.execute("INSERT INTO audit_log (time, endpoint) VALUES ('t', '/v1/forged')")


def test_data_files_are_private(tmp_path: Path) -> None:
    log = _log_with_rows(tmp_path / "a.sqlite", 1)
    for name in ("a.sqlite", "a.sqlite-wal", "a.sqlite-shm"):
        path = tmp_path / name
        if path.exists():
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, name
    log.close()
    loose = tmp_path / "loose.sqlite"
    loose.touch(mode=0o644)
    AuditLog(loose).close()  # an existing file is narrowed too
    assert stat.S_IMODE(loose.stat().st_mode) == 0o600


def test_an_old_database_upgrades_itself(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    db = sqlite3.connect(path, isolation_level=None)
    assert migrate(db, upto=1) == 1
    db.execute(
        "INSERT INTO audit_log (time, key_id, endpoint, question, citations) "
        "VALUES ('2024-05-01T00:00:00.000+00:00', 'k', '/v1/ask', 'old question', '[]')"
    )
    db.close()
    log = AuditLog(path)
    assert log.schema_version == len(MIGRATIONS)
    (old,) = log.entries()
    assert old.question == "old question" and old.status == 200
    # Rows from before the chain are hashed once at the upgrade; new rows chain onto them.
    assert old.prev_hash == GENESIS and old.row_hash
    log.record(AuditEntry(time="2025-01-01T00:00:00.000+00:00", endpoint="/v1/ask"))
    assert log.entries()[1].prev_hash == old.row_hash and log.verify().ok
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        sqlite3.connect(path).execute("UPDATE audit_log SET question = 'forged'")
    assert _applied(path) == _NAMES
    assert AuditLog(path).schema_version == len(MIGRATIONS)  # reopening changes nothing
    assert _applied(path) == _NAMES


def _applied(path: Path) -> list[str]:
    db = sqlite3.connect(path)
    names = [name for (name,) in db.execute("SELECT name FROM _migrations ORDER BY name")]
    db.close()
    return names


def test_migration_numbers_only_grow() -> None:
    numbers = [migration_number(step) for step in MIGRATIONS]
    assert numbers == list(range(1, len(numbers) + 1))


# The audit log as complyqa wrote it before `_migrations` (assistant/audit_schema.py at
# fa6d1c4), frozen here: versions numbered in `schema_migrations`. On an empty table,
# migration 3 (a function) amounted to _HEAD_SQL[3].
_HEAD_SQL = {
    1: """
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
    2: """
        ALTER TABLE audit_log ADD COLUMN status INTEGER NOT NULL DEFAULT 200;
        ALTER TABLE audit_log ADD COLUMN conversation_id TEXT;
        ALTER TABLE audit_log ADD COLUMN detail TEXT;
        CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
        CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
        """,
    3: """
        ALTER TABLE audit_log ADD COLUMN method TEXT;
        ALTER TABLE audit_log ADD COLUMN user_id TEXT;
        ALTER TABLE audit_log ADD COLUMN user_name TEXT;
        ALTER TABLE audit_log ADD COLUMN user_email TEXT;
        ALTER TABLE audit_log ADD COLUMN user_role TEXT;
        ALTER TABLE audit_log ADD COLUMN prev_hash TEXT;
        ALTER TABLE audit_log ADD COLUMN row_hash TEXT;
        CREATE TRIGGER audit_log_chained BEFORE INSERT ON audit_log
        WHEN NEW.row_hash IS NULL OR NEW.prev_hash IS NULL
        BEGIN SELECT RAISE(ABORT, 'audit rows must carry their chain hashes'); END;
        """,
}


def _head_log(path: Path, version: int) -> None:
    """An audit log at `version` written the way the code before `_migrations` wrote it, with
    two rows (chained from version 3 on, as that code's `record` chained them)."""
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)"
    )
    for v in range(1, version + 1):
        db.executescript(
            f"BEGIN;\n{_HEAD_SQL[v]}\nINSERT INTO schema_migrations (version, applied_at) "
            f"VALUES ({v}, '2024-0{v}-01T00:00:00.000+00:00');\nCOMMIT;"
        )
    prev = GENESIS
    for i in (1, 2):
        row: dict[str, object] = {
            "id": i,
            "time": f"2024-05-0{i}T00:00:00.000+00:00",
            "key_id": "k",
            "endpoint": "/v1/ask",
            "question": f"old question {i}",
            "citations": "[]",
        }
        if version >= 2:
            row["status"] = 200
        if version >= 3:
            row |= {"method": "POST", "user_id": "u1", "prev_hash": prev}
            row["row_hash"] = prev = row_hash(row)
        db.execute(
            f"INSERT INTO audit_log ({', '.join(row)}) VALUES ({', '.join('?' for _ in row)})",
            list(row.values()),
        )
    db.close()


def test_a_log_from_before_named_migrations_keeps_its_rows_and_versions(tmp_path: Path) -> None:
    """Versions in `schema_migrations` are carried into `_migrations` once, none applied twice
    (applying 1, 2 or 3 again would fail: the table, columns and triggers exist)."""
    from assistant.stores.audit import verify_file

    path = tmp_path / "head.sqlite"
    _head_log(path, 3)
    untouched = tmp_path / "untouched.sqlite"
    shutil.copy(path, untouched)
    head = verify_file(untouched)  # a file not yet opened by this code verifies read-only
    assert head.ok and head.rows == 2
    assert (
        not sqlite3.connect(untouched)
        .execute("SELECT 1 FROM sqlite_master WHERE name = '_migrations'")
        .fetchone()
    )

    log = AuditLog(path)
    assert log.schema_version == 3
    old = log.entries()
    assert [e.question for e in old] == ["old question 1", "old question 2"]
    assert old[0].time == "2024-05-01T00:00:00.000+00:00" and old[1].user_id == "u1"
    assert log.verify() == head
    log.record(AuditEntry(time=utc_now(), endpoint="/v1/ask"))
    assert log.entries()[2].prev_hash == head.head and log.verify().ok
    log.close()
    db = sqlite3.connect(path)
    assert db.execute("SELECT name, applied_at FROM _migrations ORDER BY name").fetchall() == [
        (name, f"2024-0{n}-01T00:00:00.000+00:00") for n, name in enumerate(_NAMES, 1)
    ]
    assert db.execute("SELECT version FROM schema_migrations").fetchall() == [(1,), (2,), (3,)]
    db.close()
    reopened = AuditLog(path)
    assert reopened.schema_version == 3 and len(reopened.entries()) == 3
    reopened.close()


def test_a_log_from_before_named_migrations_and_the_chain_upgrades_once(tmp_path: Path) -> None:
    path = tmp_path / "head.sqlite"
    _head_log(path, 2)
    log = AuditLog(path)
    assert log.schema_version == 3
    first, second = log.entries()
    assert first.question == "old question 1" and first.prev_hash == GENESIS
    assert second.prev_hash == first.row_hash and log.verify().ok
    db = sqlite3.connect(path)
    applied = dict(db.execute("SELECT name, applied_at FROM _migrations").fetchall())
    db.close()
    assert sorted(applied) == _NAMES
    assert applied[_NAMES[1]] == "2024-02-01T00:00:00.000+00:00"  # carried over
    assert applied[_NAMES[2]] > "2025"  # applied now
    assert AuditLog(path).verify().ok


def test_since_filters_and_export_formats(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "a.sqlite")
    for day in ("2025-01-01", "2025-02-01", "2025-03-01"):
        log.record(AuditEntry(time=f"{day}T10:00:00.000+00:00", endpoint="/v1/ask", question=day))
    log.record(AuditEntry.for_answer(_answer(), endpoint="/v1/chat", key_id="k", latency_ms=1))
    assert [e.question for e in log.entries(since="2025-02-01")][:2] == ["2025-02-01", "2025-03-01"]
    assert len(log.entries(since="2025-02-01T11:00:00+01:00")) == 3  # 10:00 UTC counts

    out = io.StringIO()
    assert log.export(out, since="2025-03-01", format="jsonl") == 2
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert lines[1]["citations"] == [
        {"marker": 1, "doc_id": "us-ear/744.23.md", "start": 5, "end": 9}
    ]

    out = io.StringIO()
    log.export(out, format="csv")
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert len(rows) == 4 and rows[3]["abstained"] == "False"
    assert json.loads(rows[3]["citations"])[0]["doc_id"] == "us-ear/744.23.md"


def test_parse_since() -> None:
    assert parse_since("2025-01-31") == "2025-01-31T00:00:00.000+00:00"
    assert parse_since("2025-01-31T08:00:00Z") == "2025-01-31T08:00:00.000+00:00"
    assert parse_since(None) is None
    with pytest.raises(InvalidSince):
        parse_since("last tuesday")


def _append_rows(path: str, worker: int, n: int) -> None:
    log = AuditLog(Path(path))
    for i in range(n):
        log.record(AuditEntry(time=utc_now(), endpoint="/v1/ask", detail=f"w{worker}-{i}"))
    log.close()


def test_processes_writing_at_once_keep_one_chain(tmp_path: Path) -> None:
    """API workers and the CLI append to one file: each row chains onto the one before it."""
    import multiprocessing

    path = tmp_path / "a.sqlite"
    AuditLog(path).close()
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_append_rows, args=(str(path), w, 150)) for w in range(3)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    log = AuditLog(path)
    report = log.verify()
    assert report.ok and report.rows == 450
    assert {e.detail for e in log.entries()} == {f"w{w}-{i}" for w in range(3) for i in range(150)}


def test_verifying_a_file_reads_it_only(tmp_path: Path) -> None:
    from assistant.stores.audit import verify_file
    from ingest.errors import ComplyqaError

    _log_with_rows(tmp_path / "a.sqlite", 2).close()
    assert verify_file(tmp_path / "a.sqlite").ok
    old = tmp_path / "old.sqlite"
    db = sqlite3.connect(old, isolation_level=None)
    migrate(db, upto=2)
    db.close()
    with pytest.raises(ComplyqaError, match="before the hash chain"):
        verify_file(old)
    assert _applied(old) == _NAMES[:2]
