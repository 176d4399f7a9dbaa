"""`complyqa serve` guard rails, `complyqa keys …` and `complyqa audit export`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.audit import AuditEntry, AuditLog
from assistant.cli.main import app
from assistant.cli.server import is_loopback
from assistant.keys import KeyStore


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("COMPLYQA_DATA_DIR", str(tmp_path))
    return tmp_path


def test_keys_create_list_revoke(data_dir: Path) -> None:
    runner = CliRunner()
    created = runner.invoke(
        app, ["keys", "create", "--role", "reader", "--name", "bot-1", "--scope", "cn-regulations"]
    )
    assert created.exit_code == 0, created.output
    secret = created.stdout.strip().splitlines()[-1]
    info = KeyStore.in_data_dir(data_dir).authenticate(secret)
    assert info is not None and info.name == "bot-1" and info.scope == ["cn-regulations"]

    listed = runner.invoke(app, ["keys", "list", "--json"])
    assert listed.exit_code == 0 and secret not in listed.stdout
    assert json.loads(listed.stdout)[0]["id"] == info.id

    revoked = runner.invoke(app, ["keys", "revoke", info.id])
    assert revoked.exit_code == 0
    assert KeyStore.in_data_dir(data_dir).authenticate(secret) is None


def test_audit_export(data_dir: Path) -> None:
    log = AuditLog.in_data_dir(data_dir)
    for day in ("2025-01-01", "2025-06-01"):
        log.record(AuditEntry(time=f"{day}T00:00:00.000+00:00", endpoint="/v1/ask", question=day))
    result = CliRunner().invoke(app, ["audit", "export", "--since", "2025-03-01"])
    assert result.exit_code == 0, result.output
    assert [json.loads(line)["question"] for line in result.stdout.splitlines()] == ["2025-06-01"]
    out = data_dir / "audit.csv"
    result = CliRunner().invoke(app, ["audit", "export", "--format", "csv", "-o", str(out)])
    assert result.exit_code == 0 and len(out.read_text().splitlines()) == 3


def test_no_auth_is_refused_off_loopback(data_dir: Path) -> None:
    result = CliRunner().invoke(app, ["serve", "--no-auth", "--host", "0.0.0.0"])
    assert result.exit_code != 0
    assert "--no-auth is refused on 0.0.0.0" in str(result.exception) + result.output


def test_loopback_addresses() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert is_loopback("127.0.0.2") and is_loopback("[::1]")
    assert not is_loopback("0.0.0.0") and not is_loopback("10.0.0.1") and not is_loopback("::")
