"""OpenAI-compatible `/v1/chat/completions` and `/v1/models`."""

from __future__ import annotations

import json
from typing import Any

import pytest

from assistant.api.routes.openai import split_messages, strip_sources
from assistant.api.schemas import ChatMessage
from tests.api.conftest import ApiEnv, sse_events

QUESTION = "When is a license required to export advanced computing items for a supercomputer?"


def _body(**extra: Any) -> dict[str, Any]:
    return {"model": "complyqa", "messages": [{"role": "user", "content": QUESTION}], **extra}


def test_completion_has_markers_sources_and_structured_citations(api: ApiEnv) -> None:
    response = api.post("/v1/chat/completions", as_="reader", json=_body(temperature=0.2))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["object"] == "chat.completion" and body["model"] == "complyqa"
    content = body["choices"][0]["message"]["content"]
    assert body["choices"][0]["message"]["role"] == "assistant"
    assert body["choices"][0]["finish_reason"] == "stop"
    answer, sources = content.split("\n\nSources:\n")
    assert body["citations"]
    for c in body["citations"]:
        assert f"[{c['marker']}]" in answer
        line = next(s for s in sources.splitlines() if s.startswith(f"[{c['marker']}] "))
        assert c["title"] in line and f'"{" ".join(c["quote"].split())}"' in line


def test_stream_is_openai_chunks_ending_with_done(api: ApiEnv) -> None:
    response = api.post("/v1/chat/completions", as_="reader", json=_body(stream=True))
    assert response.status_code == 200
    events = sse_events(response.text)
    assert events[-1][1] == "[DONE]"
    every = [json.loads(data) for _, data in events[:-1]]
    assert all(c["object"] == "chat.completion.chunk" for c in every)
    # Open WebUI source events ride in chunks without choices.
    chunks = [c for c in every if c["choices"]]
    assert all("event" in c for c in every if not c["choices"])
    assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop"
    text = "".join(c["choices"][0]["delta"].get("content", "") for c in chunks)
    plain = api.post("/v1/chat/completions", json=_body()).json()
    assert text == plain["choices"][0]["message"]["content"]
    assert chunks[-1]["citations"] == plain["citations"]


def test_earlier_messages_become_history(api: ApiEnv, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[Any] = []
    real = api.qa.ask

    def ask(question: str, **kwargs: Any) -> Any:
        seen.append((question, kwargs["history"]))
        return real(question, **kwargs)

    monkeypatch.setattr(api.qa, "ask", ask)
    messages = [
        {"role": "system", "content": "You are helpful."},
        {"role": "user", "content": "What does § 744.23 cover?"},
        {"role": "assistant", "content": 'Supercomputers [1]\n\nSources:\n[1] 15 CFR: "x"'},
        {"role": "user", "content": [{"type": "text", "text": "And who reviews it?"}]},
    ]
    response = api.post("/v1/chat/completions", json={"model": "complyqa", "messages": messages})
    assert response.status_code == 200
    question, history = seen[0]
    assert question == "And who reviews it?"
    assert [(t.question, t.answer) for t in history] == [
        ("What does § 744.23 cover?", "Supercomputers [1]")
    ]


def test_split_messages_and_strip_sources() -> None:
    msgs = [ChatMessage(role="user", content="a"), ChatMessage(role="user", content="b")]
    question, history = split_messages(msgs)
    assert question == "b" and [t.question for t in history] == ["a"]
    assert strip_sources('text [1]\n\nSources:\n[1] t: "q"') == "text [1]"
    assert strip_sources("no sources") == "no sources"


def test_requests_without_a_user_message_or_key_are_refused(api: ApiEnv) -> None:
    none = api.post("/v1/chat/completions", json={"messages": [{"role": "system", "content": "x"}]})
    assert none.status_code == 422 and "user message" in none.json()["detail"]
    assert api.post("/v1/chat/completions", json={"messages": []}).status_code == 422
    assert api.client.post("/v1/chat/completions", json=_body()).status_code == 401
    long = api.post(
        "/v1/chat/completions", json={"messages": [{"role": "user", "content": "x" * 4001}]}
    )
    assert long.status_code == 422 and "4000" in long.json()["detail"]


def test_models_lists_complyqa(api: ApiEnv) -> None:
    body = api.get("/v1/models", as_="reader").json()
    assert body["object"] == "list"
    assert [m["id"] for m in body["data"]] == ["complyqa"]
    assert api.client.get("/v1/models").status_code == 401


def test_stream_states_the_verified_answer_when_verification_changed_it() -> None:
    """In LLM mode the streamed text is the model's draft; a dropped sentence is not unsaid."""
    from assistant.api.routes.openai import _chunks, _Reply
    from assistant.models import Answer, AnswerDelta, AnswerDone, Citation

    final = Answer(
        question="q",
        text="Supported. [1]",
        citations=[Citation(marker=1, doc_id="g/d", title="T", start=0, end=3, quote="abc")],
    )
    events = [
        AnswerDelta(text="Supported. [1] "),
        AnswerDelta(text="Invented."),
        AnswerDone(answer=final),
    ]
    reply = _Reply("id", 0, sources_block=True, include_usage=False, prompt_tokens=1)
    chunks = [e.data for e in _chunks(iter(events), reply, lambda c: "http://x/?passage=1")]
    assert chunks[-1] == "[DONE]"
    bodies = [json.loads(c) for c in chunks[:-1]]
    text = "".join(b["choices"][0]["delta"].get("content", "") for b in bodies if b["choices"])
    assert text.endswith('\n\nVerified answer:\nSupported. [1]\n\nSources:\n[1] T (corpus): "abc"')
