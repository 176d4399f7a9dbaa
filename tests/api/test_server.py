"""`complyqa serve` as a real process, driven by the official `openai` client."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import openai
import pytest

from tests.api.live import LiveServer, live_server

pytestmark = pytest.mark.slow

QUESTION = "When is a license required to export advanced computing items for a supercomputer?"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with live_server(tmp_path_factory.mktemp("live")) as s:
        yield s


def _client(server: LiveServer, key: str) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{server.url}/v1", api_key=server.keys[key], max_retries=0)


def test_openai_client_gets_a_cited_answer(server: LiveServer) -> None:
    client = _client(server, "reader")
    assert [m.id for m in client.models.list()] == ["complyqa"]
    completion = client.chat.completions.create(
        model="complyqa", messages=[{"role": "user", "content": QUESTION}], temperature=0
    )
    content = completion.choices[0].message.content or ""
    answer, _, sources = content.partition("\n\nSources:\n")
    citations = (completion.model_extra or {})["citations"]
    # The live server gets its corpus through the upload API: ids are in the upload space.
    assert citations and any(c["doc_id"] == "us-ear/uploads/744.23.md" for c in citations)
    for c in citations:
        assert f"[{c['marker']}]" in answer and f"[{c['marker']}] " in sources
        doc = httpx.get(
            f"{server.url}/v1/documents/{c['doc_id']}", headers=server.auth("reader")
        ).json()
        assert doc["text"][c["start"] : c["end"]] == c["quote"]


def test_openai_client_streams_the_same_answer(server: LiveServer) -> None:
    client = _client(server, "reader")
    messages = [{"role": "user", "content": QUESTION}]
    plain = client.chat.completions.create(model="complyqa", messages=messages)  # type: ignore[arg-type]
    stream = client.chat.completions.create(model="complyqa", messages=messages, stream=True)  # type: ignore[arg-type]
    pieces: list[str] = []
    finish = None
    extra: dict[str, object] = {}
    for chunk in stream:
        if chunk.choices:
            pieces.append(chunk.choices[0].delta.content or "")
            finish = chunk.choices[0].finish_reason or finish
        extra.update(chunk.model_extra or {})
    assert "".join(pieces) == plain.choices[0].message.content
    assert finish == "stop"
    assert extra["citations"] == (plain.model_extra or {})["citations"]


def test_openai_client_follow_up_and_scope(server: LiveServer) -> None:
    client = _client(server, "cn_reader")
    completion = client.chat.completions.create(
        model="complyqa", messages=[{"role": "user", "content": QUESTION}]
    )
    citations = (completion.model_extra or {})["citations"]
    assert all(c["doc_id"].startswith("cn-regulations/") for c in citations)
    follow = client.chat.completions.create(
        model="complyqa",
        messages=[
            {"role": "user", "content": "出口经营者应当建立什么制度？"},
            {"role": "assistant", "content": completion.choices[0].message.content or ""},
            {"role": "user", "content": "国家对管制物项的出口实行什么制度？"},
        ],
    )
    assert all(
        c["doc_id"].startswith("cn-regulations/") for c in (follow.model_extra or {})["citations"]
    )


def test_openai_client_sees_auth_errors(server: LiveServer) -> None:
    bad = openai.OpenAI(base_url=f"{server.url}/v1", api_key="cqa_wrong", max_retries=0)
    with pytest.raises(openai.AuthenticationError):
        bad.chat.completions.create(model="complyqa", messages=[{"role": "user", "content": "x"}])


def test_server_answers_the_native_api_and_page(server: LiveServer, tmp_path: Path) -> None:
    ready = httpx.get(f"{server.url}/readyz").json()
    assert ready["status"] == "ready" and ready["documents"] == 4
    assert "<script" in httpx.get(server.url + "/").text
    with httpx.stream(
        "POST",
        f"{server.url}/v1/ask?stream=true",
        json={"question": QUESTION},
        headers=server.auth("reader"),
        timeout=120,
    ) as response:
        body = "".join(response.iter_text())
    assert "event: delta" in body and "event: answer" in body
