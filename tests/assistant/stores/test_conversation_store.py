"""Conversation persistence for `/v1/chat` (assistant/stores/conversations.py)."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from assistant.models import Turn
from assistant.stores.conversations import ConversationNotFound, ConversationStore


def test_turns_persist_in_order_and_belong_to_one_key(tmp_path: Path) -> None:
    store = ConversationStore.in_data_dir(tmp_path)
    cid = store.create("key-a")
    for i in range(5):
        store.append(cid, Turn(question=f"q{i}", answer=f"a{i}", doc_ids=[f"g/d{i}"]))
    reopened = ConversationStore.in_data_dir(tmp_path)
    conv = reopened.get(cid, "key-a")
    assert [t.question for t in conv.turns] == ["q0", "q1", "q2", "q3", "q4"]
    assert conv.turns[2].doc_ids == ["g/d2"]
    assert [t.question for t in reopened.get(cid, "key-a", last=2).turns] == ["q3", "q4"]
    with pytest.raises(ConversationNotFound):
        reopened.get(cid, "key-b")
    with pytest.raises(ConversationNotFound):
        reopened.get("conv_missing", "key-a")


def test_a_store_from_before_named_migrations_keeps_its_turns(tmp_path: Path) -> None:
    """A conversation file as complyqa wrote it before `_migrations` (the SQL of
    assistant/conversations.py at fa6d1c4) opens with its turns, and new turns follow them."""
    path = tmp_path / "c.sqlite"
    db = sqlite3.connect(path, isolation_level=None)
    db.executescript(
        """
        CREATE TABLE IF NOT EXISTS conversations (
            id TEXT PRIMARY KEY,
            key_id TEXT,
            created_at TEXT NOT NULL
        );
        CREATE TABLE IF NOT EXISTS turns (
            conversation_id TEXT NOT NULL REFERENCES conversations(id),
            seq INTEGER NOT NULL,
            question TEXT NOT NULL,
            answer TEXT NOT NULL,
            doc_ids TEXT NOT NULL,
            created_at TEXT NOT NULL,
            PRIMARY KEY (conversation_id, seq)
        );
        INSERT INTO conversations VALUES ('conv_old', 'k', '2024-05-01T00:00:00.000+00:00');
        INSERT INTO turns VALUES
            ('conv_old', 1, 'q1', 'a1', '["g/d1"]', '2024-05-01T00:00:01.000+00:00'),
            ('conv_old', 2, 'q2', 'a2', '[]', '2024-05-01T00:00:02.000+00:00');
        """
    )
    db.close()

    store = ConversationStore(path)
    conv = store.get("conv_old", "k")
    assert conv.created_at == "2024-05-01T00:00:00.000+00:00"
    assert [(t.question, t.doc_ids) for t in conv.turns] == [("q1", ["g/d1"]), ("q2", [])]
    store.append("conv_old", Turn(question="q3", answer="a3", doc_ids=[]))
    assert [t.question for t in store.get("conv_old", "k", last=2).turns] == ["q2", "q3"]
    store.close()
    names = sqlite3.connect(path).execute("SELECT name FROM _migrations").fetchall()
    assert [n for (n,) in names] == [step.__name__ for step in ConversationStore.MIGRATIONS]


def test_conversation_times_are_utc_milliseconds(tmp_path: Path) -> None:
    store = ConversationStore(tmp_path / "c.sqlite")
    cid = store.create("k")
    store.append(cid, Turn(question="q", answer="a", doc_ids=[]))
    (turn_time,) = store._db.execute("SELECT created_at FROM turns").fetchone()
    for stamp in (store.get(cid, "k").created_at, turn_time):
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", stamp), stamp
