"""The answerers: one protocol for both modes, so the service has one answering path.

The service prepares the question, retrieves, reranks and decides answerability once; an
`Answerer` only writes the reply from the passages it is handed. The extractive answerer
lifts cited sentences; the LLM answerer (`assistant.answering.llm`) drafts, verifies and falls
back to the extractive answerer over the same prepared question.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Protocol

from assistant.answering.by_relevance import answer_by_relevance, term_coverage
from assistant.answering.extractive import Idf, QuestionTerms, answer_extractively
from assistant.models import Answer, AnswerDelta, AnswerDone, AnswerEvent, Passage
from assistant.relevance.rerank import Reranker
from assistant.retrieval.query import PreparedQuery
from assistant.settings import AnswerSettings, RelevanceSettings

__all__ = ["Answerer", "ExtractiveAnswerer", "final_answer"]


class Answerer(Protocol):
    """Writes the reply to a prepared question from passages already judged to answer it."""

    mode: str

    def stream(self, prepared: PreparedQuery, passages: Sequence[Passage]) -> Iterator[AnswerEvent]:
        """Text deltas as they are produced, then the final `Answer` (`AnswerDone`)."""
        ...


class ExtractiveAnswerer:
    """Answers with the passages' own sentences, each cited (`assistant.answering.extractive`).

    Built once per service: it holds what every question reads the same way (the corpus'
    term rarity, the relevance model when the profile lets it choose sentences).
    """

    mode = "extractive"

    def __init__(
        self,
        answer: AnswerSettings,
        relevance: RelevanceSettings | None = None,
        *,
        idf: Idf | None = None,
        reranker: Reranker | None = None,
        dense_reliable: Callable[[str], bool] = lambda language: True,
    ) -> None:
        self.settings = answer
        self.relevance = relevance
        self.idf = idf
        # Only a profile that lets the model choose sentences hands it over.
        self.reranker = reranker if relevance is not None and relevance.select_sentences else None
        self.dense_reliable = dense_reliable

    def stream(self, prepared: PreparedQuery, passages: Sequence[Passage]) -> Iterator[AnswerEvent]:
        answer = self.answer(prepared, passages)
        yield AnswerDelta(text=answer.text)
        yield AnswerDone(answer=answer)

    def answer(self, prepared: PreparedQuery, passages: Sequence[Passage]) -> Answer:
        """The cited answer, or the abstention when the passages do not answer."""
        if self.reranker is not None and self.relevance is not None:
            reranker = self.reranker
            return answer_by_relevance(
                prepared.question,
                passages,
                self.settings,
                self.relevance,
                lambda items: reranker.score_in_context(prepared.standalone, items).tolist(),
                term_coverage(prepared.answer_terms, prepared.alternate, self.idf),
            )
        return answer_extractively(
            prepared.question,
            passages,
            self.settings,
            self._terms(prepared),
            dense_reliable=self.dense_reliable(prepared.language),
        )

    def nothing_answers(self, prepared: PreparedQuery, passages: Sequence[Passage]) -> bool:
        """This answerer would abstain: the evidence is below `min_evidence`, or the question
        asks for a value no candidate sentence states. Asked before another answerer, such as
        an LLM, writes: the decision that nothing answers is one rule for both modes, and no
        model is asked to write from passages that do not answer."""
        return self.answer(prepared, passages).abstained

    def _terms(self, prepared: PreparedQuery) -> QuestionTerms:
        """What the extractive rules look for in sentences, for the answer and the gate before
        an LLM alike: the terms, their other-language reading, the named-law focus."""
        focus = (prepared.focus_terms, prepared.focus_alternate or None)
        return QuestionTerms(
            query=prepared.answer_terms,
            alternate=prepared.alternate,
            focus=focus if prepared.focus_terms else None,
            idf=self.idf,
            named=frozenset(prepared.named),
        )


def final_answer(events: Iterable[AnswerEvent]) -> Answer:
    """The `Answer` that ends a stream of answer events."""
    answer: Answer | None = None
    for event in events:
        if isinstance(event, AnswerDone):
            answer = event.answer
    if answer is None:
        raise RuntimeError("an answer stream ended without its AnswerDone event")
    return answer
