"""`complyqa serve` guard rails, `complyqa keys …` and `complyqa audit export|verify`; `serve`
and `mcp` without the api extra."""

from __future__ import annotations

import json
import shutil
import sqlite3
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.cli.main import app
from assistant.stores.audit import AuditEntry, AuditLog
from assistant.stores.keys import KeyStore
from ingest.errors import ConfigurationError


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


@pytest.mark.parametrize(
    ("command", "missing"), [("serve", "uvicorn"), ("mcp", "assistant.api.deps")]
)
def test_serve_and_mcp_without_the_api_extra_say_which_to_install(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, command: str, missing: str
) -> None:
    monkeypatch.setitem(sys.modules, missing, None)  # `import` of it now fails
    result = CliRunner().invoke(app, [command])
    assert isinstance(result.exception, ConfigurationError)
    assert f"complyqa {command} needs the api extra" in str(result.exception)
    assert "pip install 'complyqa[api]'" in str(result.exception)


def test_key_changes_on_the_command_line_are_audited(data_dir: Path) -> None:
    runner = CliRunner()
    created = runner.invoke(
        app, ["keys", "create", "--role", "reader", "--name", "webui", "--trust-user-headers"]
    )
    assert created.exit_code == 0, created.output
    secret = created.stdout.strip().splitlines()[-1]
    info = KeyStore.in_data_dir(data_dir).authenticate(secret)
    assert info is not None and info.trust_user_headers
    assert runner.invoke(app, ["keys", "revoke", info.id]).exit_code == 0
    rows = AuditLog.in_data_dir(data_dir).entries()
    assert [r.endpoint for r in rows] == ["complyqa keys create", "complyqa keys revoke"]
    assert f"created key {info.id} 'webui'" in (rows[0].detail or "")
    assert "trusts user headers" in (rows[0].detail or "")
    assert rows[1].detail and rows[1].detail.startswith(f"revoked key {info.id}")
    assert secret not in str(rows)


def test_audit_verify_names_the_edited_row_of_a_tampered_copy(data_dir: Path) -> None:
    log = AuditLog.in_data_dir(data_dir)
    for n in range(5):
        log.record(AuditEntry(time=f"2025-01-0{n + 1}T00:00:00.000+00:00", endpoint="/v1/ask"))
    log.close()
    runner = CliRunner()
    intact = runner.invoke(app, ["audit", "verify"])
    assert intact.exit_code == 0 and "intact: 5 rows" in intact.stdout

    copy = data_dir / "copy.sqlite"
    shutil.copy(data_dir / "audit.sqlite", copy)
    db = sqlite3.connect(copy, isolation_level=None)
    db.execute("DROP TRIGGER audit_log_no_update")
    db.execute("UPDATE audit_log SET question = 'forged' WHERE id = 4")
    db.close()
    broken = runner.invoke(app, ["audit", "verify", "--db", str(copy)])
    assert broken.exit_code == 1
    assert "broken at row 4" in broken.output and "edited" in broken.output
    before = copy.read_bytes()
    runner.invoke(app, ["audit", "verify", "--db", str(copy)])
    assert copy.read_bytes() == before  # checking evidence never changes it
    missing = runner.invoke(app, ["audit", "verify", "--db", str(data_dir / "nope.sqlite")])
    assert missing.exit_code != 0 and "no audit log" in str(missing.exception)
    other = data_dir / "other.sqlite"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.commit()
    refused = runner.invoke(app, ["audit", "verify", "--db", str(other)])
    assert refused.exit_code != 0 and "not a complyqa audit log" in str(refused.exception)
    assert "audit_log" not in str(
        sqlite3.connect(other).execute("SELECT name FROM sqlite_master").fetchall()
    )
