"""Follow-ups through the API over the real bundled corpus (issue 11, item 4): `/v1/chat`
remembers the conversation; `/v1/chat/completions` gets it back as text only."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from assistant.api import create_app
from assistant.service import ComplyQA
from assistant.settings import Settings
from tests.api.conftest import sse_events

pytestmark = pytest.mark.slow

SHENZHEN = "How much did Shenzhen University spend to access A100 and H100 chips via AWS?"
FOLLOW_UP = "Which company did it go through?"


@pytest.fixture(scope="module")
def client(corpus_qa: ComplyQA, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    data: Path = corpus_qa.settings.data_dir
    settings = Settings.load(data_dir=data, api={"auth": False, "rate_limit_per_minute": 1000})
    app = create_app(settings, qa=corpus_qa)
    with TestClient(app, base_url="http://127.0.0.1") as c:
        yield c


def _yunda(answer: dict[str, Any]) -> dict[str, Any]:
    assert not answer["abstained"], answer["text"]
    cited = [c for c in answer["citations"] if "Yunda Technology" in c["quote"]]
    assert cited, answer["text"]
    assert f"[{cited[0]['marker']}]" in answer["text"]
    assert all("free sample" not in c["quote"] for c in answer["citations"])
    return cited[0]


def test_chat_conversation(client: TestClient) -> None:
    first = client.post("/v1/chat", json={"question": SHENZHEN}).json()
    assert "27,996" in first["answer"]["text"]
    follow = client.post(
        "/v1/chat", json={"question": FOLLOW_UP, "conversation_id": first["conversation_id"]}
    )
    assert follow.status_code == 200, follow.text
    _yunda(follow.json()["answer"])


@pytest.mark.parametrize("sources_block", [True, False], ids=["with-sources", "without"])
def test_chat_completions_with_the_history_sent_back_as_text(
    client: TestClient, sources_block: bool
) -> None:
    messages: list[dict[str, str]] = [{"role": "user", "content": SHENZHEN}]
    first = client.post(
        "/v1/chat/completions",
        json={"model": "complyqa", "messages": messages, "sources_block": sources_block},
    )
    messages += [
        {"role": "assistant", "content": first.json()["choices"][0]["message"]["content"]},
        {"role": "user", "content": FOLLOW_UP},
    ]
    response = client.post(
        "/v1/chat/completions", json={"model": "complyqa", "messages": messages, "stream": True}
    )
    assert response.status_code == 200
    chunks = [json.loads(d) for _, d in sse_events(response.text) if d != "[DONE]"]
    stop = next(c for c in chunks if c["choices"] and c["choices"][0]["finish_reason"])
    text = "".join(c["choices"][0]["delta"].get("content", "") for c in chunks if c["choices"])
    cited = _yunda({"abstained": stop["abstained"], "citations": stop["citations"], "text": text})
    sources = [c["event"]["data"] for c in chunks if "event" in c]
    assert any(s["document"] == [cited["quote"]] for s in sources)
