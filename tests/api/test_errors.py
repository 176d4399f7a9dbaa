"""Errors as problem documents: LLM mode without an LLM is 503, and an internal error is one
log record on a connection that stays open (checked on a real uvicorn server)."""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import uvicorn

from tests.api.conftest import ApiEnv
from tests.servers import free_port


def test_llm_mode_without_an_llm_is_503_saying_what_to_set(
    make_api: Callable[..., ApiEnv],
) -> None:
    env = make_api()
    assert env.settings.llm.base_url is None
    response = env.post("/v1/ask", as_="reader", json={"question": "q?", "mode": "llm"})
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert "COMPLYQA_LLM_BASE_URL" in response.json()["detail"]
    assert env.state.audit.entries()[-1].status == 503
    streamed = env.post(
        "/v1/ask", as_="reader", params={"stream": "true"}, json={"question": "q?", "mode": "llm"}
    )
    assert "event: error" in streamed.text and '"status":503' in streamed.text


@contextmanager
def _serve(env: ApiEnv) -> Iterator[int]:
    port = free_port()
    config = uvicorn.Config(env.app, host="127.0.0.1", port=port, log_config=None, lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        threading.Event().wait(0.05)
    try:
        yield port
    finally:
        server.should_exit = True
        thread.join(30)


def _read_response(sock: socket.socket) -> tuple[int, bytes]:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed before the headers")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    length = next(
        int(v) for k, _, v in (x.partition(":") for x in lines[1:]) if k.lower() == "content-length"
    )
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed in the body")
        body += chunk
    return int(lines[0].split()[1]), body


def test_an_internal_error_is_one_log_record_and_keeps_the_connection(
    make_api: Callable[..., ApiEnv],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    env = make_api()

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("index on fire")

    monkeypatch.setattr(env.qa, "search", broken)
    request = (
        "GET /v1/search?q=export HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Authorization: Bearer {env.keys['reader']}\r\n\r\n"
    ).encode()
    with (
        caplog.at_level(logging.INFO),
        _serve(env) as port,
        socket.create_connection(("127.0.0.1", port), timeout=30) as sock,
    ):
        sock.sendall(request)
        status, body = _read_response(sock)
        assert status == 500 and b"fire" not in body
        # Same connection, next request: still open.
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        assert _read_response(sock)[0] == 200
    tracebacks = [r for r in caplog.records if r.exc_info]
    assert len(tracebacks) == 1, [r.getMessage() for r in tracebacks]
    assert "unhandled error on GET /v1/search" in tracebacks[0].getMessage()


def test_every_user_error_has_its_status_in_one_table() -> None:
    from assistant.api.errors import STATUS, status_of
    from ingest.errors import ComplyqaError, DocumentParseError, FileOverLimit, UnreadablePath

    assert status_of(FileOverLimit("too big")) == 413  # its own entry beats its base's 422
    assert status_of(DocumentParseError("bad")) == 422

    class Stricter(DocumentParseError):
        pass

    assert status_of(Stricter("x")) == 422  # nearest listed base
    assert status_of(UnreadablePath("x")) == 400 and status_of(ComplyqaError("x")) == 400
    assert all(400 <= s < 600 for s in STATUS.values())
