"""`complyqa serve`, `complyqa keys create|list|revoke` and `complyqa audit export|verify`."""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Literal

import typer
from rich.markup import escape
from rich.table import Table

from assistant.cli.common import ProfileOption
from assistant.cli.output import UsageError, console, errors, print_json
from assistant.settings import Settings
from assistant.stores.keys import KeyStore
from ingest.extras import needs_extra

#: Seconds a worker may take to answer the supervisor's health ping before it is killed as hung
#: and replaced. uvicorn's 5 s killed busy, healthy workers on a loaded machine (a niced server
#: next to a CPU-bound job: scripts/soak.py), cutting every request they were serving.
WORKER_HEALTHCHECK_SECONDS = 60

ScopeOption = typer.Option(
    None, "--scope", help="Document group the key may see; repeatable or comma-separated."
)
OutputOption = typer.Option(None, "--output", "-o", help="File to write (default stdout).")

keys_app = typer.Typer(
    help="Manage API keys (stored as hashes in DATA_DIR/keys.sqlite).", no_args_is_help=True
)
audit_app = typer.Typer(help="Read the audit log (DATA_DIR/audit.sqlite).", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.command()(serve)
    app.add_typer(keys_app, name="keys")
    app.add_typer(audit_app, name="audit")


def serve(
    host: str = typer.Option("127.0.0.1", help="Address to bind."),
    port: int = typer.Option(8000, min=0, max=65535, help="Port to listen on."),
    no_auth: bool = typer.Option(
        False, "--no-auth", help="No API keys (everyone is admin); only on a loopback address."
    ),
    workers: int = typer.Option(1, min=1, max=64, help="Worker processes (each loads the model)."),
    profile: str | None = ProfileOption,
    log_level: str = typer.Option("info", help="uvicorn log level."),
) -> None:
    """Serve the HTTP API and the chat page (http://HOST:PORT/)."""
    with needs_extra("api", "complyqa serve"):
        import uvicorn

        from assistant.api.app import create_app
        from assistant.api.guard import is_loopback

    if no_auth and not is_loopback(host):
        raise UsageError(
            f"--no-auth is refused on {host}: without API keys anyone who can reach the port can "
            "read every document. Bind to 127.0.0.1 (or ::1), or drop --no-auth and create keys "
            "with `complyqa keys create`."
        )
    if no_auth:
        os.environ["COMPLYQA_API__AUTH"] = "false"
    if profile:
        os.environ["COMPLYQA_PROFILE"] = profile
    settings = Settings.load(profile)
    if no_auth:
        errors.print(
            "[yellow]authentication is OFF (--no-auth): "
            f"every request on {host}:{port} acts as admin[/yellow]"
        )
    else:
        store = KeyStore.in_data_dir(settings.data_dir)
        active = store.list(include_revoked=False)
        store.close()
        if not active:
            errors.print(
                "[yellow]no API keys yet: create one with "
                "`complyqa keys create --role admin --name me`[/yellow]"
            )
    console.print(
        f"complyqa API on http://{host}:{port}/ (profile {settings.profile}, "
        f"data {settings.data_dir}, {workers} worker{'s' if workers > 1 else ''})"
    )
    if workers > 1:
        with _shared_chroma(settings):
            uvicorn.run(
                "assistant.api.app:app_from_env",
                factory=True,
                host=host,
                port=port,
                workers=workers,
                log_level=log_level,
                timeout_worker_healthcheck=WORKER_HEALTHCHECK_SECONDS,
            )
    else:
        uvicorn.run(create_app(settings), host=host, port=port, log_level=log_level)


@contextmanager
def _shared_chroma(settings: Settings) -> Iterator[None]:
    """On a local data dir, one Chroma server owns the index for all workers (see
    `ingest.chroma_owner`): each worker holding its own client would reload the whole graph
    after every other worker's commit. The workers find it as every process on the data dir
    does (published in the data dir, checked before each operation), not through
    COMPLYQA_CHROMA_URL: should the server go (a reused one whose serve stopped), they fall
    back to the files instead of failing."""
    if settings.chroma_url:
        yield
        return
    from ingest.chroma_owner import owned_data_dir

    # Until uvicorn takes over the signals, a SIGTERM unwinds here, so the server stops.
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    with owned_data_dir(Path(settings.data_dir)) as server:
        if server.started_here:
            console.print(
                f"Chroma server on {server.url} (pid {server.pid}) owns "
                f"{settings.data_dir}/chroma for the workers; it stops with serve"
            )
        else:
            console.print(
                f"reusing the Chroma server on {server.url} (pid {server.pid}) that another "
                f"serve runs on {settings.data_dir}/chroma; when that serve stops, the "
                "workers go back to the files"
            )
        yield


def _exit_on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


@keys_app.command("create")
def keys_create(
    name: str = typer.Option(..., "--name", help="Who or what uses the key, e.g. bot-1."),
    role: str = typer.Option("reader", "--role", help="reader, editor or admin."),
    scope: list[str] | None = ScopeOption,
    trust_user_headers: bool = typer.Option(
        False,
        "--trust-user-headers",
        help="For Open WebUI with ENABLE_FORWARD_USER_INFO_HEADERS=true: audit and rate-limit "
        "each user it names in X-OpenWebUI-User-* headers (ignored for other keys).",
    ),
    profile: str | None = ProfileOption,
) -> None:
    """Create a key and print it once (only its hash is stored)."""
    store = _key_store(profile)
    secret, info = store.create(name, role, scope, trust_user_headers=trust_user_headers)
    _audit_key_change(profile, "keys create", f"created {info.describe()}")
    # Only the key goes to stdout, so `KEY=$(complyqa keys create ...)` works.
    errors.print(
        f"created key {info.id} ({info.role.value}, scope {_scope(info.scope)}) "
        f"for {escape(info.name)}; store it now, it is not shown again:"
    )
    sys.stdout.write(secret + "\n")


@keys_app.command("list")
def keys_list(
    json_out: bool = typer.Option(False, "--json", help="Print as JSON."),
    profile: str | None = ProfileOption,
) -> None:
    """List keys (ids, names, roles, scopes; never the keys)."""
    keys = _key_store(profile).list()
    if json_out:
        print_json([k.model_dump() for k in keys])
        return
    table = Table("id", "name", "role", "scope", "user headers", "created", "status")
    for k in keys:
        table.add_row(
            k.id,
            escape(k.name),
            k.role.value,
            _scope(k.scope),
            "trusted" if k.trust_user_headers else "ignored",
            k.created_at,
            "active" if k.active else f"revoked {k.revoked_at}",
        )
    console.print(table)


@keys_app.command("revoke")
def keys_revoke(
    key_id: str = typer.Argument(..., help="The key's id (see `complyqa keys list`)."),
    profile: str | None = ProfileOption,
) -> None:
    """Revoke a key at once."""
    info = _key_store(profile).revoke(key_id)
    _audit_key_change(profile, "keys revoke", f"revoked {info.describe()}")
    console.print(f"revoked key {info.id} ({escape(info.name)}) at {info.revoked_at}")


@audit_app.command("export")
def audit_export(
    since: str | None = typer.Option(
        None, "--since", help="ISO date or date-time, e.g. 2025-01-31."
    ),
    fmt: str = typer.Option("jsonl", "--format", help="jsonl or csv."),
    output: Path | None = OutputOption,
    profile: str | None = ProfileOption,
) -> None:
    """Export audit entries, oldest first."""
    from assistant.stores.audit import AuditLog

    if fmt not in ("jsonl", "csv"):
        raise UsageError(f"unknown format {fmt!r}; use jsonl or csv")
    chosen: Literal["jsonl", "csv"] = "csv" if fmt == "csv" else "jsonl"
    log = AuditLog.in_data_dir(Settings.load(profile).data_dir)
    if output is None:
        n = log.export(sys.stdout, since=since, format=chosen)
    else:
        with output.open("w", encoding="utf-8", newline="") as fh:
            n = log.export(fh, since=since, format=chosen)
    errors.print(f"[dim]{n} audit entr{'y' if n == 1 else 'ies'} exported[/dim]")


@audit_app.command("verify")
def audit_verify(
    db: Path | None = typer.Option(
        None, "--db", help="Audit database to check (default DATA_DIR/audit.sqlite)."
    ),
    profile: str | None = ProfileOption,
) -> None:
    """Check the audit log's hash chain; name the first row that was edited or removed."""
    from assistant.stores.audit import AuditLog, verify_file

    path = db or Path(Settings.load(profile).data_dir) / AuditLog.FILENAME
    report = verify_file(path)
    if report.ok:
        console.print(
            f"audit log intact: {report.rows} rows; head hash {report.head} "
            "(keep it elsewhere to detect a rewrite of the whole log)"
        )
        return
    errors.print(f"[red]audit log broken at row {report.bad_row}: {report.reason}[/red]")
    raise typer.Exit(1)


def _audit_key_change(profile: str | None, command: str, detail: str) -> None:
    """Key changes made on the command line are audited like those made through the API."""
    from assistant.stores.audit import AuditEntry, AuditLog, utc_now

    log = AuditLog.in_data_dir(Settings.load(profile).data_dir)
    try:
        log.record(AuditEntry(time=utc_now(), endpoint=f"complyqa {command}", detail=detail))
    finally:
        log.close()


def _key_store(profile: str | None) -> KeyStore:
    return KeyStore.in_data_dir(Settings.load(profile).data_dir)


def _scope(scope: list[str] | None) -> str:
    return ", ".join(scope) if scope else "all groups"
