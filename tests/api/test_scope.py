"""Scope isolation: a key scoped to some document groups never receives a passage, document or
citation from another group, on any endpoint (search, ask, chat, documents, chat/completions).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from assistant.models import Answer, Passage
from tests.api.conftest import ApiEnv, sse_events
from tests.api.corpus import FILES

# Each question's best sources are in one group; asked by keys scoped to the others.
QUESTIONS = [
    "When is a license required to export advanced computing items for a supercomputer?",
    "Which permit does a provider need to offer IaaS computing power services in China?",
    "国家建立什么数据保护制度？",
    "出口经营者应当建立什么制度？",
    "export license review presumption of denial",
]
SCOPED = {"cn_reader": {"cn-regulations"}, "us_reader": {"us-ear"}}


def _group(doc_id: str) -> str:
    return doc_id.split("/", 1)[0]


def _answer_groups(answer: dict[str, Any]) -> set[str]:
    return {_group(c["doc_id"]) for c in answer["citations"]} | {
        _group(p["doc_id"]) for p in answer["passages"]
    }


def _other_texts(scope: set[str]) -> list[str]:
    """Distinctive lines of the documents outside `scope`, which must never be returned."""
    return [
        line.strip()
        for doc_id, text in FILES.items()
        if _group(doc_id) not in scope
        for line in text.splitlines()
        if len(line.strip()) > 30
    ]


@pytest.mark.parametrize("who", sorted(SCOPED))
def test_search_stays_in_scope(api: ApiEnv, who: str) -> None:
    for q in QUESTIONS:
        passages = api.get("/v1/search", as_=who, params={"q": q, "k": 20}).json()["passages"]
        assert {_group(p["doc_id"]) for p in passages} <= SCOPED[who], q


@pytest.mark.parametrize("who", sorted(SCOPED))
def test_ask_and_stream_stay_in_scope(api: ApiEnv, who: str) -> None:
    for q in QUESTIONS:
        answer = api.post("/v1/ask", as_=who, json={"question": q, "k": 20}).json()
        assert _answer_groups(answer) <= SCOPED[who], q
        events = sse_events(api.post("/v1/ask?stream=true", as_=who, json={"question": q}).text)
        assert _answer_groups(json.loads(events[-1][1])) <= SCOPED[who], q
        for line in _other_texts(SCOPED[who]):
            assert line not in answer["text"]


@pytest.mark.parametrize("who", sorted(SCOPED))
def test_chat_stays_in_scope_across_turns(api: ApiEnv, who: str) -> None:
    conversation_id = None
    for q in QUESTIONS:
        body = {"question": q, "conversation_id": conversation_id}
        response = api.post("/v1/chat", as_=who, json=body).json()
        conversation_id = response["conversation_id"]
        assert _answer_groups(response["answer"]) <= SCOPED[who], q


@pytest.mark.parametrize("who", sorted(SCOPED))
def test_chat_completions_stay_in_scope(api: ApiEnv, who: str) -> None:
    for q in QUESTIONS:
        body = {"model": "complyqa", "messages": [{"role": "user", "content": q}]}
        plain = api.post("/v1/chat/completions", as_=who, json=body).json()
        assert {_group(c["doc_id"]) for c in plain["citations"]} <= SCOPED[who]
        content = plain["choices"][0]["message"]["content"]
        streamed = api.post("/v1/chat/completions", as_=who, json={**body, "stream": True}).text
        for line in _other_texts(SCOPED[who]):
            assert line not in content and json.dumps(line)[1:-1] not in streamed


@pytest.mark.parametrize("who", sorted(SCOPED))
def test_documents_stay_in_scope(api: ApiEnv, who: str) -> None:
    docs = api.get("/v1/documents", as_=who).json()
    assert docs and {d["group"] for d in docs} == SCOPED[who]
    for doc_id in FILES:
        response = api.get(f"/v1/documents/{doc_id}", as_=who)
        if _group(doc_id) in SCOPED[who]:
            assert response.status_code == 200
        else:
            assert response.status_code == 403
            assert response.headers["content-type"] == "application/problem+json"
    # Unknown documents of other groups look exactly like known ones: no existence leak.
    assert api.get("/v1/documents/seeds/no-such.txt", as_=who).status_code == 403


def test_asking_for_groups_outside_the_scope_is_403(api: ApiEnv) -> None:
    body = {"question": QUESTIONS[0], "filters": {"groups": ["us-ear"]}}
    assert api.post("/v1/ask", as_="cn_reader", json=body).status_code == 403
    search = api.get("/v1/search", as_="cn_reader", params={"q": "license", "group": "us-ear"})
    assert search.status_code == 403
    listed = api.get("/v1/documents", as_="cn_reader", params={"group": "seeds"})
    assert listed.status_code == 403
    # Filters inside the scope still narrow.
    inside = {"question": "制度", "filters": {"groups": ["cn-regulations"]}}
    assert api.post("/v1/ask", as_="cn_reader", json=inside).status_code == 200


def test_doc_id_filters_cannot_reach_outside_the_scope(api: ApiEnv) -> None:
    body = {"question": QUESTIONS[0], "filters": {"doc_ids": ["us-ear/744.23.md"]}}
    answer = api.post("/v1/ask", as_="cn_reader", json=body).json()
    assert _answer_groups(answer) <= {"cn-regulations"}
    search = api.get(
        "/v1/search", as_="cn_reader", params={"q": "license", "doc_id": "us-ear/744.23.md"}
    ).json()
    assert search["passages"] == []


def test_scoped_editors_upload_and_delete_only_in_scope(make_api: Any) -> None:
    env = make_api()
    files = [("files", ("memo.txt", b"An internal memo about export screening of customers."))]
    denied = env.post("/v1/documents", as_="seeds_editor", files=files, data={"group": "uploads"})
    assert denied.status_code == 403
    allowed = env.post("/v1/documents", as_="seeds_editor", files=files, data={"group": "seeds"})
    assert allowed.status_code == 200 and allowed.json()["added"] == ["seeds/uploads/memo.txt"]
    assert env.delete("/v1/documents/us-ear/744.23.md", as_="seeds_editor").status_code == 403
    assert env.delete("/v1/documents/seeds/uploads/memo.txt", as_="seeds_editor").status_code == 200


def test_a_leak_from_the_index_fails_closed(api: ApiEnv, monkeypatch: pytest.MonkeyPatch) -> None:
    """If the index filter ever let another group through, the API errs instead of leaking."""
    leaked = Passage(
        chunk_id="x", doc_id="us-ear/744.23.md", title="t", text="secret", start=0, end=6, score=1
    )

    def ask(question: str, **kwargs: Any) -> Answer:
        return Answer(question=question, text="secret [1]", passages=[leaked])

    monkeypatch.setattr(api.qa, "ask", ask)
    response = api.post("/v1/ask", as_="cn_reader", json={"question": "anything"})
    assert response.status_code == 500 and "secret" not in response.text
