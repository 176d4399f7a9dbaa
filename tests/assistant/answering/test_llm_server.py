"""LLM mode against a real OpenAI-compatible server (llama.cpp + Gemma 3 270M).

The 270M model is weak: it paraphrases, skips markers and mixes sources, so verification is
expected to remove sentences and to fall back to the extractive answerer. The test asserts
what must hold whatever the model writes: every citation shown is valid and verified, and the
verification counts add up. It logs how much the verifier caught.
"""

from __future__ import annotations

import logging
import re
from functools import cache
from pathlib import Path

import pytest

from assistant.answering.llm import LLMAnswerer
from assistant.evidence.verify import LexicalVerifier
from assistant.models import Answer, AnswerDelta, AnswerDone, Passage
from assistant.retrieval.query import prepare_query
from assistant.settings import Settings
from tests.assistant.answering.conftest import MODEL_ALIAS

pytestmark = [pytest.mark.llm, pytest.mark.slow]
log = logging.getLogger(__name__)

CORPUS = Path(__file__).resolve().parents[3] / "corpus"


@cache
def file_text(doc_id: str) -> str:
    return (CORPUS / doc_id).read_text(encoding="utf-8")


def corpus_passage(doc_id: str, first: str, last: str, section: str | None = None) -> Passage:
    """The file text from `first` through `last`, with its real offsets into the file."""
    text = file_text(doc_id)
    start = text.index(first)
    end = text.index(last, start) + len(last)
    return Passage(
        chunk_id=f"{doc_id}::{start}",
        doc_id=doc_id,
        title=Path(doc_id).stem,
        section=section,
        text=text[start:end],
        start=start,
        end=end,
        score=1.0,
    )


PASSAGES = [
    corpus_passage(
        "seeds/000_86c7fe4535ba33b1.txt",
        "Operational licences. In China",
        "(platform as a service/software as a service) models.",
    ),
    corpus_passage(
        "seeds/001_8dd267ff076195d5.txt",
        "A review by Reuters",
        "via AWS for an undisclosed project.",
    ),
    corpus_passage(
        "cn-regulations/数据安全法(2021-06-10).md",
        "第四十五条 开展数据处理活动",
        "处五万元以上二十万元以下罚款。",
        section="第六章 法律责任 > 第四十五条",
    ),
    corpus_passage(
        "us-ear/section-744.23.md",
        "(1) *“Supercomputers”*",
        "5A002, 5A004, or 5A992.",
        section="§ 744.23(a)(1)",
    ),
]
QUESTIONS = [
    "Which permit does a provider in China need to offer IaaS computing power services?",
    "How much did Shenzhen University spend to access NVIDIA A100 and H100 chips?",
    "开展数据处理活动的组织不履行数据安全保护义务的，可以并处多少罚款？",
    "Which ECCNs are in the item scope for integrated circuits in the supercomputer end use control?",
]


@pytest.fixture(scope="module")
def answerer(llm_server: str) -> LLMAnswerer:
    settings = Settings.load(
        "default",
        llm={"base_url": llm_server, "model": MODEL_ALIAS, "max_tokens": 160, "timeout": 120},
    )
    return LLMAnswerer(settings)


def check(answer: Answer) -> None:
    """What must hold for any model: valid, verified citations and consistent counts."""
    assert answer.mode == "llm" and answer.model_id == MODEL_ALIAS and answer.prompt_version
    counts = answer.verification
    assert counts["supported"] + counts["unsupported_before"] == counts["sentences"]
    assert counts["removed"] + counts["marked"] == counts["unsupported_before"]
    assert len(answer.unverified) == counts["unsupported_before"]
    assert all(u.reason for u in answer.unverified)
    if answer.abstained:
        assert answer.citations == []
        return
    by_chunk = {p.chunk_id: p for p in PASSAGES}
    shown = {int(n) for n in re.findall(r"\[(\d+)\]", answer.text)}
    assert shown == {c.marker for c in answer.citations}
    for c in answer.citations:
        assert file_text(c.doc_id)[c.start : c.end] == c.quote
        assert c.chunk_id in by_chunk
    if counts.get("fallback"):
        return  # extractive text: quotes of the passages themselves
    # Every sentence shown is supported by the passage its citation points at.
    markers = {c.marker: c for c in answer.citations}
    verifier = LexicalVerifier()
    for line in re.split(r"(?<=[.。])\s+", answer.text):
        cited = [markers[int(n)] for n in re.findall(r"\[(\d+)\]", line)]
        assert cited, f"sentence without citation shown: {line!r}"
        claim = re.sub(r"\s*\[\d+\]", "", line)
        evidence = [by_chunk[c.chunk_id] for c in cited if c.chunk_id]
        assert verifier.verify(claim, evidence).supported, line


def summarize(answers: list[Answer]) -> dict[str, int]:
    total: dict[str, int] = {}
    for answer in answers:
        for key, value in answer.verification.items():
            total[key] = total.get(key, 0) + value
        total["abstained"] = total.get("abstained", 0) + int(answer.abstained)
        total["citations"] = total.get("citations", 0) + len(answer.citations)
    return total


def test_answers_end_to_end(answerer: LLMAnswerer, record_property) -> None:  # noqa: ANN001
    answers = [answerer.answer(prepare_query(q), PASSAGES) for q in QUESTIONS]
    for answer in answers:
        log.info("Q: %s\nA: %s\nunverified: %s", answer.question, answer.text, answer.unverified)
        check(answer)
        assert answer.timings.answer_ms > 0
    total = summarize(answers)
    record_property("verification", total)
    log.info("verification over %d questions: %s", len(answers), total)
    assert total["sentences"] > 0  # the model said something that was checked


def test_streaming_end_to_end(answerer: LLMAnswerer, record_property) -> None:  # noqa: ANN001
    finals: list[Answer] = []
    for question in QUESTIONS:
        events = list(answerer.stream(prepare_query(question), PASSAGES))
        deltas, done = events[:-1], events[-1]
        assert isinstance(done, AnswerDone)
        assert deltas and all(isinstance(e, AnswerDelta) for e in deltas)
        check(done.answer)
        finals.append(done.answer)
    total = summarize(finals)
    record_property("verification_streamed", total)
    log.info("streamed verification over %d questions: %s", len(finals), total)
