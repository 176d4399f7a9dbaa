"""`complyqa mcp`: the MCP tools over stdio, for agents that spawn a local server."""

from __future__ import annotations

import typer

from assistant.cli.common import ProfileOption
from ingest.extras import needs_extra

KeyOption = typer.Option(
    None,
    "--key",
    envvar="COMPLYQA_API_KEY",
    help="Act as this API key (its scope limits every tool, calls are audited under it). "
    "Without one the server acts as the local user, like the other commands.",
)


def register(app: typer.Typer) -> None:
    app.command("mcp")(mcp)


def mcp(profile: str | None = ProfileOption, key: str | None = KeyOption) -> None:
    """Serve the MCP tools search_sources, ask and get_passage over stdio.

    stdout carries the protocol only; logs go to stderr. Over HTTP the same tools are at
    /mcp/ on `complyqa serve`.
    """
    with needs_extra("api", "complyqa mcp"):
        from assistant.api.deps import LOCAL_KEY
        from assistant.mcp.server import build_server
        from assistant.mcp.tools import Principal, Toolbox
    from assistant.service import ComplyQA
    from assistant.settings import Settings
    from assistant.stores.audit import AuditLog
    from assistant.stores.keys import KeyStore
    from ingest.errors import ConfigurationError

    settings = Settings.load(profile)
    principal = Principal(LOCAL_KEY)
    if key:
        keys = KeyStore.in_data_dir(settings.data_dir)
        found = keys.authenticate(key)
        keys.close()
        if found is None:
            raise ConfigurationError("unknown or revoked API key (--key / COMPLYQA_API_KEY)")
        principal = Principal(found)
    qa = ComplyQA(settings)
    audit = AuditLog.in_data_dir(settings.data_dir)
    try:
        build_server(Toolbox(lambda: qa, audit), lambda ctx: principal).run("stdio")
    finally:
        audit.close()
