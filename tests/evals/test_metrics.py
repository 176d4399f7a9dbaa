"""Ranking metrics on hand-made rankings with known values, and the small pure helpers."""

from __future__ import annotations

import math
import sys

import pytest

from assistant.models import Passage
from evals.metrics import (
    GoldSpan,
    abstention_scores,
    doc_ranking,
    find_gold_spans,
    gold_quote_ids,
    lower_is_better,
    passage_ranking,
    percentiles,
    ranking_metrics,
    recall_curve,
)

# q1: gold {d1, d3}, ranked d1, d2, d3.   q2: gold {d2}, ranked d1, d2.
GOLD = {"q1": {"d1", "d3"}, "q2": {"d2"}}
RUN = {"q1": ["d1", "d2", "d3"], "q2": ["d1", "d2"]}


def passage(doc_id: str, start: int, end: int, cid: str | None = None) -> Passage:
    return Passage(
        chunk_id=cid or f"{doc_id}::h::{start}",
        doc_id=doc_id,
        title=doc_id,
        text="x" * (end - start),
        start=start,
        end=end,
        score=1.0,
    )


def test_known_values() -> None:
    scores = ranking_metrics(GOLD, RUN)
    assert scores.n_queries == 2
    m = scores.mean
    # recall@1: q1 finds 1 of 2 gold docs, q2 none -> (0.5 + 0) / 2
    assert m["recall@1"] == pytest.approx(0.25)
    assert m["recall@5"] == pytest.approx(1.0)
    assert m["recall@10"] == pytest.approx(1.0)
    # MRR: first hit at rank 1 and rank 2 -> (1 + 1/2) / 2
    assert m["mrr@10"] == pytest.approx(0.75)
    # AP(q1) = (1/1 + 2/3) / 2 ; AP(q2) = (1/2) / 1
    assert m["map@10"] == pytest.approx(((1 + 2 / 3) / 2 + 0.5) / 2)
    # Cross-checked by hand: nDCG(q1) = (1 + 1/log2 4) / (1 + 1/log2 3); nDCG(q2) = 1/log2 3
    ndcg_q1 = (1 + 1 / math.log2(4)) / (1 + 1 / math.log2(3))
    ndcg_q2 = 1 / math.log2(3)
    assert m["ndcg@10"] == pytest.approx((ndcg_q1 + ndcg_q2) / 2)
    assert scores.per_query["q2"]["mrr@10"] == pytest.approx(0.5)


def test_ranx_recall_divides_by_all_relevant() -> None:
    # ranx recall@k = hits in top k / |relevant|, not capped at k: 1 hit of 3 gold at k=1.
    scores = ranking_metrics({"q": {"a", "b", "c"}}, {"q": ["a", "b"]}, ["recall@1", "recall@5"])
    assert scores.mean["recall@1"] == pytest.approx(1 / 3)
    assert scores.mean["recall@5"] == pytest.approx(2 / 3)


def test_queries_without_gold_are_left_out_and_missing_rankings_score_zero() -> None:
    scores = ranking_metrics(
        {"q1": {"d1"}, "unanswerable": set(), "q3": {"d3"}}, {"q1": ["d1"]}, ["recall@5"]
    )
    assert scores.n_queries == 2
    assert scores.per_query["q3"]["recall@5"] == 0.0
    assert scores.mean["recall@5"] == pytest.approx(0.5)


def test_empty_gold_gives_nan_and_repeated_ids_are_rejected() -> None:
    assert math.isnan(ranking_metrics({}, {}, ["recall@5"]).mean["recall@5"])
    with pytest.raises(ValueError, match="repeats"):
        ranking_metrics({"q": {"a"}}, {"q": ["a", "a"]})


def test_recall_curve_is_monotone() -> None:
    curve = recall_curve(GOLD, RUN, 5)
    assert curve[0] == pytest.approx(0.25)
    assert curve == sorted(curve) and curve[-1] == pytest.approx(1.0)


def test_doc_ranking_keeps_first_occurrence() -> None:
    ps = [passage("a", 0, 5), passage("b", 0, 5), passage("a", 10, 20)]
    assert doc_ranking(ps) == ["a", "b"]


def test_gold_spans_tolerate_whitespace_differences() -> None:
    texts = {"doc": "第一条  为了保障\n网络安全。再次：为了保障 网络安全"}
    spans = find_gold_spans(["为了保障 网络安全"], ["doc", "missing"], texts.get)
    assert [(s.start, s.end) for s in spans] == [(5, 14), (18, 27)]
    assert gold_quote_ids("c1", spans) == {"c1#q0"}


def test_passage_ranking_credits_each_gold_quote_once() -> None:
    spans = [GoldSpan(0, "doc", 100, 150), GoldSpan(1, "doc", 400, 420)]
    ps = [
        passage("doc", 0, 90, "miss"),  # ends before the quote
        passage("doc", 140, 300, "hit0"),  # overlaps quote 0
        passage("doc", 120, 130, "again0"),  # inside quote 0, already credited
        passage("other", 100, 150, "wrongdoc"),
        passage("doc", 300, 401, "hit1"),  # overlaps quote 1 by one character
    ]
    assert passage_ranking("c", ps, spans) == ["miss", "c#q0", "again0", "wrongdoc", "c#q1"]
    # [start, end) is half-open: touching is not overlapping.
    assert passage_ranking("c", [passage("doc", 150, 160, "touch")], spans) == ["touch"]


def test_abstention_scores() -> None:
    pairs = [(False, True), (False, True), (True, True), (False, False), (True, False)]
    s = abstention_scores(pairs)
    assert (s.true_positives, s.false_positives, s.false_negatives) == (2, 1, 1)
    assert s.precision == pytest.approx(2 / 3)
    assert s.recall == pytest.approx(2 / 3)
    assert abstention_scores([(True, False)]).precision is None


def test_percentiles_and_direction() -> None:
    assert percentiles([10.0, 20.0, 30.0, 40.0]) == pytest.approx([25.0, 38.5])
    assert percentiles([]) == [None, None]
    assert lower_is_better("latency_p95_ms") and lower_is_better("unsupported_claim_rate")
    assert not lower_is_better("recall@5")


@pytest.mark.parametrize("module", ["ranx", "matplotlib"])
def test_without_the_eval_extra_an_eval_says_which_extra_to_install(
    monkeypatch: pytest.MonkeyPatch, module: str
) -> None:
    """A core install runs ask and search; `complyqa eval` needs the eval extra and says so."""
    from evals.report import recall_curve_figure
    from ingest.errors import ConfigurationError

    monkeypatch.setitem(sys.modules, module, None)  # `import` of it now fails
    monkeypatch.delitem(sys.modules, "matplotlib.pyplot", raising=False)
    with pytest.raises(
        ConfigurationError, match=r"needs the eval extra: pip install 'complyqa\[eval\]'"
    ):
        if module == "ranx":
            ranking_metrics(GOLD, RUN)
        else:
            recall_curve_figure({"document": [0.5, 1.0]})
