"""`GET /v1/audit`: every answer is on record, with the key id and never the key."""

from __future__ import annotations

from tests.api.conftest import ApiEnv


def test_answers_are_audited_with_citations_and_provenance(api: ApiEnv) -> None:
    question = "What does the Data Security Law say about classification of data?"
    answer = api.post("/v1/ask", as_="us_reader", json={"question": question}).json()
    entries = api.get("/v1/audit", params={"limit": 10_000}).json()
    entry = next(e for e in reversed(entries) if e["question"] == question)
    assert entry["key_id"] == api.key_ids["us_reader"]
    assert entry["endpoint"] == "/v1/ask" and entry["status"] == 200
    assert entry["answer_text"] == answer["text"]
    assert entry["abstained"] == answer["abstained"]
    assert entry["corpus_fingerprint"] == answer["corpus_fingerprint"]
    assert entry["profile"] == "default" and entry["latency_ms"] > 0
    assert [(c["doc_id"], c["start"], c["end"]) for c in entry["citations"]] == [
        (c["doc_id"], c["start"], c["end"]) for c in answer["citations"]
    ]
    assert all(secret not in str(entries) for secret in api.keys.values())


def test_failed_answers_are_audited_too(api: ApiEnv) -> None:
    api.post("/v1/ask", json={"question": "q", "mode": "telepathy"})
    last = api.get("/v1/audit", params={"limit": 10_000}).json()[-1]
    assert last["status"] == 422 and "telepathy" in last["detail"]


def test_since_and_paging(api: ApiEnv) -> None:
    api.post("/v1/ask", json={"question": "export licence"})
    assert api.get("/v1/audit", params={"since": "2999-01-01"}).json() == []
    everything = api.get("/v1/audit", params={"since": "2000-01-01", "limit": 10_000}).json()
    assert everything
    first_id = everything[0]["id"]
    page = api.get("/v1/audit", params={"after_id": first_id, "limit": 1}).json()
    assert len(page) == 1 and page[0]["id"] > first_id
    assert api.get("/v1/audit", params={"since": "yesterday"}).status_code == 422


def test_only_unscoped_admins_read_the_audit_log(api: ApiEnv) -> None:
    for who in ("reader", "editor", "cn_admin"):
        assert api.get("/v1/audit", as_=who).status_code == 403
