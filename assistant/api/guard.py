"""Who may talk to the server from a browser: loopback Host names without keys, same-origin
writes always.

Without API keys (`--no-auth`) anything that can make a browser send a request to the port
acts as admin, so two browser attacks are shut out here: DNS rebinding (a page on
`evil.example` whose name now points at 127.0.0.1 — its requests carry `Host: evil.example`)
and cross-site request forgery (a page elsewhere posting a form or a `fetch` to us — its
request carries that page's `Origin`). With keys the same Origin rule covers the chat page:
a state-changing request from another origin is refused unless `api.cors_origins` lists it.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from assistant.api.errors import problem, problem_response

__all__ = ["BrowserGuard", "host_name", "is_loopback", "same_origin"]

#: Methods that change something; reads stay open to other origins (CORS decides what a
#: browser may see of them).
STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}


def is_loopback(host: str) -> bool:
    """127.0.0.0/8, ::1 (bracketed or not) or `localhost`."""
    if host.lower() in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _split_host(value: str) -> tuple[str, int | None]:
    """`host[:port]` of a Host header as (name, port); IPv6 names keep their brackets."""
    parts = urlsplit("//" + value.strip())
    try:
        port = parts.port
    except ValueError:
        return value, None
    name = (parts.hostname or "").lower()
    if ":" in name:
        name = f"[{name}]"
    return name, port


def host_name(host_header: str) -> str:
    """The name part of a Host header (`127.0.0.1:8000` -> `127.0.0.1`, `[::1]:80` -> `[::1]`)."""
    return _split_host(host_header)[0]


def same_origin(origin: str, host_header: str) -> bool:
    """Whether a browser's `Origin` names this server as the request reached it (`Host`).

    The scheme is not compared: behind a TLS proxy the server sees http while the page is
    https; the port defaults by the Origin's scheme on both sides.
    """
    parts = urlsplit(origin.strip())
    if not parts.scheme or not parts.hostname:
        return False  # "null" (sandboxed frames, file:) and garbage are never ours
    default = _DEFAULT_PORTS.get(parts.scheme.lower())
    try:
        origin_port = parts.port or default
    except ValueError:
        return False
    name, port = _split_host(host_header)
    origin_name = parts.hostname.lower()
    if ":" in origin_name:
        origin_name = f"[{origin_name}]"
    return origin_name == name and origin_port == (port or default)


class BrowserGuard:
    """ASGI middleware: loopback Host names only when `loopback_only`; same-origin writes."""

    def __init__(
        self, app: ASGIApp, *, loopback_only: bool, allowed_origins: list[str] | None = None
    ) -> None:
        self.app = app
        self.loopback_only = loopback_only
        self.allowed_origins = {o.rstrip("/").lower() for o in allowed_origins or []}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        host = headers.get("host", "")
        if self.loopback_only and not is_loopback(host_name(host)):
            detail = (
                f"Host {host!r} is not a loopback name: without API keys (--no-auth) the server "
                "answers only requests addressed to 127.0.0.1, localhost or [::1] (with any "
                "port). Open it as http://127.0.0.1:PORT/, or run with API keys to serve "
                "other names."
            )
            await problem_response(problem(403, detail, type=_TYPE + "host"))(scope, receive, send)
            return
        origin = headers.get("origin")
        # Behind a reverse proxy the page's origin is the proxy's name, passed on as
        # X-Forwarded-Host. A browser cannot add that header to a cross-site request without
        # a CORS preflight, which fails for origins not in api.cors_origins.
        forwarded = headers.get("x-forwarded-host", "").split(",")[0].strip()
        if (
            origin is not None
            and scope.get("method", "GET") in STATE_CHANGING
            and origin.rstrip("/").lower() not in self.allowed_origins
            and not same_origin(origin, host)
            and not (forwarded and same_origin(origin, forwarded))
        ):
            detail = (
                f"cross-origin {scope.get('method')} refused: the request comes from a page on "
                f"{origin!r}, not from this server ({host!r}). Use the chat page this server "
                "serves, send the request without an Origin header (curl, SDKs), or add the "
                "origin to api.cors_origins."
            )
            response = problem_response(problem(403, detail, type=_TYPE + "cross-origin"))
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


_TYPE = "urn:complyqa:error:forbidden-"
