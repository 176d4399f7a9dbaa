"""The `rerank` profile's answer selection: the relevance model scores each sentence in context.

Opt-in (`[relevance] select_sentences`): measured on the dev set, the lexical choice of
`assistant.answering.extractive` over reranked passages beats it (docs/benchmarks.md), so
the default path never comes here. Sentences, citations and the answer budget are
extractive's own.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from assistant.answering.content import is_content
from assistant.answering.extractive import (
    LIST_ITEM,
    Candidate,
    Idf,
    best_coverage,
    cited_answer,
    pick,
    question_readings,
)
from assistant.evidence.markers import ABSTENTION
from assistant.models import Answer, Passage
from assistant.settings import AnswerSettings, RelevanceSettings
from ingest.sentences import SentenceSpan, split_sentences
from ingest.tokenize import content_terms

#: Relevance of each (passage, sentence-in-context) to the question, from the relevance model.
SpanScorer = Callable[[Sequence[tuple[Passage, str]]], Sequence[float]]


def term_coverage(query: str, alternate: str | None, idf: Idf | None) -> Callable[[str], float]:
    """How much of the question's (IDF-weighted) terms a text covers, in either language."""
    readings = question_readings(query, alternate, idf)
    return lambda text: best_coverage(readings, content_terms(text))


def answer_by_relevance(
    question: str,
    passages: Sequence[Passage],
    settings: AnswerSettings,
    relevance: RelevanceSettings,
    scorer: SpanScorer,
    coverage_of: Callable[[str], float] | None = None,
) -> Answer:
    """Lead with the sentence (or list item) the relevance model finds answers best.

    `passages` come reranked, each with its relevance; answerability was decided before.
    Every sentence of the passages that answer (within half the best passage's relevance) is
    scored in context: a list item is read after the sentence that introduces it, so
    "(三) …不少于六个月" is judged as the obligation it completes. The model was trained on
    passages, and sibling list items share their context, so the question's term coverage
    (`coverage_of`, weighted by `relevance.sentence_coverage_weight`) breaks its near-ties.
    Further sentences join only when they answer nearly as well as the lead: padding is
    dropped.
    """
    top = max((p.relevance or 0.0) for p in passages) if passages else 0.0
    abstain = Answer(
        question=question, text=ABSTENTION, abstained=True, passages=list(passages), evidence=top
    )
    considered = [
        (rank, p)
        for rank, p in enumerate(passages[: settings.passages_considered])
        if (p.relevance or 0.0) >= 0.5 * top
    ]
    units = [(rank, p, span, lead) for rank, p in considered for span, lead in _units(p.text)]
    if not units:
        return abstain
    scores = scorer([(p, f"{lead} {span.text}".strip()) for _, p, span, lead in units])
    weight = relevance.sentence_coverage_weight if coverage_of else 0.0
    candidates = [
        Candidate(
            rank,
            p,
            span,
            frozenset(content_terms(span.text)),
            (float(score) + weight * coverage_of(span.text)) / (1 + weight)
            if coverage_of
            else float(score),
        )
        for (rank, p, span, _), score in zip(units, scores, strict=True)
    ]
    ranked = sorted(candidates, key=lambda c: -c.score)
    floor = max(relevance.sentence_min, relevance.sentence_ratio * ranked[0].score)
    return cited_answer(question, pick(ranked, floor, settings), passages, top)


def _units(text: str) -> list[tuple[SentenceSpan, str]]:
    """Content sentences, each with the lead-in sentence it continues (list items), or ""."""
    out: list[tuple[SentenceSpan, str]] = []
    lead = ""
    for s in split_sentences(text):
        if not is_content(s.text):
            continue
        if LIST_ITEM.match(s.text) and lead:
            out.append((s, lead))
            continue
        out.append((s, ""))
        lead = s.text if s.text.endswith((":", "：")) else ""
    return out
