"""API keys: hashes only, roles, scopes, revocation."""

from __future__ import annotations

import re
import sqlite3
import stat
from pathlib import Path

import pytest

from assistant.stores.keys import InvalidKeySpec, KeyNotFound, KeyStore, Role, hash_key


def test_a_key_is_stored_only_as_its_hash(tmp_path: Path) -> None:
    store = KeyStore.in_data_dir(tmp_path)
    secret, info = store.create("bot-1", "reader", ["cn-regulations"])
    assert secret.startswith("cqa_") and len(secret) > 40
    raw = (tmp_path / "keys.sqlite").read_bytes()
    wal = tmp_path / "keys.sqlite-wal"
    raw += wal.read_bytes() if wal.exists() else b""
    assert secret.encode() not in raw
    rows = (
        sqlite3.connect(tmp_path / "keys.sqlite")
        .execute("SELECT key_hash FROM api_keys")
        .fetchall()
    )
    assert rows == [(hash_key(secret),)]
    assert store.authenticate(secret) == info
    assert info.role is Role.reader and info.scope == ["cn-regulations"]


def test_keys_are_unique_and_wrong_keys_fail(tmp_path: Path) -> None:
    store = KeyStore(tmp_path / "k.sqlite")
    a, _ = store.create("a", "admin")
    b, _ = store.create("b", "admin")
    assert a != b
    assert store.authenticate(a[:-1] + ("x" if a[-1] != "x" else "y")) is None
    assert store.authenticate("") is None


def test_revoked_keys_stop_authenticating_but_stay_listed(tmp_path: Path) -> None:
    store = KeyStore(tmp_path / "k.sqlite")
    secret, info = store.create("bot", "editor")
    revoked = store.revoke(info.id)
    assert revoked.revoked_at and not revoked.active
    assert store.authenticate(secret) is None
    assert [k.id for k in store.list()] == [info.id]
    assert store.list(include_revoked=False) == []
    assert store.revoke(info.id).revoked_at == revoked.revoked_at
    with pytest.raises(KeyNotFound):
        store.revoke("nope")


def test_keys_persist_across_opens(tmp_path: Path) -> None:
    secret, info = KeyStore(tmp_path / "k.sqlite").create("bot", "reader")
    assert KeyStore(tmp_path / "k.sqlite").authenticate(secret) == info


def test_roles_include_the_ones_below() -> None:
    assert Role.admin.allows(Role.editor) and Role.admin.allows(Role.reader)
    assert Role.editor.allows(Role.reader) and not Role.editor.allows(Role.admin)
    assert not Role.reader.allows(Role.editor)


@pytest.mark.parametrize(
    ("scope", "expected"),
    [(["a,b", " c "], ["a", "b", "c"]), (["a", "a"], ["a"]), (None, None)],
)
def test_scopes_are_normalized(tmp_path: Path, scope: list[str] | None, expected: object) -> None:
    _, info = KeyStore(tmp_path / "k.sqlite").create("x", "reader", scope)
    assert info.scope == expected


@pytest.mark.parametrize(
    ("name", "role", "scope"),
    [
        ("", "reader", None),
        ("x", "root", None),
        ("x", "reader", ["../etc"]),
        ("x", "reader", [""]),
        ("x", "reader", ["g" * 101]),
        ("n" * 201, "reader", None),
    ],
)
def test_bad_specs_are_refused(
    tmp_path: Path, name: str, role: str, scope: list[str] | None
) -> None:
    with pytest.raises(InvalidKeySpec):
        KeyStore(tmp_path / "k.sqlite").create(name, role, scope)


def test_trust_in_forwarded_user_headers_is_a_key_attribute(tmp_path: Path) -> None:
    store = KeyStore(tmp_path / "k.sqlite")
    secret, info = store.create("open-webui", "reader", trust_user_headers=True)
    assert info.trust_user_headers and store.authenticate(secret) == info
    _, plain = store.create("bot", "reader")
    assert not plain.trust_user_headers and not store.get(plain.id).trust_user_headers
    assert "trusts user headers" in info.describe() and "trusts" not in plain.describe()
    assert secret not in info.describe()


def test_a_store_from_before_trusted_keys_upgrades_itself(tmp_path: Path) -> None:
    path = tmp_path / "k.sqlite"
    db = sqlite3.connect(path)
    db.execute(
        "CREATE TABLE api_keys (id TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL,"
        " scope TEXT, key_hash TEXT NOT NULL UNIQUE, prefix TEXT NOT NULL,"
        " created_at TEXT NOT NULL, revoked_at TEXT)"
    )
    db.execute(
        "INSERT INTO api_keys VALUES ('k1', 'old', 'reader', NULL, ?, 'cqa_k1', 't', NULL)",
        (hash_key("cqa_k1_secret"),),
    )
    db.commit()
    db.close()
    old = KeyStore(path).authenticate("cqa_k1_secret")
    assert old is not None and old.name == "old" and not old.trust_user_headers


def test_key_and_conversation_files_are_private(tmp_path: Path) -> None:
    from assistant.stores.conversations import ConversationStore

    KeyStore.in_data_dir(tmp_path).create("bot", "reader")
    ConversationStore.in_data_dir(tmp_path).create("k")
    for name in ("keys.sqlite", "conversations.sqlite"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o600, name


def test_a_store_from_before_named_migrations_keeps_its_keys(tmp_path: Path) -> None:
    """A key file as complyqa wrote it before `_migrations` (the SQL of assistant/keys.py at
    fa6d1c4, trust column included) opens with its keys and times as they were."""
    path = tmp_path / "k.sqlite"
    db = sqlite3.connect(path, isolation_level=None)
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
    db.execute("ALTER TABLE api_keys ADD COLUMN trust_user_headers INTEGER NOT NULL DEFAULT 0")
    db.execute(
        "INSERT INTO api_keys VALUES ('k1', 'webui', 'reader', '[\"g\"]', ?, 'cqa_k1',"
        " '2024-05-01T00:00:00+00:00', NULL, 1)",
        (hash_key("cqa_k1_secret"),),
    )
    db.execute(
        "INSERT INTO api_keys VALUES ('k2', 'gone', 'admin', NULL, ?, 'cqa_k2',"
        " '2024-05-02T00:00:00+00:00', '2024-06-01T00:00:00+00:00', 0)",
        (hash_key("cqa_k2_secret"),),
    )
    db.close()

    store = KeyStore(path)
    webui = store.authenticate("cqa_k1_secret")
    assert webui is not None and webui.trust_user_headers and webui.scope == ["g"]
    assert webui.created_at == "2024-05-01T00:00:00+00:00"
    assert store.authenticate("cqa_k2_secret") is None
    assert store.get("k2").revoked_at == "2024-06-01T00:00:00+00:00"
    _, new = store.create("bot", "editor")
    assert [k.id for k in store.list()] == ["k1", "k2", new.id]
    store.close()
    names = sqlite3.connect(path).execute("SELECT name FROM _migrations ORDER BY name")
    assert [n for (n,) in names] == [step.__name__ for step in KeyStore.MIGRATIONS]


def test_key_times_are_utc_seconds(tmp_path: Path) -> None:
    store = KeyStore(tmp_path / "k.sqlite")
    _, info = store.create("bot", "reader")
    revoked = store.revoke(info.id).revoked_at
    for stamp in (info.created_at, revoked):
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", stamp or ""), stamp
