"""The pure parts of Open WebUI support: task prompts, chat history, names, sources read back."""

from __future__ import annotations

from assistant.api.openwebui import (
    TaskKind,
    chat_history,
    cited_doc_ids,
    quoted_sentences,
    source_events,
    source_name,
    task_of,
    task_reply,
    title_from,
)
from assistant.models import Citation
from tests.api import openwebui_requests as owui

HISTORY = [("user", "网络安全法第二十一条规定了什么？"), ("assistant", "第二十一条 国家实行…\n[1]")]


def _prompt(body: dict[str, object]) -> str:
    messages = body["messages"]
    assert isinstance(messages, list)
    return str(messages[-1]["content"])


def test_the_three_task_prompts_are_recognised_by_their_output_key() -> None:
    assert task_of(_prompt(owui.title_request(HISTORY))).kind is TaskKind.TITLE  # type: ignore[union-attr]
    assert task_of(_prompt(owui.tags_request(HISTORY))).kind is TaskKind.TAGS  # type: ignore[union-attr]
    assert task_of(_prompt(owui.follow_ups_request(HISTORY))).kind is TaskKind.FOLLOW_UPS  # type: ignore[union-attr]


def test_questions_are_not_tasks() -> None:
    assert task_of("What does Article 21 require? ### Task: none") is None
    assert task_of("Task: summarise the export control law") is None


def test_chat_history_keeps_multi_line_messages() -> None:
    prompt = _prompt(owui.tags_request(HISTORY))
    assert chat_history(prompt) == HISTORY


def test_title_is_the_first_question_shortened() -> None:
    task = task_of(_prompt(owui.title_request([("user", owui.QUESTION), ("assistant", "…")])))
    assert task is not None
    assert task_reply(task) == {"title": "When is a license required to export advanced…"}
    assert title_from("网络安全法第二十一条规定了什么？") == "网络安全法第二十一条规定了什么"
    assert title_from("字" * 80) == "字" * 25 + "…"
    assert task_reply(task_of(_prompt(owui.tags_request(HISTORY)))) == {"tags": []}  # type: ignore[arg-type]


def _citation(marker: int, title: str, section: str | None, start: int) -> Citation:
    return Citation(
        marker=marker, doc_id=f"g/{title}.md", title=title, section=section,
        start=start, end=start + 5, quote="quote",
    )  # fmt: skip


def test_source_names_are_short_and_distinct() -> None:
    law = "中华人民共和国网络安全法"
    long_title = "Chinese AI groups use cloud services to evade US chip export controls - FT"
    citations = [
        _citation(1, law, "第三章 网络运行安全 > 第一节 一般规定 > 第二十一条", 10),
        _citation(2, long_title, None, 10),
        _citation(3, long_title, None, 400),
    ]
    assert source_name(citations[0]) == "网络安全法 第二十一条"
    events = source_events(citations, lambda c: f"http://h/?passage={c.doc_id}&start={c.start}")
    names = [e["data"]["source"]["name"] for e in events]
    assert names[1] != names[2] and all(len(n) <= 52 for n in names)
    ids = [e["data"]["metadata"][0]["source"] for e in events]
    assert len(set(ids)) == 3 and all(not i.startswith("http") for i in ids)


def test_cited_documents_are_read_back_from_a_sources_list() -> None:
    titles = {"15 CFR 744.23": "us-ear/744.23.md", "15 CFR 744": "us-ear/744.md"}
    text = (
        "Answer [1] [2]\n\nSources:\n"
        '[1] 15 CFR 744.23 — § 744.23(a): "x"\n'
        '[2] 15 CFR 744 (2024-01-01): "y"\n'
        '[3] 15 CFR 744.23 — (b): "z"\n'
        '[4] Not indexed here: "w"'
    )
    assert cited_doc_ids(text, titles, "Sources:") == ["us-ear/744.23.md", "us-ear/744.md"]
    assert cited_doc_ids("Answer without sources", titles, "Sources:") == []


def test_quoted_sentences_of_an_extractive_answer() -> None:
    text = "第二十一条 国家实行网络安全等级保护制度，运营者应当履行安全保护义务。 [1]\nShort. [2]\n(a) A license is required to export advanced computing items. [3]"
    assert quoted_sentences(text) == [
        "第二十一条 国家实行网络安全等级保护制度，运营者应当履行安全保护义务。",
        "(a) A license is required to export advanced computing items.",
    ]
    assert quoted_sentences("An answer without markers that is long enough.") == []
