"""`POST /v1/ask`: answers with verifiable citations, streaming, and every bad-input case."""

from __future__ import annotations

import json

import pytest

from assistant.evidence.markers import ABSTENTION
from ingest.errors import IndexMissing
from tests.api.conftest import ApiEnv, doc_text, sse_events

LICENSE_Q = "When is a license required to export advanced computing items for a supercomputer?"


def test_answer_cites_passages_whose_quote_is_the_document_text(api: ApiEnv) -> None:
    response = api.post("/v1/ask", as_="reader", json={"question": LICENSE_Q})
    assert response.status_code == 200, response.text
    answer = response.json()
    assert not answer["abstained"]
    assert answer["citations"]
    assert any(c["doc_id"] == "us-ear/744.23.md" for c in answer["citations"])
    for c in answer["citations"]:
        assert f"[{c['marker']}]" in answer["text"]
        assert doc_text(api, c["doc_id"])[c["start"] : c["end"]] == c["quote"]
    assert answer["profile"] == "default" and answer["corpus_fingerprint"]


def test_question_outside_the_sources_abstains(api: ApiEnv) -> None:
    answer = api.post("/v1/ask", json={"question": "What is the penalty for jaywalking in Paris?"})
    assert answer.status_code == 200
    assert answer.json()["abstained"] and answer.json()["text"] == ABSTENTION


def test_filters_and_k_reach_the_index_query(api: ApiEnv) -> None:
    body = {"question": "export licence", "filters": {"groups": ["cn-regulations"]}, "k": 2}
    answer = api.post("/v1/ask", json=body).json()
    assert 0 < len(answer["passages"]) <= 2
    assert {p["group"] for p in answer["passages"]} == {"cn-regulations"}


def test_profile_selects_other_settings_on_the_same_index(api: ApiEnv) -> None:
    answer = api.post("/v1/ask", json={"question": LICENSE_Q, "profile": "fast"}).json()
    assert answer["profile"] == "fast"
    unknown = api.post("/v1/ask", json={"question": LICENSE_Q, "profile": "nope"})
    assert unknown.status_code == 422 and "nope" in unknown.json()["detail"]


def test_stream_sends_deltas_then_the_whole_answer(api: ApiEnv) -> None:
    response = api.post("/v1/ask?stream=true", as_="reader", json={"question": LICENSE_Q})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    events = sse_events(response.text)
    names = [name for name, _ in events]
    assert names[0] == "delta" and names[-1] == "answer" and "error" not in names
    streamed = "".join(json.loads(d)["text"] for n, d in events if n == "delta")
    final = json.loads(events[-1][1])
    assert final["text"] == streamed and final["citations"]


def test_stream_failure_ends_with_an_error_event(
    api: ApiEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> object:
        raise IndexMissing("no index yet; run `complyqa ingest corpus/`")

    monkeypatch.setattr(api.qa, "stream_ask", broken)
    response = api.post("/v1/ask?stream=true", json={"question": LICENSE_Q})
    events = sse_events(response.text)
    assert events[-1][0] == "error"
    problem = json.loads(events[-1][1])
    assert problem["status"] == 503 and "complyqa ingest" in problem["detail"]


@pytest.mark.parametrize("question", ["", "   \n "])
def test_empty_question_is_a_422_problem(api: ApiEnv, question: str) -> None:
    response = api.post("/v1/ask", json={"question": question})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert set(response.json()) >= {"type", "title", "status", "detail"}


def test_over_long_question_is_a_422_naming_the_limit(api: ApiEnv) -> None:
    limit = api.settings.answer.max_question_chars
    response = api.post("/v1/ask", json={"question": "x" * (limit + 1)})
    assert response.status_code == 422
    assert str(limit) in response.json()["detail"]
    assert api.post("/v1/ask", json={"question": "y" * limit}).status_code == 200


def test_unknown_mode_and_bad_fields_are_422(api: ApiEnv) -> None:
    assert api.post("/v1/ask", json={"question": "q", "mode": "telepathy"}).status_code == 422
    assert api.post("/v1/ask", json={"question": "q", "k": 0}).status_code == 422
    assert api.post("/v1/ask", json={"question": "q", "colour": "red"}).status_code == 422
    assert (
        api.post(
            "/v1/ask", content=b"not json", headers={"content-type": "application/json"}
        ).status_code
        == 422
    )


def test_missing_or_wrong_key_is_401(api: ApiEnv) -> None:
    missing = api.client.post("/v1/ask", json={"question": LICENSE_Q})
    assert missing.status_code == 401 and missing.headers["www-authenticate"].startswith("Bearer")
    assert missing.headers["content-type"] == "application/problem+json"
    wrong = api.client.post(
        "/v1/ask", json={"question": LICENSE_Q}, headers={"Authorization": "Bearer cqa_nope"}
    )
    assert wrong.status_code == 401


def test_facade_errors_map_to_their_status_and_others_to_a_bare_500(
    api: ApiEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    def missing(*args: object, **kwargs: object) -> object:
        raise IndexMissing("no index yet; run `complyqa ingest corpus/`")

    monkeypatch.setattr(api.qa, "ask", missing)
    response = api.post("/v1/ask", json={"question": LICENSE_Q})
    assert response.status_code == 503 and "complyqa ingest" in response.json()["detail"]

    def crash(*args: object, **kwargs: object) -> object:
        raise RuntimeError("secret internals /srv/data at line 42")

    monkeypatch.setattr(api.qa, "ask", crash)
    response = api.post("/v1/ask", json={"question": LICENSE_Q})
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert "secret" not in response.text and "Traceback" not in response.text
