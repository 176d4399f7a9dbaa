"""`as_of` on /v1/search, /v1/ask and /v1/chat, and the status every citation carries."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.api.conftest import ApiEnv
from tests.conftest import CORPUS

CN_LAWS = Path(__file__).resolve().parents[4] / "shared" / "corpus-large" / "cn-laws"
SMALL = "司法解释/最高人民法院关于设立国际商事法庭若干问题的规定"
OLD, NEW = f"{SMALL}(2018-06-27).md", f"{SMALL}(2023-12-18).md"  # in force 2018-07-01, 2024-01-01
CSL = "cn-regulations/网络安全法(2016-11-07).md"
QUESTION = "国际商事法庭受理哪些案件？"


@pytest.fixture
def env(make_api: Callable[..., ApiEnv], monkeypatch: pytest.MonkeyPatch) -> ApiEnv:
    if not (CN_LAWS / OLD).is_file():
        pytest.skip("needs ../shared/corpus-large/cn-laws (not in this checkout)")
    monkeypatch.setenv("COMPLYQA_RELEVANCE__ENABLED", "false")  # which version answers is tested
    made = make_api()
    for rel in (OLD, NEW):
        (made.corpus / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(CN_LAWS / rel, made.corpus / rel)
    for name in (CSL, CSL + ".meta.json"):
        shutil.copy(CORPUS / name, made.corpus / name)
    report = made.qa.ingest([made.corpus], root=made.corpus)
    assert sorted(report.added) == sorted([OLD, NEW, CSL]), report
    return made


def test_search_as_of_returns_the_text_in_force_that_day(env: ApiEnv) -> None:
    today = env.get("/v1/search", as_="reader", params={"q": QUESTION, "group": "司法解释"})
    assert {p["doc_id"] for p in today.json()["passages"]} == {NEW}
    then = env.get(
        "/v1/search",
        as_="reader",
        params={"q": QUESTION, "group": "司法解释", "as_of": "2020-01-01"},
    )
    passages = then.json()["passages"]
    assert passages and {p["doc_id"] for p in passages} == {OLD}
    assert {(p["status"], p["effective_from"], p["effective_to"]) for p in passages} == {
        ("superseded", "2018-07-01", "2024-01-01")
    }


@pytest.mark.parametrize("endpoint", ["/v1/ask", "/v1/chat"])
def test_ask_and_chat_as_of_cite_the_older_text_with_its_status(env: ApiEnv, endpoint: str) -> None:
    body = {"question": QUESTION, "filters": {"groups": ["司法解释"]}}
    now = env.post(endpoint, as_="reader", json=body).json()
    now = now.get("answer", now)
    assert now["citations"] and {c["doc_id"] for c in now["citations"]} == {NEW}
    assert {c["status"] for c in now["citations"]} == {"in_force"}
    then = env.post(endpoint, as_="reader", json={**body, "as_of": "2020-01-01"}).json()
    then = then.get("answer", then)
    assert then["citations"] and {c["doc_id"] for c in then["citations"]} == {OLD}
    for c in then["citations"]:
        assert c["validity"] == "superseded · text in force 2018-07-01 to 2024-01-01"


def test_cybersecurity_law_citations_warn_that_the_amendment_is_missing(env: ApiEnv) -> None:
    answer = env.post(
        "/v1/ask", as_="reader", json={"question": "网络安全法第二十一条规定了什么？"}
    ).json()
    cited = [c for c in answer["citations"] if c["doc_id"] == CSL]
    assert cited
    assert {c["status"] for c in cited} == {"amended_not_in_corpus"}
    assert all("amended 2025-10-28, amendment not in corpus" in c["validity"] for c in cited)
    docs = {d["doc_id"]: d for d in env.get("/v1/documents", as_="reader").json()}
    assert docs[CSL]["status_note"] == "amended 2025-10-28, amendment not in corpus"


def test_a_malformed_as_of_is_refused(env: ApiEnv) -> None:
    assert (
        env.post(
            "/v1/ask", as_="reader", json={"question": QUESTION, "as_of": "2020-13-01"}
        ).status_code
        == 422
    )
    assert (
        env.get("/v1/search", as_="reader", params={"q": QUESTION, "as_of": "soon"}).status_code
        == 422
    )


def test_openai_compatible_sources_list_warns_for_a_text_not_in_force(env: ApiEnv) -> None:
    body = {
        "model": "complyqa",
        "messages": [{"role": "user", "content": "网络安全法第二十一条规定了什么？"}],
    }
    completion = env.post("/v1/chat/completions", as_="reader", json=body).json()
    content = completion["choices"][0]["message"]["content"]
    warning = (
        "[amended 2025-10-28, amendment not in corpus · text in force 2017-06-01 to 2026-01-01]"
    )
    assert "网络安全法" in content and warning in content
    assert all(c["current"] is False for c in completion["citations"] if c["doc_id"] == CSL)
    today = {
        "model": "complyqa",
        "messages": [{"role": "user", "content": QUESTION}],
        "filters": {"groups": ["司法解释"]},
    }
    completion = env.post("/v1/chat/completions", as_="reader", json=today).json()
    assert completion["citations"] and all(c["current"] is True for c in completion["citations"])
    assert "text in force" not in completion["choices"][0]["message"]["content"]
