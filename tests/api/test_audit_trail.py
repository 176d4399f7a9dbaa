"""One audit row for every `/v1` request: denials, framework errors, body limits, crashes,
streams and key changes included; nothing outside `/v1`."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from assistant.stores.audit import AuditEntry
from tests.api.conftest import ApiEnv, sse_events


def _rows(env: ApiEnv) -> list[AuditEntry]:
    return env.state.audit.entries()


def _last(env: ApiEnv) -> AuditEntry:
    return _rows(env)[-1]


def test_denials_are_audited_with_the_key_where_known(make_api: Callable[..., ApiEnv]) -> None:
    env = make_api()
    assert env.client.get("/v1/documents").status_code == 401
    row = _last(env)
    assert (row.method, row.endpoint, row.status, row.key_id) == ("GET", "/v1/documents", 401, None)
    assert row.detail and "missing API key" in row.detail

    bad = env.client.get("/v1/documents", headers={"Authorization": "Bearer cqa_nope"})
    assert bad.status_code == 401 and _last(env).detail == "unknown or revoked API key"

    assert env.get("/v1/keys", as_="reader").status_code == 403
    row = _last(env)
    assert (row.endpoint, row.status, row.key_id) == ("/v1/keys", 403, env.key_ids["reader"])

    denied = env.get("/v1/documents/us-ear/744.23.md", as_="cn_reader")
    assert denied.status_code == 403
    row = _last(env)
    assert row.endpoint == "/v1/documents/{doc_id}" and row.key_id == env.key_ids["cn_reader"]


def test_framework_errors_and_body_limits_are_audited(make_api: Callable[..., ApiEnv]) -> None:
    env = make_api(max_upload_bytes=1000)
    assert env.post("/v1/ask", as_="reader", json={"question": "q", "colour": 1}).status_code == 422
    row = _last(env)
    assert row.status == 422 and row.key_id == env.key_ids["reader"]
    assert row.detail and "colour" in row.detail

    big = env.post("/v1/documents", as_="editor", files=[("files", ("a.txt", b"a" * 200_000))])
    assert big.status_code == 413 and _last(env).status == 413

    exe = env.post("/v1/documents", as_="editor", files=[("files", ("tool.exe", b"MZ"))])
    assert exe.status_code == 415
    row = _last(env)
    assert row.status == 415 and row.key_id == env.key_ids["editor"] and "tool.exe" in row.detail


def test_internal_errors_are_audited(
    make_api: Callable[..., ApiEnv], monkeypatch: pytest.MonkeyPatch
) -> None:
    env = make_api()

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(env.qa, "search", broken)
    response = env.get("/v1/search", as_="reader", params={"q": "export"})
    assert response.status_code == 500 and "fire" not in response.text
    assert response.headers["content-type"] == "application/problem+json"
    row = _last(env)
    assert (row.endpoint, row.status, row.question) == ("/v1/search", 500, "export")
    assert row.detail and "fire" not in row.detail


def test_every_v1_request_is_one_row_and_nothing_else_is(make_api: Callable[..., ApiEnv]) -> None:
    env = make_api()
    before = len(_rows(env))
    env.get("/v1/models", as_="reader")
    env.get("/v1/search", as_="reader", params={"q": "licence"})
    env.post("/v1/ask", as_="reader", json={"question": "What needs a licence?"})
    env.client.get("/healthz")
    env.client.get("/")
    env.client.get("/openapi.json")
    rows = _rows(env)[before:]
    assert [(r.method, r.endpoint) for r in rows] == [
        ("GET", "/v1/models"),
        ("GET", "/v1/search"),
        ("POST", "/v1/ask"),
    ]
    assert all(r.latency_ms is not None and r.latency_ms >= 0 for r in rows)
    assert rows[2].answer_text and rows[2].question == "What needs a licence?"
    assert env.state.audit.verify().ok


def test_a_streamed_answer_is_audited_complete(make_api: Callable[..., ApiEnv]) -> None:
    env = make_api()
    question = {"question": "What does § 744.23 require a license for?"}
    body = env.post("/v1/ask", as_="reader", params={"stream": "true"}, json=question).text
    (answer,) = [json.loads(data) for name, data in sse_events(body) if name == "answer"]
    row = _last(env)
    assert row.endpoint == "/v1/ask" and row.status == 200
    assert row.answer_text == answer["text"] and row.abstained == answer["abstained"]
    assert [(c.doc_id, c.start, c.end) for c in row.citations] == [
        (c["doc_id"], c["start"], c["end"]) for c in answer["citations"]
    ]
    assert row.corpus_fingerprint == answer["corpus_fingerprint"]


def test_key_changes_through_the_api_are_audited(make_api: Callable[..., ApiEnv]) -> None:
    env = make_api()
    created = env.post("/v1/keys", json={"name": "bot-7", "role": "reader", "scope": ["seeds"]})
    assert created.status_code == 201
    info = created.json()["info"]
    row = _last(env)
    assert (row.method, row.endpoint, row.status) == ("POST", "/v1/keys", 201)
    assert row.key_id == env.key_ids["admin"]
    assert row.detail == f"created key {info['id']} 'bot-7' (reader; scope seeds)"
    assert created.json()["key"] not in str(_rows(env))
    assert env.delete(f"/v1/keys/{info['id']}").status_code == 200
    row = _last(env)
    assert row.endpoint == "/v1/keys/{key_id}" and row.detail
    assert row.detail.startswith(f"revoked key {info['id']}")


def test_a_failure_after_the_answer_is_audited_as_the_failure(
    make_api: Callable[..., ApiEnv], monkeypatch: pytest.MonkeyPatch
) -> None:
    env = make_api()

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("conversation store gone")

    monkeypatch.setattr(env.state.conversations, "append", broken)
    response = env.post("/v1/chat", as_="reader", json={"question": "What needs a licence?"})
    assert response.status_code == 500
    row = _last(env)
    assert (row.endpoint, row.status, row.question) == ("/v1/chat", 500, "What needs a licence?")
    assert row.answer_text  # what was answered before the failure is on record too


def test_an_unknown_route_is_audited_with_its_path_cut_short(
    make_api: Callable[..., ApiEnv],
) -> None:
    env = make_api()
    response = env.get("/v1/" + "x" * 5000, as_="reader")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    row = _last(env)
    assert row.status == 404 and row.endpoint.startswith("/v1/xxx") and len(row.endpoint) == 300
