"""Open WebUI on `/v1/chat/completions`: source events, citation links, background tasks,
usage, a stable model card (issue 11, items 1, 2 and 6)."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

from assistant.api.routes.openai import MODEL_CREATED
from tests.api import openwebui_requests as owui
from tests.api.conftest import ApiEnv, doc_text, sse_events

CONVERSATION = [
    ("user", owui.QUESTION),
    ("assistant", "(a) A license is required to export … [1]"),
]


def _stream(env: ApiEnv, body: dict[str, Any], as_: str = "reader") -> list[dict[str, Any]]:
    response = env.post("/v1/chat/completions", as_=as_, json=body)
    assert response.status_code == 200, response.text
    events = sse_events(response.text)
    assert events[-1][1] == "[DONE]"
    return [json.loads(data) for _, data in events[:-1]]


def _sources(chunks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [c["event"]["data"] for c in chunks if c.get("event", {}).get("type") == "source"]


def _content(chunks: list[dict[str, Any]]) -> str:
    return "".join(c["choices"][0]["delta"].get("content", "") for c in chunks if c["choices"])


def test_one_source_event_per_citation_with_own_id_name_and_quote(api: ApiEnv) -> None:
    chunks = _stream(api, owui.chat_request())
    final = next(c for c in chunks if c["choices"] and c["choices"][0]["finish_reason"])
    citations = final["citations"]
    sources = _sources(chunks)
    assert citations and len(sources) == len(citations)
    ids = [s["metadata"][0]["source"] for s in sources]
    assert len(set(ids)) == len(ids) == len({s["source"]["id"] for s in sources})
    names = [s["source"]["name"] for s in sources]
    assert len(set(names)) == len(names)
    for c, s in zip(citations, sources, strict=True):
        assert s["document"] == [c["quote"]]
        assert doc_text(api, c["doc_id"])[c["start"] : c["end"]] == c["quote"]
        meta = s["metadata"][0]
        assert (meta["doc_id"], meta["start"], meta["end"]) == (c["doc_id"], c["start"], c["end"])
        assert (meta["status"], meta["validity"]) == (c["status"], c["validity"])
        assert meta["name"] == s["source"]["name"] and len(meta["name"]) <= 48
        assert meta["source_url"] == s["source"]["url"]


def test_citation_link_opens_the_quote_without_a_key(api: ApiEnv) -> None:
    chunks = _stream(api, owui.chat_request())
    source = _sources(chunks)[0]
    meta = source["metadata"][0]
    url = urlsplit(source["source"]["url"])
    assert url.path == "/" and url.scheme == "http"
    params = {k: v[0] for k, v in parse_qs(url.query).items()}
    assert params["passage"] == meta["doc_id"]
    # The page asks this endpoint, with no Authorization header.
    shared = api.client.get("/v1/shared-passage", params=params)
    assert shared.status_code == 200, shared.text
    body = shared.json()
    assert body["quote"] == source["document"][0]
    text = doc_text(api, meta["doc_id"])
    assert text[body["start"] - len(body["before"]) : body["end"] + len(body["after"])] == (
        body["before"] + body["quote"] + body["after"]
    )
    # The signature covers the span: another span, or a forged signature, is refused.
    wider = {**params, "end": str(int(params["end"]) + 50)}
    assert api.client.get("/v1/shared-passage", params=wider).status_code == 403
    forged = {**params, "sig": "A" * len(params["sig"])}
    assert api.client.get("/v1/shared-passage", params=forged).status_code == 403
    other = {**params, "passage": "seeds/cloud-briefing.txt"}
    assert api.client.get("/v1/shared-passage", params=other).status_code == 403


def test_expired_link_is_gone(make_api: Any) -> None:
    env = make_api(citation_link_hours=1)
    from assistant.api.citation_links import PassageLink, link_secret, sign

    link = PassageLink("us-ear/744.23.md", 0, 10, expires=1_000)
    params = {"passage": link.doc_id, "start": 0, "end": 10, "expires": 1_000}
    params["sig"] = sign(link, link_secret(env.settings.data_dir))
    response = env.client.get("/v1/shared-passage", params=params)
    assert response.status_code == 410 and "expired" in response.json()["detail"]


def test_sources_block_is_optional(make_api: Any) -> None:
    env = make_api(sources_block=False)
    body = owui.chat_request()
    assert "\nSources:\n" not in _content(_stream(env, body))
    assert "\nSources:\n" in _content(_stream(env, {**body, "sources_block": True}))
    plain = env.post("/v1/chat/completions", json={**body, "stream": False}).json()
    assert "Sources:" not in plain["choices"][0]["message"]["content"] and plain["citations"]


def test_usage_in_the_last_chunk_when_asked(api: ApiEnv) -> None:
    chunks = _stream(api, owui.chat_request())
    assert chunks[-1]["choices"] == [] and chunks[-1]["usage"]["total_tokens"] > 0
    usage = chunks[-1]["usage"]
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]
    assert all("usage" not in c for c in chunks[:-1])
    without = _stream(api, {**owui.chat_request(), "stream_options": None})
    assert all("usage" not in c for c in without)


def test_model_card_is_stable(api: ApiEnv, make_api: Any) -> None:
    first = api.get("/v1/models", as_="reader").json()["data"]
    again = make_api().get("/v1/models", as_="reader").json()["data"]
    assert (
        first
        == again
        == [{"id": "complyqa", "object": "model", "created": MODEL_CREATED, "owned_by": "complyqa"}]
    )


def test_background_tasks_get_json_without_answers_or_rate_limit(make_api: Any) -> None:
    env = make_api(rate_limit_per_minute=3)
    replies = {}
    for name, body in [
        ("title", owui.title_request(CONVERSATION)),
        ("tags", owui.tags_request(CONVERSATION)),
        ("follow_ups", owui.follow_ups_request(CONVERSATION)),
    ] * 2:
        response = env.post("/v1/chat/completions", as_="reader", json=body)
        assert response.status_code == 200, response.text
        reply = response.json()
        assert reply["citations"] == [] and reply["abstained"] is False
        replies[name] = json.loads(reply["choices"][0]["message"]["content"])
    assert replies == {
        "title": {"title": "When is a license required to export advanced…"},
        "tags": {"tags": []},
        "follow_ups": {"follow_ups": []},
    }
    # Six task requests took no tokens: three questions still fit in the limit of three.
    for _ in range(3):
        assert (
            env.post("/v1/chat/completions", as_="reader", json=owui.chat_request()).status_code
            == 200
        )
    assert (
        env.post("/v1/chat/completions", as_="reader", json=owui.chat_request()).status_code == 429
    )
    rows = [e for e in env.state.audit.entries() if e.endpoint == "/v1/chat/completions"]
    tasks = [e for e in rows if e.detail and "background task" in e.detail]
    assert len(tasks) == 6
    assert all(not e.question and not e.answer_text and not e.citations for e in tasks)
    answers = [e for e in rows if e.question == owui.QUESTION]
    assert len(answers) == 3 and all(e.answer_text for e in answers)


def test_earlier_sources_give_the_follow_up_its_documents(api: ApiEnv, monkeypatch: Any) -> None:
    seen: list[Any] = []
    real = api.qa.stream_ask

    def stream_ask(question: str, **kwargs: Any) -> Any:
        seen.append(kwargs["history"])
        return real(question, **kwargs)

    monkeypatch.setattr(api.qa, "stream_ask", stream_ask)
    earlier = [
        {"role": "user", "content": owui.QUESTION},
        {
            "role": "assistant",
            "content": "(a) A license is required … [1]\n\nSources:\n"
            "[1] 15 CFR 744.23 Supercomputer and semiconductor manufacturing end use — "
            '§ 744.23(a): "(a) A license is required …"\n'
            '[2] Unknown title: "x"',
        },
    ]
    _stream(api, owui.chat_request("And how are applications reviewed?", earlier), as_="reader")
    assert [t.doc_ids for t in seen[0]] == [["us-ear/744.23.md"]]
    # A scoped key cannot learn ids of documents outside its scope this way.
    seen.clear()
    _stream(api, owui.chat_request("And how are applications reviewed?", earlier), as_="cn_reader")
    assert [t.doc_ids for t in seen[0]] == [[]]


def test_an_answer_sent_back_without_sources_is_found_by_its_quotes(
    api: ApiEnv, monkeypatch: Any
) -> None:
    seen: list[Any] = []
    real = api.qa.stream_ask

    def stream_ask(question: str, **kwargs: Any) -> Any:
        seen.append(kwargs["history"])
        return real(question, **kwargs)

    monkeypatch.setattr(api.qa, "stream_ask", stream_ask)
    quote = (
        "(a) A license is required to export, reexport or transfer advanced computing items "
        "when you know the items will be used for the development or production of a "
        "supercomputer located in China."
    )
    earlier = [
        {"role": "user", "content": owui.QUESTION},
        {"role": "assistant", "content": f"{quote} [1]"},
    ]
    follow = owui.chat_request("And how are applications reviewed?", earlier)
    _stream(api, follow, as_="reader")
    assert [t.doc_ids for t in seen[-1]] == [["us-ear/744.23.md"]]
    _stream(api, follow, as_="cn_reader")  # outside its scope: nothing to find
    assert [t.doc_ids for t in seen[-1]] == [[]]
    paraphrase = [earlier[0], {"role": "assistant", "content": "You need a licence. [1]"}]
    _stream(api, owui.chat_request("And how?", paraphrase), as_="reader")
    assert [t.doc_ids for t in seen[-1]] == [[]]
