"""Choosing the abstention threshold from a labelled dataset instead of by hand.

Every case is answered with the threshold switched off, the answer's evidence score is kept
(a case that abstains anyway, for a rule that is not a threshold, abstains at every one),
and each candidate threshold is judged by how well it separates answerable from unanswerable
cases (Youden's J = recall on unanswerable + recall on answerable − 1, i.e. balanced accuracy).
One scalar is fitted, so the result transfers to unseen questions as far as the dev set is
representative. With the relevance model on, the score is the best passage's relevance and the
chosen value belongs in a profile's `[relevance] min_relevance`; with it off, the lexical
evidence and `[answer] min_evidence`. `subset` fits on part of the set (see evals/splits.py)
so the rest stays unseen.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from assistant.service import ComplyQA
from assistant.settings import Settings
from evals.dataset import load_dataset
from evals.splits import select


@dataclass(frozen=True)
class ThresholdRow:
    threshold: float
    abstention_precision: float
    abstention_recall: float
    answerable_kept: float  # share of answerable cases still answered

    @property
    def youden_j(self) -> float:
        return self.abstention_recall + self.answerable_kept - 1.0


def sweep(scores: Sequence[tuple[bool, float]], thresholds: Sequence[float]) -> list[ThresholdRow]:
    """`scores` = (answerable, evidence) per case; abstain when evidence < threshold."""
    answerable = [e for a, e in scores if a]
    unanswerable = [e for a, e in scores if not a]
    rows = []
    for t in thresholds:
        true_abstain = sum(e < t for e in unanswerable)
        false_abstain = sum(e < t for e in answerable)
        abstained = true_abstain + false_abstain
        rows.append(
            ThresholdRow(
                threshold=round(t, 4),
                abstention_precision=true_abstain / abstained if abstained else 1.0,
                abstention_recall=true_abstain / len(unanswerable) if unanswerable else 1.0,
                answerable_kept=1 - false_abstain / len(answerable) if answerable else 1.0,
            )
        )
    return rows


def best(rows: Sequence[ThresholdRow], tolerance: float = 0.01) -> ThresholdRow:
    """The lowest threshold whose J is within `tolerance` of the best.

    Differences that small are noise on a dev set of this size, and a lower threshold loses
    fewer answerable questions.
    """
    top = max(r.youden_j for r in rows)
    return min((r for r in rows if r.youden_j >= top - tolerance), key=lambda r: r.threshold)


def threshold_name(settings: Settings) -> str:
    """The setting the calibrated value belongs in."""
    model = settings.relevance.enabled and settings.relevance.decide_answerability
    return "min_relevance" if model else "min_evidence"


def evidence_scores(
    dataset: Path,
    corpus: Path,
    settings: Settings,
    *,
    progress: bool = True,
    subset: str = "all",
) -> list[tuple[bool, float]]:
    """Evidence of every valid case, with abstention off so each score is observed."""
    off = settings.model_copy(
        update={
            "answer": settings.answer.model_copy(update={"min_evidence": 0.0}),
            "relevance": settings.relevance.model_copy(update={"min_relevance": 0.0}),
        }
    )
    qa = ComplyQA(off)
    qa.ingest([corpus], corpus)
    cases = select(load_dataset(dataset, corpus).cases, subset)
    out = []
    for case in tqdm(cases, desc="calibrate", disable=not progress):
        answer = qa.ask(case.question, mode="extractive")
        # Abstaining with no threshold at all (a name no source holds, a value no sentence
        # states): it abstains at every threshold, as the product would.
        out.append((case.answerable, -1.0 if answer.abstained else answer.evidence or 0.0))
    return out
