"""Every `/v1` request leaves exactly one audit row, written here and nowhere else.

The middleware knows what every request shares (key id once authenticated, forwarded user,
route, status, latency, and the problem's detail for an error); a route adds what only it
knows (the question and answer, what an upload or a key change did) to its request's
`RequestAudit`. The row is written when the response has been sent, so a streamed answer is
recorded complete, and a denial (401/403), a framework 422, a 413 from the body limit and an
internal error are recorded like any answer.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import time
from dataclasses import dataclass, field
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assistant.api.errors import PROBLEM_MEDIA_TYPE
from assistant.api.forwarded import forwarded_user
from assistant.models import Answer
from assistant.stores.audit import AuditEntry, AuditLog, answer_fields, utc_now
from assistant.stores.keys import ApiKey

__all__ = ["AUDITED_PREFIX", "AuditTrail", "RequestAudit", "STATE_KEY"]

AUDITED_PREFIX = "/v1/"
#: Where the request's `RequestAudit` and authenticated key live in the ASGI scope's state.
STATE_KEY = "audit_record"
KEY_STATE = "api_key"
#: Enough of an error body to read its `detail`; problem documents are small.
_MAX_ERROR_BODY = 16 * 1024
_MAX_PATH = 300

log = logging.getLogger(__name__)


@dataclass
class RequestAudit:
    """What a route adds to its request's audit row."""

    fields: dict[str, Any] = field(default_factory=dict)

    def note(self, **fields: Any) -> None:
        """Sets audit columns (`question`, `detail`, `conversation_id`, `status`, ...)."""
        self.fields.update(fields)

    def answer(self, answer: Answer, question: str, conversation_id: str | None) -> None:
        """Records an answer with its citations and provenance (the status stays the
        response's: a failure after the answer, such as saving the turn, is what counts)."""
        self.note(**answer_fields(answer), question=question, conversation_id=conversation_id)


class AuditTrail:
    """ASGI middleware writing one audit row per `/v1` request, after its response."""

    def __init__(self, app: ASGIApp, audit: AuditLog) -> None:
        self.app = app
        self.audit = audit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope.get("path", "").startswith(AUDITED_PREFIX):
            await self.app(scope, receive, send)
            return
        record = RequestAudit()
        state = scope.setdefault("state", {})
        state[STATE_KEY] = record
        when, started = utc_now(), time.perf_counter()
        status = 500  # what the client sees if the app fails before answering
        error_body = bytearray()
        is_problem = False

        async def audited_send(message: Message) -> None:
            nonlocal status, is_problem
            if message["type"] == "http.response.start":
                status = int(message["status"])
                is_problem = (
                    Headers(raw=message.get("headers", []))
                    .get("content-type", "")
                    .startswith(PROBLEM_MEDIA_TYPE)
                )
            elif (
                message["type"] == "http.response.body"
                and is_problem
                and len(error_body) < _MAX_ERROR_BODY
            ):
                error_body.extend(message.get("body", b"")[:_MAX_ERROR_BODY])
            await send(message)

        try:
            await self.app(scope, receive, audited_send)
        finally:
            entry = _entry(scope, record, when, started, status, bytes(error_body))
            try:
                await run_in_threadpool(self.audit.record, entry)
            except sqlite3.Error as exc:
                # The response is out; losing the row silently is the one thing not to do.
                log.error("audit row not written (%s): %s", exc, entry.model_dump_json())


def _entry(
    scope: Scope, record: RequestAudit, when: str, started: float, status: int, error_body: bytes
) -> AuditEntry:
    key: ApiKey | None = scope.get("state", {}).get(KEY_STATE)
    route = scope.get("route")
    # The route's template (`/v1/documents/{doc_id}`), never the path a client made up.
    # A path no route matched is the client's text: kept, but only so much of it.
    endpoint = getattr(route, "path_format", None) or scope.get("path", "")[:_MAX_PATH]
    user = forwarded_user(Headers(scope=scope), key)
    values: dict[str, Any] = {
        "time": when,
        "key_id": key.id if key else None,
        "endpoint": endpoint,
        "method": scope.get("method"),
        "status": status,
        "detail": _problem_detail(error_body),
    }
    if user is not None:
        values |= {
            "user_id": user.id,
            "user_name": user.name,
            "user_email": user.email,
            "user_role": user.role,
        }
    # What the route knows wins: a stream that failed after its 200 records the failure.
    values |= {k: v for k, v in record.fields.items() if v is not None}
    values["latency_ms"] = round((time.perf_counter() - started) * 1000, 1)
    return AuditEntry(**values)


def _problem_detail(body: bytes) -> str | None:
    if not body:
        return None
    try:
        detail = json.loads(body).get("detail")
    except (ValueError, AttributeError):
        return None
    return str(detail) if detail is not None else None
