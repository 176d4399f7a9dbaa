"""Every error the API returns is a problem document (RFC 9457), made in this one place."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assistant.answering.llm import LLMUnavailable
from assistant.stores.audit import InvalidSince
from assistant.stores.conversations import ConversationNotFound
from assistant.stores.keys import InvalidKeySpec, KeyNotFound
from ingest.errors import (
    ComplyqaError,
    ConfigurationError,
    DocumentNotFound,
    DocumentParseError,
    EmbeddingModelMismatch,
    FileOverLimit,
    FileRefused,
    IndexMissing,
    InvalidQuestion,
    InvalidUpload,
    NothingToReplace,
    UnsupportedFileType,
    UnsupportedUpload,
    UploadConflict,
    UploadOverLimit,
    UploadRefused,
)

log = logging.getLogger(__name__)

PROBLEM_MEDIA_TYPE = "application/problem+json"

#: The HTTP status of each error a user can cause (the nearest listed class decides; any other
#: `ComplyqaError` is a 400). The only place that maps errors to statuses.
STATUS: dict[type[ComplyqaError], int] = {
    UnsupportedFileType: 415,
    DocumentParseError: 422,
    FileOverLimit: 413,
    IndexMissing: 503,
    EmbeddingModelMismatch: 409,
    InvalidQuestion: 422,
    DocumentNotFound: 404,
    # Not the client's fault and not a crash: the server lacks a setting (an LLM endpoint, a
    # model) the request needs, and the message names it.
    ConfigurationError: 503,
    LLMUnavailable: 503,
    ConversationNotFound: 404,
    InvalidSince: 422,
    InvalidKeySpec: 422,
    KeyNotFound: 404,
    InvalidUpload: 422,
    FileRefused: 422,
    UploadConflict: 409,
    # An upload refused for several files' reasons of different statuses; with one status
    # in common, the upload answers with that one (see `_refused`).
    UploadRefused: 422,
}

#: The error type of an upload refused for several reasons (or for a reason of its own).
UPLOAD_REFUSED = "urn:complyqa:error:upload-refused"

#: The problem `type` of errors not named after their class (the nearest listed class
#: decides, as in `STATUS`): refused uploads share one type, and the upload checks keep the
#: plain `about:blank` the API has always answered them with.
TYPE: dict[type[ComplyqaError], str] = {
    FileRefused: UPLOAD_REFUSED,
    UploadRefused: UPLOAD_REFUSED,
    InvalidUpload: "about:blank",
    UnsupportedUpload: "about:blank",
    UploadOverLimit: "about:blank",
    NothingToReplace: "about:blank",
}


class Problem(BaseModel):
    """An error response: `application/problem+json`."""

    type: str = Field(default="about:blank", description="URI naming the kind of problem")
    title: str = Field(description="Short summary of the kind of problem")
    status: int = Field(description="HTTP status code")
    detail: str = Field(description="What went wrong in this request, and what to do")
    errors: list[dict[str, Any]] | None = Field(
        default=None,
        description="Request validation errors, one per bad field; for a refused upload, "
        "one per file (loc: document id, msg: reason)",
    )


class ApiError(Exception):
    """An error with an HTTP status raised by route code; becomes a problem response."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        type: str = "about:blank",
        headers: Mapping[str, str] | None = None,
        errors: list[dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.type = type
        self.headers = headers
        self.errors = errors


def problem(
    status: int,
    detail: str,
    *,
    type: str = "about:blank",
    errors: list[dict[str, Any]] | None = None,
) -> Problem:
    return Problem(type=type, title=_title(status), status=status, detail=detail, errors=errors)


def problem_response(p: Problem, headers: Mapping[str, str] | None = None) -> JSONResponse:
    return JSONResponse(
        p.model_dump(exclude_none=True),
        status_code=p.status,
        headers=headers,
        media_type=PROBLEM_MEDIA_TYPE,
    )


def problem_for_exception(exc: BaseException) -> Problem:
    """The problem a client sees for `exc`; unknown errors say nothing about internals."""
    if isinstance(exc, ApiError):
        return problem(exc.status, exc.detail, type=exc.type, errors=exc.errors)
    if isinstance(exc, UploadRefused):
        return _refused(exc)
    if isinstance(exc, ComplyqaError):
        return problem(status_of(exc), str(exc), type=_error_type(exc))
    if isinstance(exc, StarletteHTTPException):
        return problem(exc.status_code, str(exc.detail))
    return problem(500, "The server failed to handle this request; the error has been logged.")


def _title(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def status_of(exc: ComplyqaError) -> int:
    """`exc`'s HTTP status from `STATUS`: its own class's, else its nearest listed base's."""
    return next((STATUS[c] for c in type(exc).__mro__ if c in STATUS), 400)


def _error_type(exc: ComplyqaError) -> str:
    """`exc`'s problem type: from `TYPE` if listed, else named after its class."""
    listed = next((TYPE[c] for c in type(exc).__mro__ if c in TYPE), None)
    if listed is not None:
        return listed
    name = re.sub(r"(?<!^)(?=[A-Z])", "-", type(exc).__name__).lower()
    return f"urn:complyqa:error:{name}"


def _refused(exc: UploadRefused) -> Problem:
    """An upload that stored nothing: one file's own status and type, or for several files
    their common status (else `STATUS`'s) with every file's reason in `errors`."""
    # A file's status and type are those of the error that decided its refusal.
    decisive = [f.cause or f for f in exc.files]
    errors = [
        {"loc": f.doc_id, "msg": f.reason, "type": _error_type(d)}
        for f, d in zip(exc.files, decisive, strict=True)
    ]
    if len(decisive) == 1:
        status, kind = status_of(decisive[0]), _error_type(decisive[0])
    else:
        statuses = {status_of(d) for d in decisive}
        status = statuses.pop() if len(statuses) == 1 else status_of(exc)
        kind = _error_type(exc)
    return problem(status, str(exc), type=kind, errors=errors)


def _location(loc: tuple[Any, ...] | list[Any]) -> str:
    return ".".join(str(part) for part in loc)


async def _api_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return problem_response(problem_for_exception(exc), exc.headers)


async def _complyqa_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ComplyqaError)
    p = problem_for_exception(exc)
    if p.status >= 500:
        log.warning("%s: %s", type(exc).__name__, exc)
    return problem_response(p)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    return problem_response(problem_for_exception(exc), exc.headers)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {"loc": _location(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
        for e in exc.errors()
    ]
    detail = "; ".join(f"{e['loc']}: {e['msg']}" for e in errors) or "invalid request"
    return problem_response(
        problem(422, detail, type="urn:complyqa:error:invalid-request", errors=errors)
    )


_INTERNAL = "The server failed to handle this request; the error has been logged."


async def _unhandled_error(request: Request, exc: Exception) -> JSONResponse:
    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem_response(problem(500, _INTERNAL))


class UnhandledErrors:
    """ASGI middleware turning an unexpected exception into one log record and a 500 problem.

    Starlette's own last-resort handler re-raises after answering, so the server logs a
    second traceback and, the response being sent, drops the keep-alive connection. Here the
    exception ends with the response: the connection stays usable.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            log.error(
                "unhandled error on %s %s", scope.get("method"), scope.get("path"), exc_info=exc
            )
            if started:
                # Half a response is out: the client sees the connection end, and nothing
                # more can be said.
                return
            await problem_response(problem(500, _INTERNAL))(scope, receive, send)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(ComplyqaError, _complyqa_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _unhandled_error)


_DESCRIPTIONS = {
    401: "Missing or unknown API key (send `Authorization: Bearer <key>`)",
    403: "The key's role or scope does not allow this",
    404: "No such resource (or not visible to this key)",
    409: "The index was built with another embedding model",
    413: "Upload larger than `api.max_upload_bytes`",
    415: "Unsupported file type",
    422: "Invalid request: empty or over-long question, bad parameter",
    429: "Rate limit exceeded; retry after `Retry-After` seconds",
    500: "Internal error (no details are given)",
    503: "No index loaded yet, or LLM mode asked for with no LLM configured",
}


def problems(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` entries for these error statuses, all with the `Problem` body."""
    return {
        code: {
            "model": Problem,
            "description": _DESCRIPTIONS.get(code, _title(code)),
            "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for code in codes
    }
