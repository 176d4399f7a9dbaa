"""Run an eval dataset through the `ComplyQA` facade and score every answer.

`run_eval` is the only function here that touches models, the index or the disk; scoring
(`score_case`, `aggregate`) is pure and works on `CaseResult`s, so reports and tests can be
built from hand-made results.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from tqdm import tqdm

from assistant.models import Answer, DocumentInfo, DocumentRecord, IngestReport
from evals.citations import (
    DocumentTexts,
    claimed_text,
    gold_quote_containment,
    lead_text,
    score_citations,
    strip_markers,
    token_f1,
)
from evals.metrics import (
    RANKING_METRICS,
    abstention_scores,
    doc_ranking,
    find_gold_spans,
    gold_quote_ids,
    mean_or_none,
    passage_ranking,
    percentiles,
    ranking_metrics,
    unique_in_order,
)
from evals.report import write_eval_outputs
from evals.results import CaseResult, EvalResult
from evals.splits import select
from ingest.errors import ComplyqaError, InvalidQuestion

if TYPE_CHECKING:
    from assistant.settings import Settings
    from evals.dataset import EvalCase

log = logging.getLogger(__name__)

#: Chunks retrieved per question: at least 10, so that recall@10 is measurable.
EVAL_K = 10
STAGES = ("retrieve", "answer", "verify", "total")


class QA(Protocol):
    """The part of `assistant.service.ComplyQA` an eval run uses."""

    def ingest(
        self, paths: Sequence[Path], root: Path | None = None, *, progress: bool = False
    ) -> IngestReport: ...
    def ask(self, question: str, *, k: int | None = None, mode: str | None = None) -> Answer: ...
    def document(self, doc_id: str) -> DocumentRecord: ...
    def documents(self) -> list[DocumentInfo]: ...


class Versions:
    """The indexed versions of each instrument, for scoring gold sources version-blind.

    By default the assistant answers from the version in force today, so a gold source that
    is an older version of an amended instrument is found through its current version. Ranking
    scores therefore count any version of a gold instrument as that gold source, and gold
    quotes are looked for in every version.
    """

    def __init__(self, documents: Sequence[DocumentInfo] = ()) -> None:
        self._instrument = {d.doc_id: d.instrument or d.doc_id for d in documents}
        self._versions: dict[str, list[str]] = {}
        for d in documents:
            self._versions.setdefault(self.instrument(d.doc_id), []).append(d.doc_id)

    def instrument(self, doc_id: str) -> str:
        return self._instrument.get(doc_id, doc_id)

    def all_of(self, doc_ids: Sequence[str]) -> list[str]:
        """`doc_ids` and every other indexed version of their instruments."""
        out = list(doc_ids)
        for doc_id in doc_ids:
            out += [v for v in self._versions.get(self.instrument(doc_id), []) if v not in out]
        return out

    def as_gold(self, gold: Sequence[str], ranked: Sequence[str]) -> list[str]:
        """`ranked` doc ids, each other version of a gold instrument named as its gold id."""
        stands_for = {self.instrument(g): g for g in gold}
        return unique_in_order(stands_for.get(self.instrument(d), d) for d in ranked)


def _asked(case: EvalCase) -> dict[str, Any]:
    """The fields of a `CaseResult` that come from the case itself, whatever the answer was.

    Scored and failed cases both carry them, so a report can list every case the same way.
    """
    return {
        "id": case.id,
        "question": case.question,
        "answerable": case.answerable,
        "tags": list(case.tags),
        "gold_sources": list(case.gold_sources),
        "gold_quotes": list(case.gold_quotes),
        "reference_answer": case.reference_answer,
    }


def score_case(
    case: EvalCase, answer: Answer, texts: DocumentTexts, versions: Versions | None = None
) -> CaseResult:
    """Everything about one answer that does not need the other cases."""
    versions = versions or Versions()
    spans = find_gold_spans(case.gold_quotes, versions.all_of(case.gold_sources), texts)
    cit = score_citations(answer, case.gold_quotes, spans, texts)
    claimed = claimed_text(answer)
    predicted = "" if answer.abstained else strip_markers(claimed)
    if "removed" in answer.verification:
        removed = int(answer.verification["removed"])
    else:
        removed = len(answer.unverified) if answer.mode == "llm" else 0
    scores: dict[str, float | None] = {
        "citation_precision": cit.precision,
        "citation_recall": cit.recall,
        "quote_exact_rate": cit.quote_exact_rate,
    }
    if case.answerable:
        scores["answer_f1"] = (
            token_f1(predicted, case.reference_answer) if case.reference_answer else None
        )
        scores["gold_quote_containment"] = (
            0.0 if answer.abstained else gold_quote_containment(claimed, case.gold_quotes)
        )
        scores["lead_quote_containment"] = (
            0.0
            if answer.abstained
            else gold_quote_containment(lead_text(claimed), case.gold_quotes)
        )
    return CaseResult(
        **_asked(case),
        retrieved_doc_ids=doc_ranking(answer.passages),
        ranked_sources=versions.as_gold(case.gold_sources, doc_ranking(answer.passages)),
        retrieved_chunk_ids=[p.chunk_id for p in answer.passages],
        answer=answer.text,
        citations=answer.citations,
        abstained=answer.abstained,
        mode=answer.mode,
        timings=answer.timings,
        verification=dict(answer.verification),
        sentences_removed=removed,
        unsupported_sentences=cit.unsupported,
        counts={
            "sentences": cit.sentences,
            "supported_sentences": cit.supported_sentences,
            "citation_pairs": cit.citation_pairs,
            "supporting_pairs": cit.supporting_pairs,
            "citations": cit.citations,
            "exact_quotes": cit.exact_quotes,
        },
        passage_gold=sorted(gold_quote_ids(case.id, spans)),
        passage_ranking=passage_ranking(case.id, answer.passages, spans),
        scores=scores,
    )


def failed_case(case: EvalCase, error: str) -> CaseResult:
    """A case whose question the assistant refused with a user error (kept, scored as empty)."""
    return CaseResult(
        **_asked(case),
        passage_gold=[],
        scores={"answer_f1": 0.0} if case.answerable and case.reference_answer else {},
        error=error,
    )


def aggregate(
    cases: list[CaseResult], k: int = EVAL_K
) -> tuple[dict[str, Any], dict[str, list[float]]]:
    """Run-level metrics from scored cases; also fills each case's ranking scores in place.

    A run retrieving deeper than 10 (`k`, e.g. 100 for STARD) also gets recall@k."""
    names = RANKING_METRICS + ((f"recall@{k}",) if k > EVAL_K else ())
    answerable = [c for c in cases if c.answerable]
    metrics: dict[str, Any] = {}
    curves: dict[str, list[float]] = {}
    for level, gold, ranks in (
        (
            "",
            {c.id: c.gold_sources for c in answerable},
            # Runs written before versions were scored have no ranked_sources.
            {c.id: c.ranked_sources or c.retrieved_doc_ids for c in answerable},
        ),
        (
            "passage_",
            {c.id: c.passage_gold for c in answerable},
            {c.id: c.passage_ranking for c in answerable},
        ),
    ):
        ranked = ranking_metrics(gold, ranks, names, curve_k=EVAL_K)
        metrics.update({f"{level}{m}": _num(v) for m, v in ranked.mean.items()})
        metrics[f"n_{level or 'doc_'}retrieval_cases"] = ranked.n_queries
        for c in answerable:
            c.scores.update({f"{level}{m}": v for m, v in ranked.per_query.get(c.id, {}).items()})
        if ranked.n_queries:
            curves["passage" if level else "document"] = ranked.curve

    answered = [c for c in cases if not c.abstained and c.counts.get("sentences")]
    metrics["citation_precision"] = mean_or_none(
        c.scores.get("citation_precision") for c in answered
    )
    metrics["citation_recall"] = mean_or_none(c.scores.get("citation_recall") for c in answered)
    n_citations = sum(c.counts.get("citations", 0) for c in cases)
    exact = sum(c.counts.get("exact_quotes", 0) for c in cases)
    metrics["quote_exact_rate"] = exact / n_citations if n_citations else None
    metrics["answer_f1"] = mean_or_none(c.scores.get("answer_f1") for c in answerable)
    metrics["gold_quote_containment"] = mean_or_none(
        c.scores.get("gold_quote_containment") for c in answerable
    )
    metrics["lead_quote_containment"] = mean_or_none(
        c.scores.get("lead_quote_containment") for c in answerable
    )
    abst = abstention_scores((c.answerable, c.abstained) for c in cases)
    metrics["abstention_precision"] = abst.precision
    metrics["abstention_recall"] = abst.recall

    sentences = sum(c.counts.get("sentences", 0) for c in answerable if not c.abstained)
    supported = sum(c.counts.get("supported_sentences", 0) for c in answerable if not c.abstained)
    metrics["unsupported_claim_rate"] = (sentences - supported) / sentences if sentences else None
    if any(c.mode == "llm" for c in cases):
        removed = sum(c.sentences_removed for c in answerable if not c.abstained)
        before = sentences + removed
        # The verifier judged the removed sentences unsupported; count them back in.
        metrics["unsupported_claim_rate_before_verification"] = (
            (sentences - supported + removed) / before if before else None
        )
        metrics["sentences_removed"] = sum(c.sentences_removed for c in cases)

    timed = [c for c in cases if c.error is None]
    for stage in STAGES:
        values = [getattr(c.timings, f"{stage}_ms") for c in timed]
        p50, p95 = percentiles(values)
        metrics[f"latency_{stage}_p50_ms"] = p50
        metrics[f"latency_{stage}_p95_ms"] = p95
    metrics["latency_p50_ms"] = metrics["latency_total_p50_ms"]
    metrics["latency_p95_ms"] = metrics["latency_total_p95_ms"]
    metrics["n_cases"] = len(cases)
    metrics["n_answerable"] = len(answerable)
    metrics["n_unanswerable"] = len(cases) - len(answerable)
    metrics["n_errors"] = sum(c.error is not None for c in cases)
    return metrics, curves


def _num(value: float) -> float | None:
    return None if value != value else value  # NaN (no scorable queries) -> null in JSON


def run_eval(
    dataset_path: Path,
    corpus_dir: Path,
    settings: Settings,
    out_dir: Path,
    mode: str | None = None,
    *,
    qa: QA | None = None,
    limit: int | None = None,
    progress: bool = True,
    subset: str = "all",
    k: int | None = None,
) -> EvalResult:
    """Ingest the corpus (incrementally), answer every valid case, score, and write the report.

    `subset` keeps the train or held-out questions of evals/splits.py (figures for a trained
    model count only on held-out ones); `k` is the retrieval depth scored (default 10).
    """
    from evals.dataset import load_dataset

    dataset = load_dataset(Path(dataset_path), Path(corpus_dir))
    cases = select(dataset.cases, subset, limit)
    if qa is None:
        from assistant.service import ComplyQA

        qa = ComplyQA(settings)
    report = qa.ingest([Path(corpus_dir)], root=Path(corpus_dir), progress=progress)
    failures = [f"{f.path}: {f.reason}" for f in report.failed]
    texts = DocumentTexts(lambda doc_id: qa.document(doc_id).text)
    versions = Versions(qa.documents())
    k = k or max(EVAL_K, settings.retrieval.top_k)
    if cases:
        # Loads the embedding model and warms caches, so latency is that of a running service.
        # A configuration error (e.g. llm mode without an endpoint) stops the run right here.
        with contextlib.suppress(InvalidQuestion):
            qa.ask(cases[0].question, k=k, mode=mode)
    results: list[CaseResult] = []
    for case in tqdm(cases, desc="eval", unit="q", disable=not progress):
        try:
            answer = qa.ask(case.question, k=k, mode=mode)
        except ComplyqaError as exc:
            log.warning("case %s: %s", case.id, exc)
            results.append(failed_case(case, str(exc)))
            continue
        results.append(score_case(case, answer, texts, versions))
    metrics, curves = aggregate(results, k)
    metrics.update(
        profile=settings.profile,
        relevance_model=getattr(getattr(qa, "reranker", None), "version", None),
        subset=subset,
        mode=mode or next((c.mode for c in results if c.mode), None),
        dataset=str(dataset_path),
        corpus=str(corpus_dir),
        k=k,
        n_problems=len(dataset.problems),
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )
    result = EvalResult(
        metrics=metrics,
        cases=results,
        problems=[str(p) for p in dataset.problems],
        recall_curves=curves,
        ingest_failures=failures,
        out_dir=Path(out_dir),
    )
    write_eval_outputs(result, Path(out_dir))
    return result
