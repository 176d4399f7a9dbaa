"""`POST /v1/chat`: conversations that remember, persist, and belong to one key."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from assistant.api import create_app
from assistant.models import Turn
from tests.api.conftest import ApiEnv, sse_events

FIRST = "Which permit does a provider need to offer IaaS computing power services in China?"


def _spy_history(env: ApiEnv, monkeypatch: pytest.MonkeyPatch) -> list[tuple[Turn, ...]]:
    seen: list[tuple[Turn, ...]] = []
    real = env.qa.ask

    def ask(question: str, **kwargs: Any) -> Any:
        seen.append(tuple(kwargs["history"]))
        return real(question, **kwargs)

    monkeypatch.setattr(env.qa, "ask", ask)
    return seen


def test_follow_up_gets_the_earlier_turns_as_history(
    api: ApiEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = _spy_history(api, monkeypatch)
    first = api.post("/v1/chat", as_="reader", json={"question": FIRST})
    assert first.status_code == 200, first.text
    conversation_id = first.json()["conversation_id"]
    first_answer = first.json()["answer"]
    follow = api.post(
        "/v1/chat",
        as_="reader",
        json={"conversation_id": conversation_id, "question": "And who issues it?"},
    )
    assert follow.status_code == 200 and follow.json()["conversation_id"] == conversation_id
    assert seen[0] == ()
    (turn,) = seen[1]
    assert turn.question == FIRST and turn.answer == first_answer["text"]
    assert turn.doc_ids == list(dict.fromkeys(c["doc_id"] for c in first_answer["citations"]))
    view = api.get(f"/v1/chat/{conversation_id}", as_="reader").json()
    assert [t["question"] for t in view["turns"]] == [FIRST, "And who issues it?"]
    audited = [
        e
        for e in api.get("/v1/audit", params={"limit": 10_000}).json()
        if e["conversation_id"] == conversation_id
    ]
    assert [e["question"] for e in audited] == [FIRST, "And who issues it?"]
    assert {e["endpoint"] for e in audited} == {"/v1/chat"}


def test_a_conversation_belongs_to_the_key_that_started_it(api: ApiEnv) -> None:
    conversation_id = api.post("/v1/chat", as_="reader", json={"question": FIRST}).json()[
        "conversation_id"
    ]
    other = api.post(
        "/v1/chat", as_="admin", json={"conversation_id": conversation_id, "question": "More?"}
    )
    assert other.status_code == 404
    assert api.get(f"/v1/chat/{conversation_id}", as_="admin").status_code == 404
    assert (
        api.post(
            "/v1/chat", as_="reader", json={"conversation_id": "conv_unknown", "question": "x"}
        ).status_code
        == 404
    )


def test_conversations_survive_a_restart(make_api: Callable[..., ApiEnv]) -> None:
    env = make_api()
    conversation_id = env.post("/v1/chat", as_="reader", json={"question": FIRST}).json()[
        "conversation_id"
    ]
    env.state.close()
    restarted = create_app(env.settings, qa=env.qa)
    from fastapi.testclient import TestClient

    client = TestClient(restarted)
    follow = client.post(
        "/v1/chat",
        headers=env.auth("reader"),
        json={"conversation_id": conversation_id, "question": "And who issues it?"},
    )
    assert follow.status_code == 200, follow.text
    turns = client.get(f"/v1/chat/{conversation_id}", headers=env.auth("reader")).json()["turns"]
    assert len(turns) == 2
    restarted.state.complyqa.close()


def test_stream_names_the_conversation_before_the_answer(api: ApiEnv) -> None:
    response = api.post("/v1/chat?stream=true", as_="reader", json={"question": FIRST})
    events = sse_events(response.text)
    names = [n for n, _ in events]
    assert names[-2:] == ["conversation", "answer"] and "delta" in names
    conversation_id = json.loads(events[-2][1])["conversation_id"]
    turns = api.get(f"/v1/chat/{conversation_id}", as_="reader").json()["turns"]
    assert turns[0]["answer"] == json.loads(events[-1][1])["text"]


def test_bad_questions_are_rejected_before_a_conversation_exists(api: ApiEnv) -> None:
    assert api.post("/v1/chat", json={"question": " "}).status_code == 422
    long = api.post("/v1/chat", json={"question": "x" * 4001})
    assert long.status_code == 422 and "4000" in long.json()["detail"]
    assert api.client.post("/v1/chat", json={"question": FIRST}).status_code == 401
