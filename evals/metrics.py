"""Ranking, abstention and latency metrics, computed from plain rankings and gold sets.

Ranking metrics are computed by `ranx` (TREC-style definitions), never by hand-written
formulas, so numbers are comparable with published retrieval results. Everything here is pure:
callers turn answers into rankings (`doc_ranking`, `passage_ranking`) and pass them in.
"""

from __future__ import annotations

import logging
import re
import warnings
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from assistant.models import Passage
from ingest.extras import needs_extra

log = logging.getLogger(__name__)

#: The ranking metrics reported for every run, in ranx's names.
RANKING_METRICS: tuple[str, ...] = (
    "recall@1",
    "recall@5",
    "recall@10",
    "mrr@10",
    "ndcg@10",
    "map@10",
)

#: Metrics where a smaller value is better (used by `compare` to colour deltas).
LOWER_IS_BETTER_PREFIXES: tuple[str, ...] = (
    "unsupported_claim_rate",
    "latency_",
    "sentences_removed",
)


@dataclass(frozen=True)
class RankingScores:
    """ranx results for one set of queries: the mean and each query's own value."""

    mean: dict[str, float]
    per_query: dict[str, dict[str, float]]
    n_queries: int
    #: Mean recall@k for k = 1..curve_k, when asked for (the recall@k plot).
    curve: list[float] = field(default_factory=list)


@dataclass(frozen=True)
class GoldSpan:
    """Where a gold quote occurs: `doc_text[start:end] == quote` in document `doc_id`."""

    quote_index: int
    doc_id: str
    start: int
    end: int


def ranking_metrics(
    gold: Mapping[str, Collection[str]],
    rankings: Mapping[str, Sequence[str]],
    metrics: Sequence[str] = RANKING_METRICS,
    *,
    curve_k: int = 0,
) -> RankingScores:
    """Score ranked ids against gold ids with ranx; queries without gold ids are left out.

    `rankings[q]` is best first and must not repeat an id. A query in `gold` that has no
    ranking counts as having retrieved nothing (all metrics 0). With `curve_k`, the same
    ranx call also gives mean recall@1..curve_k (building ranx's Run is the slow part).
    """
    curve_names = [f"recall@{k}" for k in range(1, curve_k + 1)]
    qrels_dict = {q: {i: 1 for i in ids} for q, ids in gold.items() if ids}
    if not qrels_dict:
        nan = float("nan")
        return RankingScores({m: nan for m in metrics}, {}, 0, [nan for _ in curve_names])
    run_dict: dict[str, dict[str, float]] = {}
    for q in qrels_dict:
        ranked = list(rankings.get(q, ()))
        if len(set(ranked)) != len(ranked):
            raise ValueError(f"ranking for {q!r} repeats an id; rank unique ids")
        # Strictly decreasing scores keep ranx's order identical to ours (no tie-breaking).
        run_dict[q] = {item: float(len(ranked) - r) for r, item in enumerate(ranked)}
    per_metric = _ranx_evaluate(qrels_dict, run_dict, list(dict.fromkeys([*metrics, *curve_names])))
    queries = sorted(qrels_dict)
    per_query = {q: {m: float(per_metric[m][i]) for m in metrics} for i, q in enumerate(queries)}
    mean = {m: float(np.mean(per_metric[m])) for m in metrics}
    curve = [float(np.mean(per_metric[m])) for m in curve_names]
    return RankingScores(mean=mean, per_query=per_query, n_queries=len(queries), curve=curve)


def _ranx_evaluate(
    qrels_dict: dict[str, dict[str, int]],
    run_dict: dict[str, dict[str, float]],
    metrics: list[str],
) -> dict[str, np.ndarray]:
    """Per-query values of `metrics`, ordered by sorted query id (ranx's order)."""
    with needs_extra("eval", "scoring eval runs"):
        from ranx import Qrels, Run, evaluate  # slow import (numba); only when scoring

    # ranx rejects a query with an empty run, so give such queries a sentinel that is never gold.
    run_dict = {q: (r or {"\x00none": 0.0}) for q, r in run_dict.items()}
    qrels = Qrels(qrels_dict)
    run = Run(run_dict)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # numba type-safety chatter
        # Every qrels query has a run (see above), so ranx's slow make_comparable is not needed.
        values = evaluate(qrels, run, metrics, return_mean=False, threads=1)
    if len(metrics) == 1:
        values = {metrics[0]: values}
    # ranx orders queries like its Qrels, which sorts ids; check instead of assuming.
    if list(qrels.keys()) != sorted(qrels_dict):
        order = {q: i for i, q in enumerate(qrels.keys())}
        idx = [order[q] for q in sorted(qrels_dict)]
        values = {m: np.asarray(v)[idx] for m, v in values.items()}
    return {m: np.asarray(v, dtype=float) for m, v in values.items()}


def recall_curve(
    gold: Mapping[str, Collection[str]], rankings: Mapping[str, Sequence[str]], max_k: int
) -> list[float]:
    """Mean ranx recall@k for k = 1..max_k (the recall@k plot)."""
    return ranking_metrics(gold, rankings, [], curve_k=max_k).curve


def unique_in_order(items: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    out: list[str] = []
    for item in items:
        if item not in seen:
            seen.add(item)
            out.append(item)
    return out


def doc_ranking(passages: Sequence[Passage]) -> list[str]:
    """Document ids in the order their first chunk was retrieved."""
    return unique_in_order(p.doc_id for p in passages)


def find_gold_spans(
    gold_quotes: Sequence[str],
    gold_sources: Sequence[str],
    document_text: Callable[[str], str | None],
) -> list[GoldSpan]:
    """Every occurrence of every gold quote in the gold documents whose text is known."""
    spans: list[GoldSpan] = []
    for qi, quote in enumerate(gold_quotes):
        if not quote:
            continue
        for doc_id in gold_sources:
            text = document_text(doc_id)
            if not text:
                continue
            for match in _quote_pattern(quote).finditer(text):
                spans.append(GoldSpan(qi, doc_id, match.start(), match.end()))
    return spans


def _quote_pattern(quote: str) -> re.Pattern[str]:
    """Match `quote` with any run of whitespace standing for any other (as the dataset does)."""
    return re.compile(r"\s+".join(re.escape(part) for part in quote.split()))


def gold_quote_ids(case_id: str, spans: Sequence[GoldSpan]) -> set[str]:
    """Relevance ids for passage-level scoring: one per gold quote found in a gold document."""
    return {f"{case_id}#q{s.quote_index}" for s in spans}


def passage_ranking(
    case_id: str, passages: Sequence[Passage], spans: Sequence[GoldSpan]
) -> list[str]:
    """Rank gold quotes by the first retrieved chunk whose span overlaps one of their occurrences.

    A chunk that overlaps no gold quote not yet reached keeps its own chunk id (a miss), so
    a second chunk covering the same quote is not counted twice.
    """
    credited: set[int] = set()
    ranked: list[str] = []
    for p in passages:
        hit = next(
            (
                s.quote_index
                for s in spans
                if s.quote_index not in credited
                and s.doc_id == p.doc_id
                and p.start < s.end
                and s.start < p.end
            ),
            None,
        )
        if hit is None:
            ranked.append(p.chunk_id)
        else:
            credited.add(hit)
            ranked.append(f"{case_id}#q{hit}")
    return unique_in_order(ranked)


@dataclass(frozen=True)
class AbstentionScores:
    """Positive class = abstained; gold positive = the question is not answerable."""

    precision: float | None
    recall: float | None
    true_positives: int
    false_positives: int
    false_negatives: int


def abstention_scores(pairs: Iterable[tuple[bool, bool]]) -> AbstentionScores:
    """Precision/recall of abstention from `(answerable, abstained)` pairs; None when undefined."""
    tp = fp = fn = 0
    for answerable, abstained in pairs:
        if abstained and not answerable:
            tp += 1
        elif abstained and answerable:
            fp += 1
        elif not abstained and not answerable:
            fn += 1
    precision = tp / (tp + fp) if tp + fp else None
    recall = tp / (tp + fn) if tp + fn else None
    return AbstentionScores(precision, recall, tp, fp, fn)


def percentiles(values: Sequence[float], qs: Sequence[float] = (50, 95)) -> list[float | None]:
    """Linear-interpolated percentiles (numpy's default); None for an empty sample."""
    if not values:
        return [None for _ in qs]
    return [float(v) for v in np.percentile(np.asarray(values, dtype=float), list(qs))]


def mean_or_none(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return float(np.mean(present)) if present else None


def lower_is_better(metric: str) -> bool:
    return metric.startswith(LOWER_IS_BETTER_PREFIXES)
