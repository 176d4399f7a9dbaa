"""Request body limits, enforced while the body streams in (before it is parsed).

Uploads (`POST /v1/documents`) may be up to `api.max_upload_bytes` plus room for multipart
framing; every other body (questions, chat histories) is small. A declared `Content-Length`
over the limit is refused before anything is read.
"""

from __future__ import annotations

from fastapi import HTTPException
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assistant.api.errors import problem, problem_response

#: JSON bodies (questions, chat histories) stay small.
MAX_JSON_BODY = 2 * 1024 * 1024
#: Room for multipart boundaries and part headers on top of `api.max_upload_bytes`.
MULTIPART_OVERHEAD = 64 * 1024
UPLOAD_PATH = "/v1/documents"


class BodySizeLimit:
    """ASGI middleware answering 413 (as a problem document) for bodies over the limit."""

    def __init__(self, app: ASGIApp, max_upload_bytes: int) -> None:
        self.app = app
        self.max_upload_bytes = max_upload_bytes

    def _limit(self, scope: Scope) -> tuple[int, str]:
        if scope.get("method") == "POST" and scope.get("path", "").rstrip("/") == UPLOAD_PATH:
            return (
                self.max_upload_bytes + MULTIPART_OVERHEAD,
                f"the upload is larger than the limit of {self.max_upload_bytes} bytes "
                "(setting api.max_upload_bytes)",
            )
        return MAX_JSON_BODY, f"the request body is larger than {MAX_JSON_BODY} bytes"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit, detail = self._limit(scope)
        declared = Headers(scope=scope).get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await problem_response(problem(413, detail))(scope, receive, send)
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # FastAPI re-raises its own HTTPException from body parsing unchanged.
                    raise HTTPException(413, detail)
            return message

        await self.app(scope, limited_receive, send)
