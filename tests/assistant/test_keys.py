"""API keys: hashes only, roles, scopes, revocation."""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path

import pytest

from assistant.keys import InvalidKeySpec, KeyNotFound, KeyStore, Role, hash_key


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
    from assistant.conversations import ConversationStore

    KeyStore.in_data_dir(tmp_path).create("bot", "reader")
    ConversationStore.in_data_dir(tmp_path).create("k")
    for name in ("keys.sqlite", "conversations.sqlite"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o600, name
