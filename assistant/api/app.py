"""The FastAPI application: `create_app(settings)` wires stores, routes and error handling."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.utils import get_openapi
from fastapi.staticfiles import StaticFiles

from assistant.api.audit_trail import AuditTrail
from assistant.api.deps import ApiState, ComplyQA
from assistant.api.errors import PROBLEM_MEDIA_TYPE, UnhandledErrors, install_error_handlers
from assistant.api.guard import BrowserGuard
from assistant.api.limits import BodySizeLimit
from assistant.api.orphans import sweep_at_startup
from assistant.api.routes import ask, audit, chat, documents, health, keys, openai, page, search
from assistant.api.routes.page import STATIC_DIR
from assistant.settings import Settings
from assistant.stores.audit import AuditLog
from assistant.stores.conversations import ConversationStore
from assistant.stores.keys import KeyStore
from assistant.stores.ratelimit import RateLimiter

__all__ = ["create_app", "app_from_env"]

DESCRIPTION = """
Answers compliance questions from indexed regulations and articles, with citations to exact
passages (`quote == document text[start:end]`), or abstains.

Authenticate with `Authorization: Bearer <key>` (keys from `complyqa keys create`).
Errors are `application/problem+json` documents: `{type, title, status, detail}`.
"""


def create_app(settings: Settings, qa: ComplyQA | None = None) -> FastAPI:
    """The API over `qa` (built from `settings` on first use when not given)."""
    data_dir = Path(settings.data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)

    def facade_factory(s: Settings) -> ComplyQA:
        from assistant.service import ComplyQA as Facade

        default = state.qa
        # Profiles share the data dir and the embedding model: load the model once.
        embedder = default.index.embedder if default is not None else None
        return Facade(s, embedder=embedder)

    state = ApiState(
        settings=settings,
        keys=KeyStore.in_data_dir(data_dir),
        audit=AuditLog.in_data_dir(data_dir),
        conversations=ConversationStore.in_data_dir(data_dir),
        limiter=RateLimiter(settings.api.rate_limit_per_minute),
        qa_factory=facade_factory,
        qa=qa,
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        sweep_at_startup(state)  # files a killed upload left behind (assistant/api/orphans.py)
        # Both encoders load in the background: the first question and the first upload of
        # a worker then do not wait seconds for them.
        state.facade().index.embedder.preload(passages=True)
        async with mcp_session():  # the MCP endpoint's session manager (assistant/mcp/http.py)
            yield
        state.close()

    app = FastAPI(
        title="complyqa",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.complyqa = state
    install_error_handlers(app)
    # Innermost first: the last one added sees the request first.
    app.add_middleware(UnhandledErrors)
    if settings.api.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.api.cors_origins,
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["Authorization", "Content-Type"],
        )
    app.add_middleware(BodySizeLimit, max_upload_bytes=settings.api.max_upload_bytes)
    app.add_middleware(
        BrowserGuard,
        loopback_only=not settings.api.auth,
        allowed_origins=settings.api.cors_origins,
    )
    # Outermost, so that every refusal above is audited too.
    app.add_middleware(AuditTrail, audit=state.audit)
    for module in (health, ask, chat, search, documents, openai, keys, audit, page):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    from assistant.mcp.http import mount_mcp  # here: assistant.mcp imports the API's deps

    mcp_session = mount_mcp(app, state)
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app


def _openapi(app: FastAPI) -> dict[str, Any]:
    """The generated schema, with error responses only as `application/problem+json`."""
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(
        title=app.title, version=app.version, description=app.description, routes=app.routes
    )
    problem_ref = {"schema": {"$ref": "#/components/schemas/Problem"}}
    for path in schema.get("paths", {}).values():
        for operation in path.values():
            for status, response in operation.get("responses", {}).items():
                if status[:1] in "45":
                    response["content"] = {PROBLEM_MEDIA_TYPE: problem_ref}
                    if status == "422" and response.get("description") == "Validation Error":
                        response["description"] = "Invalid request parameters"
    schemas = schema.get("components", {}).get("schemas", {})
    # FastAPI's default validation-error schemas are no longer referenced.
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    app.openapi_schema = schema
    return schema


def app_from_env() -> FastAPI:
    """App factory for `uvicorn --factory` (several workers): settings from `COMPLYQA_*`."""
    return create_app(Settings.load(os.environ.get("COMPLYQA_PROFILE")))
