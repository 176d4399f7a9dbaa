"""Open WebUI 0.12.4's requests replayed against a real `complyqa serve` (issue 11, must
show): `/v1/models`, a streaming chat with `tools`, and the title, tags and follow-up
`### Task:` prompts after it, then the audit rows they left."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.api import openwebui_requests as owui
from tests.api.conftest import sse_events
from tests.api.live import LiveServer, live_server

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with live_server(tmp_path_factory.mktemp("owui")) as s:
        yield s


def _post(server: LiveServer, body: dict[str, Any]) -> httpx.Response:
    return httpx.post(
        f"{server.url}/v1/chat/completions", json=body, headers=server.auth("reader"), timeout=300
    )


def test_an_open_webui_session_replayed(server: LiveServer) -> None:
    since = httpx.get(f"{server.url}/v1/audit", headers=server.auth("admin")).json()
    first_new = (since[-1]["id"] if since else 0) + 1

    models = httpx.get(f"{server.url}/v1/models", headers=server.auth("reader")).json()
    assert [(m["id"], m["owned_by"]) for m in models["data"]] == [("complyqa", "complyqa")]

    chat = _post(server, owui.chat_request())
    assert chat.status_code == 200, chat.text
    chunks = [json.loads(d) for _, d in sse_events(chat.text) if d != "[DONE]"]
    sources = [c["event"]["data"] for c in chunks if c.get("event", {}).get("type") == "source"]
    stop = next(c for c in chunks if c["choices"] and c["choices"][0]["finish_reason"] == "stop")
    assert len(sources) == len(stop["citations"]) >= 1
    assert len({s["metadata"][0]["source"] for s in sources}) == len(sources)  # unique ids
    assert len({s["source"]["name"] for s in sources}) == len(sources)  # distinguishing names
    for s, c in zip(sources, stop["citations"], strict=True):
        assert s["document"] == [c["quote"]]
        # The link opens the quote for someone without a key.
        url = httpx.URL(s["source"]["url"])
        assert url.host == "127.0.0.1"
        shared = httpx.get(f"{server.url}/v1/shared-passage", params=url.params)
        assert shared.status_code == 200 and shared.json()["quote"] == c["quote"]
    assert chunks[-1]["usage"]["total_tokens"] > 0  # stream_options.include_usage
    content = "".join(c["choices"][0]["delta"].get("content", "") for c in chunks if c["choices"])

    history = [("user", owui.QUESTION), ("assistant", content)]
    replies = {}
    for name, body in [
        ("title", owui.title_request(history)),
        ("tags", owui.tags_request(history)),
        ("follow_ups", owui.follow_ups_request(history)),
    ]:
        response = _post(server, body)
        assert response.status_code == 200, response.text
        replies[name] = json.loads(response.json()["choices"][0]["message"]["content"])
    assert replies["title"]["title"].startswith("When is a license required")
    assert replies["tags"] == {"tags": []} and replies["follow_ups"] == {"follow_ups": []}

    rows = httpx.get(
        f"{server.url}/v1/audit",
        params={"after_id": first_new - 1, "limit": 1000},
        headers=server.auth("admin"),
    ).json()
    completions = [r for r in rows if r["endpoint"] == "/v1/chat/completions"]
    answered = [r for r in completions if r["question"]]
    tasks = [r for r in completions if (r["detail"] or "").startswith("Open WebUI background")]
    assert len(answered) == 1 and answered[0]["question"] == owui.QUESTION
    assert [c["doc_id"] for c in answered[0]["citations"]] == [
        c["doc_id"] for c in stop["citations"]
    ]
    assert len(tasks) == 3 and all(not r["answer_text"] for r in tasks)
    assert any(r["endpoint"] == "/v1/models" for r in rows)
    shared_rows = [r for r in rows if r["endpoint"] == "/v1/shared-passage"]
    assert len(shared_rows) == len(sources) and all(r["key_id"] is None for r in shared_rows)
