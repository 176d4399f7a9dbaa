"""The base of the SQLite stores (assistant/stores/sqlite.py): numbered migrations, transactions, time."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from assistant.stores.sqlite import SqliteStore, applied_migrations, migrate, open_sqlite, utc_now


def m001_notes(db: sqlite3.Connection) -> None:
    db.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL)")


def m002_note_time(db: sqlite3.Connection) -> None:
    db.execute("ALTER TABLE notes ADD COLUMN time TEXT")


def m003_broken(db: sqlite3.Connection) -> None:
    db.execute("ALTER TABLE notes ADD COLUMN author TEXT")
    raise sqlite3.OperationalError("half-way")


class Notes(SqliteStore):
    FILENAME = "notes.sqlite"
    MIGRATIONS = (m001_notes, m002_note_time)
    TIMESPEC = "seconds"

    def add(self, text: str) -> None:
        with self._tx() as db:
            db.execute("INSERT INTO notes (text, time) VALUES (?, ?)", (text, self._now()))

    def texts(self) -> list[str]:
        with self._read() as db:
            return [t for (t,) in db.execute("SELECT text FROM notes ORDER BY id")]


def test_migrations_apply_once_in_order_and_are_recorded_by_name(tmp_path: Path) -> None:
    db = open_sqlite(tmp_path / "n.sqlite")
    assert migrate(db, [m001_notes, m002_note_time], upto=1) == 1
    assert set(applied_migrations(db)) == {"m001_notes"}
    assert migrate(db, [m001_notes, m002_note_time]) == 2  # m001 again would fail
    assert migrate(db, [m001_notes, m002_note_time]) == 2
    assert set(applied_migrations(db)) == {"m001_notes", "m002_note_time"}


def test_a_failing_migration_leaves_nothing_behind(tmp_path: Path) -> None:
    db = open_sqlite(tmp_path / "n.sqlite")
    with pytest.raises(sqlite3.OperationalError, match="half-way"):
        migrate(db, [m001_notes, m002_note_time, m003_broken])
    columns = {row["name"] for row in db.execute("PRAGMA table_info(notes)")}
    assert "time" in columns and "author" not in columns
    assert set(applied_migrations(db)) == {"m001_notes", "m002_note_time"}


def test_migrations_must_be_numbered_in_order(tmp_path: Path) -> None:
    db = open_sqlite(tmp_path / "n.sqlite")
    with pytest.raises(ValueError, match="numbered"):
        migrate(db, [m002_note_time, m001_notes])
    with pytest.raises(ValueError, match="m001_what_it_does"):
        migrate(db, [lambda db: None])


def test_a_store_upgrades_itself_on_open_and_rolls_back_a_failed_write(tmp_path: Path) -> None:
    notes = Notes.in_data_dir(tmp_path)
    assert notes.path == tmp_path / "notes.sqlite" and isinstance(notes, Notes)
    notes.add("a")
    with pytest.raises(RuntimeError), notes._tx() as db:
        db.execute("INSERT INTO notes (text) VALUES ('b')")
        raise RuntimeError
    notes.close()
    reopened = Notes.in_data_dir(tmp_path)
    assert reopened.texts() == ["a"]
    (time,) = reopened._db.execute("SELECT time FROM notes").fetchone()
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", time)


def test_utc_now_formats() -> None:
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", utc_now())
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", utc_now("seconds"))
