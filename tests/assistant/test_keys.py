"""API keys: hashes only, roles, scopes, revocation."""

from __future__ import annotations

import sqlite3
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
    [("", "reader", None), ("x", "root", None), ("x", "reader", ["../etc"]), ("x", "reader", [""])],
)
def test_bad_specs_are_refused(
    tmp_path: Path, name: str, role: str, scope: list[str] | None
) -> None:
    with pytest.raises(InvalidKeySpec):
        KeyStore(tmp_path / "k.sqlite").create(name, role, scope)
