"""The relevance path through `ComplyQA`: reranked passages, answerability before any LLM,
and answers that lead with the sentence the scorer ranks first."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from assistant.answering.by_relevance import answer_by_relevance
from assistant.evidence.markers import ABSTENTION
from assistant.models import Passage
from assistant.relevance.model import load_model
from assistant.service import ComplyQA
from assistant.settings import AnswerSettings, RelevanceSettings, Settings
from tests.conftest import FakeEmbedder

LOGS = (
    "第二十一条 网络运营者应当履行下列安全保护义务:\n"
    "（一）制定内部安全管理制度和操作规程；\n"
    "（二）采取防范计算机病毒的技术措施；\n"
    "（三）采取监测、记录网络运行状态的技术措施，并按照规定留存相关的网络日志不少于六个月；\n"
)


def _passage(text: str, relevance: float, doc: str = "law.md") -> Passage:
    return Passage(
        chunk_id=f"{doc}::h::1", doc_id=doc, key="1", title="网络安全法", section="第二十一条",
        text=text, start=0, end=len(text), score=1.0, relevance=relevance,
    )  # fmt: skip


def test_the_best_scored_item_leads_and_padding_is_dropped() -> None:
    seen: list[str] = []

    def scorer(items: Sequence[tuple[Passage, str]]) -> list[float]:
        seen.extend(text for _, text in items)
        return [0.9 if "六个月" in text else 0.2 for _, text in items]

    answer = answer_by_relevance(
        "网络日志要保存多久？", [_passage(LOGS, 0.8)], AnswerSettings(), RelevanceSettings(), scorer
    )
    assert not answer.abstained
    assert "六个月" in answer.citations[0].quote and len(answer.citations) == 1
    # A list item is scored after the sentence that introduces it.
    assert any(t.startswith("第二十一条") and "（三）" in t for t in seen)
    assert answer.citations[0].quote == LOGS[answer.citations[0].start : answer.citations[0].end]


def test_nearly_as_good_sentences_join_the_lead() -> None:
    def scorer(items: Sequence[tuple[Passage, str]]) -> list[float]:
        return [0.9 if "六个月" in t else 0.8 if "病毒" in t else 0.1 for _, t in items]

    answer = answer_by_relevance(
        "义务？", [_passage(LOGS, 0.8)], AnswerSettings(), RelevanceSettings(), scorer
    )
    assert [("六个月" in c.quote, "病毒" in c.quote) for c in answer.citations] == [
        (True, False),
        (False, True),
    ]


def _qa(tmp_path: Path, *, profile: bool = False, **relevance: object) -> ComplyQA:
    """The model doing all three jobs (the settings' own defaults), or with `profile` the
    default profile's relevance settings."""
    corpus = tmp_path / "corpus" / "cn"
    corpus.mkdir(parents=True)
    (corpus / "网络安全法.md").write_text("# 网络安全法\n\n" + LOGS)
    (corpus / "export.md").write_text(
        "# Export rules\n\nYou may not export an item for a supercomputer end use in China.\n"
    )
    settings = Settings.load(
        data_dir=tmp_path / "data",
        relevance=relevance
        if profile
        else RelevanceSettings(**{"enabled": True, **relevance}).model_dump(),  # type: ignore[arg-type]
        llm={"base_url": "http://127.0.0.1:9/v1", "retries": 0, "timeout": 1},
    )
    qa = ComplyQA(settings, embedder=FakeEmbedder())  # type: ignore[arg-type]
    qa.ingest([tmp_path / "corpus"], root=tmp_path / "corpus")
    return qa


def test_search_and_ask_are_reranked_and_stamped(tmp_path: Path) -> None:
    qa = _qa(tmp_path, min_relevance=0.0)
    passages = qa.search("supercomputer export end use")
    assert passages and all(p.relevance is not None for p in passages)
    reranker, qa.search_engine.reranker = qa.search_engine.reranker, None
    fused = [p.chunk_id for p in qa.search("supercomputer export end use")]
    qa.search_engine.reranker = reranker
    prior = qa.settings.relevance.fused_prior
    blend = {
        p.chunk_id: (1 - prior) * (p.relevance or 0) + prior / (fused.index(p.chunk_id) + 1)
        for p in passages
    }
    assert [p.chunk_id for p in passages] == sorted(blend, key=lambda c: -blend[c])
    answer = qa.ask("May I export an item for a supercomputer in China?", mode="extractive")
    assert answer.relevance_model == load_model().version
    assert answer.evidence == max(p.relevance or 0 for p in answer.passages)


def test_the_default_profile_reranks_answers_but_not_search(tmp_path: Path) -> None:
    """Answers are drawn from the first `answer_depth` passages reranked; `search` keeps the
    fused order (fast at 65k chunks), which `rerank_depth = 0` says."""
    qa = _qa(tmp_path, profile=True)
    assert qa.settings.profile == "default"
    assert qa.settings.relevance.rerank_depth == 0
    assert all(p.relevance is None for p in qa.search("supercomputer export end use"))
    answer = qa.ask("May I export an item for a supercomputer in China?", mode="extractive")
    depth = qa.settings.relevance.answer_depth
    assert answer.relevance_model == load_model().version
    assert all(p.relevance is not None for p in answer.passages[:depth])


def test_no_llm_is_asked_when_nothing_answers(tmp_path: Path) -> None:
    # The LLM endpoint is a closed port: reaching it would raise LLMUnavailable.
    qa = _qa(tmp_path, min_relevance=0.99)
    answer = qa.ask("What fine applies to a data breach?", mode="llm")
    assert answer.abstained and answer.text == ABSTENTION and answer.mode == "llm"
    # Nor when the question names what no source holds (assistant/retrieval/absent.py).
    answer = qa.ask("What is the GDPR fine for a data breach?", mode="llm")
    assert answer.abstained and answer.text.startswith(ABSTENTION) and "GDPR" in answer.text


def test_no_llm_is_asked_for_an_amount_no_passage_states(tmp_path: Path) -> None:
    """The passages are on topic (export, supercomputer) but state no amount: the LLM (a
    closed port here) must not be asked to find one."""
    qa = _qa(tmp_path, enabled=False)
    answer = qa.ask("How much is the fine for a supercomputer export to China?", mode="llm")
    assert answer.abstained and answer.text == ABSTENTION and answer.mode == "llm"
    assert not answer.citations


def test_no_llm_is_asked_when_the_extractive_answer_would_abstain(tmp_path: Path) -> None:
    """The default profile (the model reranks, the lexical evidence decides): a question the
    passages barely touch abstains in LLM mode as in extractive mode, and the LLM (a closed
    port here) is never reached."""
    qa = _qa(tmp_path, profile=True)
    question = "Which lighthouse keepers must repaint the lamp housing every spring?"
    extractive = qa.ask(question, mode="extractive")
    assert extractive.abstained and extractive.evidence < qa.settings.answer.min_evidence
    answer = qa.ask(question, mode="llm")
    assert answer.abstained and answer.text == ABSTENTION and answer.mode == "llm"
    assert not answer.citations


def test_an_unsupported_llm_draft_falls_back_to_the_extractive_answer_of_the_same_question(
    tmp_path: Path,
) -> None:
    """The fallback answers the question as the service prepared it, over the passages the
    model was shown: the same answer extractive mode gives, follow-ups included."""
    from assistant.answering.llm import LLMAnswerer
    from assistant.models import Turn
    from tests.assistant.answering.fakes import RecordingChatModel

    qa = _qa(tmp_path, enabled=False)
    model = RecordingChatModel.replying(*["Lighthouses are painted blue every spring [1]."] * 4)
    qa._llm = LLMAnswerer(qa.settings, fallback=qa.extractive.answer, chat_model=model)
    question = "网络运营者留存网络日志需要多久？"
    answer = qa.ask(question, mode="llm")
    assert answer.mode == "llm" and model.calls
    assert answer.text == qa.ask(question, mode="extractive").text
    assert "六个月" in answer.citations[0].quote
    # A follow-up: prepared with the conversation, so the fallback sees the earlier subject.
    history = [Turn(question="网络运营者应当履行哪些安全保护义务？", answer="…")]
    follow_up = qa.ask("日志要留存多久？", mode="llm", history=history)
    assert follow_up.text == qa.ask("日志要留存多久？", mode="extractive", history=history).text
    assert not follow_up.abstained
