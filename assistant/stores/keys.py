"""API keys: who may call the HTTP API, with which role, over which document groups.

Only a sha256 hash of each key is stored; the key itself is shown once, when it is created.
Keys are long random strings from `secrets`, so a plain (unsalted) hash is enough: there is
nothing to guess.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import sqlite3
from enum import StrEnum

from pydantic import BaseModel, Field

from assistant.stores.sqlite import SqliteStore
from ingest.errors import ComplyqaError

__all__ = ["ApiKey", "KeyNotFound", "KeyStore", "Role", "InvalidKeySpec", "KEY_PREFIX"]

KEY_PREFIX = "cqa_"
#: A document group is one folder name; long ones are refused before they reach a file system.
MAX_GROUP = 100
MAX_NAME = 200
_GROUP_RE = re.compile(r"^[\w][\w.-]*$")


class Role(StrEnum):
    """What a key may do; each role includes everything the one before it may do."""

    reader = "reader"  # ask, chat, search, read documents
    editor = "editor"  # + upload and delete documents
    admin = "admin"  # + manage keys, read the audit log

    def allows(self, needed: Role) -> bool:
        order = [Role.reader, Role.editor, Role.admin]
        return order.index(self) >= order.index(needed)


class ApiKey(BaseModel):
    """A key as the server knows it: never the secret itself."""

    id: str = Field(description="Public id of the key, recorded in the audit log")
    name: str
    role: Role
    scope: list[str] | None = Field(
        default=None,
        description="Document groups this key may see; null means every group",
    )
    trust_user_headers: bool = Field(
        default=False,
        description="The client (e.g. Open WebUI) may name the end user in X-OpenWebUI-User-* "
        "headers: the user is audited and rate-limited on their own",
    )
    prefix: str = Field(default="", description="First characters of the key, to recognise it")
    created_at: str = ""
    revoked_at: str | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def may_see_group(self, group: str) -> bool:
        return self.scope is None or group in self.scope

    def describe(self) -> str:
        """One line for the audit log: id, name, role, scope, trust (never the secret)."""
        scope = ", ".join(self.scope) if self.scope else "all groups"
        trust = "; trusts user headers" if self.trust_user_headers else ""
        return f"key {self.id} {self.name!r} ({self.role.value}; scope {scope}{trust})"


class InvalidKeySpec(ComplyqaError):
    """A key request with an unknown role, scope or name."""


class KeyNotFound(ComplyqaError):
    """A key id this store does not hold."""


def hash_key(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def normalize_scope(scope: list[str] | None) -> list[str] | None:
    """Cleaned, de-duplicated group names; rejects names that are not a single path part."""
    if scope is None:
        return None
    groups: list[str] = []
    for raw in scope:
        for part in raw.split(","):
            group = part.strip()
            if not group:
                continue
            if len(group) > MAX_GROUP:
                raise InvalidKeySpec(
                    f"document group names have at most {MAX_GROUP} characters; "
                    f"{group[:20]!r}... has {len(group)}"
                )
            if not _GROUP_RE.match(group):
                raise InvalidKeySpec(
                    f"invalid document group {group!r}: use a top-level folder name of the corpus "
                    "such as 'cn-regulations' (letters, digits, '.', '-', '_')"
                )
            if group not in groups:
                groups.append(group)
    if not groups:
        raise InvalidKeySpec("a scope needs at least one document group")
    return groups


# Key files made before `_migrations` have the table, maybe the column: both are no-ops there.
def m001_api_keys(db: sqlite3.Connection) -> None:
    db.execute(
        """CREATE TABLE IF NOT EXISTS api_keys (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            role TEXT NOT NULL,
            scope TEXT,
            key_hash TEXT NOT NULL UNIQUE,
            prefix TEXT NOT NULL,
            created_at TEXT NOT NULL,
            revoked_at TEXT
        )"""
    )


def m002_trust_user_headers(db: sqlite3.Connection) -> None:
    columns = {row["name"] for row in db.execute("PRAGMA table_info(api_keys)")}
    if "trust_user_headers" not in columns:
        db.execute("ALTER TABLE api_keys ADD COLUMN trust_user_headers INTEGER NOT NULL DEFAULT 0")


class KeyStore(SqliteStore):
    """API keys in a SQLite file (normally `DATA_DIR/keys.sqlite`)."""

    FILENAME = "keys.sqlite"
    MIGRATIONS = (m001_api_keys, m002_trust_user_headers)
    TIMESPEC = "seconds"

    def create(
        self,
        name: str,
        role: Role | str,
        scope: list[str] | None = None,
        *,
        trust_user_headers: bool = False,
    ) -> tuple[str, ApiKey]:
        """A new key: returns the secret (shown once, never stored) and its record.

        `trust_user_headers` is for a key held by a front end that authenticates its own users
        (Open WebUI with `ENABLE_FORWARD_USER_INFO_HEADERS=true`): the users it names are
        audited and rate-limited one by one.
        """
        name = name.strip()
        if not name:
            raise InvalidKeySpec("a key needs a name, e.g. --name bot-1")
        if len(name) > MAX_NAME:
            raise InvalidKeySpec(f"a key name has at most {MAX_NAME} characters")
        try:
            role = Role(role)
        except ValueError:
            raise InvalidKeySpec(
                f"unknown role {role!r}; choose one of: {', '.join(r.value for r in Role)}"
            ) from None
        scope = normalize_scope(scope)
        key_id = secrets.token_hex(6)
        secret = f"{KEY_PREFIX}{key_id}_{secrets.token_urlsafe(32)}"
        record = ApiKey(
            id=key_id,
            name=name,
            role=role,
            scope=scope,
            trust_user_headers=trust_user_headers,
            prefix=secret[: len(KEY_PREFIX) + len(key_id)],
            created_at=self._now(),
        )
        with self._tx() as db:
            db.execute(
                "INSERT INTO api_keys (id, name, role, scope, key_hash, prefix, created_at,"
                " trust_user_headers) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    record.id,
                    record.name,
                    record.role.value,
                    json.dumps(scope) if scope is not None else None,
                    hash_key(secret),
                    record.prefix,
                    record.created_at,
                    int(trust_user_headers),
                ),
            )
        return secret, record

    def authenticate(self, secret: str) -> ApiKey | None:
        """The active key whose hash matches `secret`, or None."""
        if not secret:
            return None
        with self._read() as db:
            row = db.execute(
                "SELECT * FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL",
                (hash_key(secret),),
            ).fetchone()
        return _row_to_key(row) if row else None

    def get(self, key_id: str) -> ApiKey:
        with self._read() as db:
            row = db.execute("SELECT * FROM api_keys WHERE id = ?", (key_id,)).fetchone()
        if row is None:
            raise KeyNotFound(f"no API key with id {key_id!r}; see `complyqa keys list`")
        return _row_to_key(row)

    def list(self, include_revoked: bool = True) -> list[ApiKey]:
        sql = "SELECT * FROM api_keys"
        if not include_revoked:
            sql += " WHERE revoked_at IS NULL"
        with self._read() as db:
            rows = db.execute(sql + " ORDER BY created_at, id").fetchall()
        return [_row_to_key(r) for r in rows]

    def revoke(self, key_id: str) -> ApiKey:
        """Revokes a key at once; revoking twice keeps the first revocation time."""
        with self._tx() as db:
            cur = db.execute(
                "UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                (self._now(), key_id),
            )
            changed = cur.rowcount
        record = self.get(key_id)
        if not changed and record.revoked_at is None:  # pragma: no cover - defensive
            raise KeyNotFound(f"no API key with id {key_id!r}")
        return record


def _row_to_key(row: sqlite3.Row) -> ApiKey:
    return ApiKey(
        id=row["id"],
        name=row["name"],
        role=Role(row["role"]),
        scope=json.loads(row["scope"]) if row["scope"] is not None else None,
        trust_user_headers=bool(row["trust_user_headers"]),
        prefix=row["prefix"],
        created_at=row["created_at"],
        revoked_at=row["revoked_at"],
    )
