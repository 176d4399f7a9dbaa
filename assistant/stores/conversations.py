"""Conversations of the chat endpoint: earlier turns, kept in SQLite across restarts.

A conversation belongs to the API key that started it; any other key is told it does not
exist, so conversation ids leak nothing.
"""

from __future__ import annotations

import json
import secrets
import sqlite3

from pydantic import BaseModel

from assistant.models import Turn
from assistant.stores.sqlite import SqliteStore
from ingest.errors import ComplyqaError

__all__ = ["Conversation", "ConversationNotFound", "ConversationStore"]


class ConversationNotFound(ComplyqaError):
    """A conversation id this store does not hold (or the caller does not own)."""


class Conversation(BaseModel):
    id: str
    key_id: str | None
    created_at: str
    turns: list[Turn] = []


# Conversation files made before `_migrations` have both tables already: a no-op there.
def m001_conversations_and_turns(db: sqlite3.Connection) -> None:
    db.execute(
        """CREATE TABLE IF NOT EXISTS conversations (
            id TEXT PRIMARY KEY,
            key_id TEXT,
            created_at TEXT NOT NULL
        )"""
    )
    db.execute(
        """CREATE TABLE IF NOT EXISTS turns (
            conversation_id TEXT NOT NULL REFERENCES conversations(id),
            seq INTEGER NOT NULL,
            question TEXT NOT NULL,
            answer TEXT NOT NULL,
            doc_ids TEXT NOT NULL,
            created_at TEXT NOT NULL,
            PRIMARY KEY (conversation_id, seq)
        )"""
    )


class ConversationStore(SqliteStore):
    """Conversations and their turns in a SQLite file (normally `DATA_DIR/conversations.sqlite`)."""

    FILENAME = "conversations.sqlite"
    MIGRATIONS = (m001_conversations_and_turns,)

    @staticmethod
    def new_id() -> str:
        return "conv_" + secrets.token_urlsafe(12)

    def create(self, key_id: str | None, conversation_id: str | None = None) -> str:
        """Stores a new conversation (under `conversation_id` if given, from `new_id()`)."""
        conversation_id = conversation_id or self.new_id()
        with self._tx() as db:
            db.execute(
                "INSERT INTO conversations (id, key_id, created_at) VALUES (?, ?, ?)",
                (conversation_id, key_id, self._now()),
            )
        return conversation_id

    def get(
        self, conversation_id: str, key_id: str | None, last: int | None = None
    ) -> Conversation:
        """The conversation with its turns (only the `last` ones if given), if `key_id` owns it."""
        with self._read() as db:
            row = db.execute(
                "SELECT * FROM conversations WHERE id = ?", (conversation_id,)
            ).fetchone()
            if row is None or row["key_id"] != key_id:
                raise ConversationNotFound(
                    f"no conversation {conversation_id!r} for this API key; "
                    "omit conversation_id to start a new one"
                )
            sql = "SELECT * FROM turns WHERE conversation_id = ? ORDER BY seq"
            params: tuple[object, ...] = (conversation_id,)
            if last is not None:
                sql = (
                    "SELECT * FROM (SELECT * FROM turns WHERE conversation_id = ? "
                    "ORDER BY seq DESC LIMIT ?) ORDER BY seq"
                )
                params = (conversation_id, last)
            turns = db.execute(sql, params).fetchall()
        return Conversation(
            id=row["id"],
            key_id=row["key_id"],
            created_at=row["created_at"],
            turns=[
                Turn(question=t["question"], answer=t["answer"], doc_ids=json.loads(t["doc_ids"]))
                for t in turns
            ],
        )

    def append(self, conversation_id: str, turn: Turn) -> None:
        with self._tx() as db:
            (seq,) = db.execute(
                "SELECT COALESCE(MAX(seq), 0) + 1 FROM turns WHERE conversation_id = ?",
                (conversation_id,),
            ).fetchone()
            db.execute(
                "INSERT INTO turns (conversation_id, seq, question, answer, doc_ids, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (
                    conversation_id,
                    seq,
                    turn.question,
                    turn.answer,
                    json.dumps(turn.doc_ids, ensure_ascii=False),
                    self._now(),
                ),
            )
