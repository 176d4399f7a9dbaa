"""`GET /v1/search`: ranked passages from the groups a key may see."""

from __future__ import annotations

from tests.api.conftest import ApiEnv, doc_text


def test_search_ranks_passages_best_first(api: ApiEnv) -> None:
    response = api.get("/v1/search", as_="reader", params={"q": "supercomputer license", "k": 3})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["query"] == "supercomputer license"
    passages = body["passages"]
    assert 0 < len(passages) <= 3
    assert passages[0]["doc_id"] == "us-ear/744.23.md"
    scores = [p["score"] for p in passages]
    assert scores == sorted(scores, reverse=True)
    for p in passages:
        assert doc_text(api, p["doc_id"])[p["start"] : p["end"]] == p["text"]


def test_search_filters_by_group_and_language(api: ApiEnv) -> None:
    passages = api.get("/v1/search", params={"q": "export", "group": ["seeds"]}).json()["passages"]
    assert passages and {p["group"] for p in passages} == {"seeds"}
    zh = api.get("/v1/search", params={"q": "数据 安全", "language": "zh"}).json()["passages"]
    assert zh and {p["language"] for p in zh} == {"zh"}


def test_search_rejects_empty_and_over_long_queries(api: ApiEnv) -> None:
    assert api.get("/v1/search", params={"q": ""}).status_code == 422
    assert api.get("/v1/search", params={"q": "  "}).status_code == 422
    long = api.get("/v1/search", params={"q": "x" * 4001})
    assert long.status_code == 422 and "4000" in long.json()["detail"]
    assert api.get("/v1/search", params={"q": "x", "k": 1000}).status_code == 422
    assert api.client.get("/v1/search", params={"q": "export"}).status_code == 401
