"""The MCP tools over streamable HTTP, mounted on `complyqa serve` at `/mcp/`.

A gate in front of the MCP app does what the HTTP API's dependencies do for `/v1`: it
authenticates the `Authorization: Bearer` key (any role may use the read-only tools), counts
the request against the key's rate limit, and audits a refusal; each tool call then runs as
that key, inside its scope, and audits itself (`assistant/mcp/tools.py`). Stateless mode:
every request stands alone, so several server workers can serve one client.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from contextlib import AbstractAsyncContextManager

from fastapi import FastAPI
from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ToolError
from mcp.server.transport_security import TransportSecuritySettings
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from assistant.api.deps import LOCAL_KEY, ApiState, rate_bucket
from assistant.api.errors import PROBLEM_MEDIA_TYPE, problem
from assistant.api.forwarded import forwarded_user
from assistant.mcp.server import build_server
from assistant.mcp.tools import Principal, Toolbox
from assistant.stores.audit import AuditEntry, utc_now
from assistant.stores.keys import ApiKey

__all__ = ["MCP_PATH", "mount_mcp"]

MCP_PATH = "/mcp"


def mount_mcp(app: FastAPI, state: ApiState) -> Callable[[], AbstractAsyncContextManager[None]]:
    """Mounts the MCP app at `/mcp/`; returns what the app's lifespan must run around serving."""
    server = build_server(Toolbox(state.facade, state.audit), lambda ctx: _principal(state, ctx))
    mcp_app = server.streamable_http_app(
        streamable_http_path="/",
        stateless_http=True,
        json_response=True,
        # Host and Origin are checked by the API's own browser guard, for every path.
        transport_security=TransportSecuritySettings(enable_dns_rebinding_protection=False),
    )
    app.mount(MCP_PATH, KeyGate(mcp_app, state))
    return server.session_manager.run


def _bearer(headers: Mapping[str, str]) -> str | None:
    scheme, _, token = (headers.get("authorization") or "").partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def _authenticate(state: ApiState, headers: Mapping[str, str]) -> ApiKey | None:
    if not state.settings.api.auth:
        return LOCAL_KEY
    token = _bearer(headers)
    return state.keys.authenticate(token) if token else None


def _principal(state: ApiState, ctx: Context) -> Principal:
    """The key of the HTTP request that carried this tool call (checked by the gate)."""
    key = _authenticate(state, ctx.headers or {})
    if key is None:
        raise ToolError("missing or unknown API key")
    return Principal(key)


class KeyGate:
    """ASGI middleware: a valid key and room in its rate limit, or a refusal (audited)."""

    def __init__(self, app: ASGIApp, state: ApiState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        headers = Headers(scope=scope)
        key = await run_in_threadpool(_authenticate, self.state, headers)
        if key is None:
            await self._refuse(
                scope,
                send,
                None,
                401,
                "missing or unknown API key: send 'Authorization: Bearer <key>'",
                started,
            )
            return
        bucket = rate_bucket(key, forwarded_user(headers, key))
        retry_after = self.state.limiter.acquire(bucket)
        if retry_after is not None:
            seconds = max(1, int(retry_after + 0.999))
            await self._refuse(
                scope,
                send,
                key,
                429,
                f"rate limit exceeded; retry in {seconds} s",
                started,
                {"Retry-After": str(seconds)},
            )
            return
        await self.app(scope, receive, send)

    async def _refuse(
        self,
        scope: Scope,
        send: Send,
        key: ApiKey | None,
        status: int,
        detail: str,
        started: float,
        extra: dict[str, str] | None = None,
    ) -> None:
        body = json.dumps(problem(status, detail).model_dump(exclude_none=True)).encode()
        headers = [(b"content-type", PROBLEM_MEDIA_TYPE.encode())]
        if status == 401:
            headers.append((b"www-authenticate", b"Bearer"))
        headers += [(k.lower().encode(), v.encode()) for k, v in (extra or {}).items()]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})
        entry = AuditEntry(
            time=utc_now(),
            key_id=key.id if key else None,
            endpoint=MCP_PATH,
            method=scope.get("method"),
            status=status,
            detail=detail,
            latency_ms=round((time.perf_counter() - started) * 1000, 1),
        )
        await run_in_threadpool(self.state.audit.record, entry)
