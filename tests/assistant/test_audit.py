"""The audit log: append-only, self-migrating, exportable."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path

import pytest

from assistant.audit import MIGRATIONS, AuditEntry, AuditLog, InvalidSince, migrate, parse_since
from assistant.models import Answer, Citation


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
    assert stored.model_dump(exclude={"id"}) == entry.model_dump(exclude={"id"})
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
    assert log.schema_version == MIGRATIONS[-1][0]
    (old,) = log.entries()
    assert old.question == "old question" and old.status == 200
    versions = sqlite3.connect(path).execute("SELECT version FROM schema_migrations").fetchall()
    assert [v for (v,) in versions] == [n for n, _ in MIGRATIONS]
    assert AuditLog(path).schema_version == MIGRATIONS[-1][0]  # reopening changes nothing


def test_migration_numbers_only_grow() -> None:
    numbers = [n for n, _ in MIGRATIONS]
    assert numbers == list(range(1, len(numbers) + 1))


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
