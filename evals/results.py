"""The result types of an eval run, shared by the runner (which builds them) and the report
(which renders them): `CaseResult` for one case, `EvalResult` for a whole run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel

from assistant.models import Citation, Timings


class CaseResult(BaseModel):
    """One case of a run: what was asked, what came back, and how it scored."""

    id: str
    question: str
    answerable: bool
    tags: list[str] = []
    gold_sources: list[str] = []
    gold_quotes: list[str] = []
    reference_answer: str = ""
    retrieved_doc_ids: list[str] = []
    #: `retrieved_doc_ids` with other versions of a gold instrument named as the gold id.
    ranked_sources: list[str] = []
    retrieved_chunk_ids: list[str] = []
    answer: str = ""
    citations: list[Citation] = []
    abstained: bool = False
    mode: str | None = None
    timings: Timings = Timings()
    verification: dict[str, int] = {}
    sentences_removed: int = 0
    unsupported_sentences: list[str] = []
    #: Counts behind the micro-averaged rates (sentences, citations, ...).
    counts: dict[str, int] = {}
    #: Gold quote ids found in gold documents, and the ranking of them (passage level).
    passage_gold: list[str] = []
    passage_ranking: list[str] = []
    scores: dict[str, float | None] = {}
    error: str | None = None


class EvalResult(BaseModel):
    """A whole run: flat metrics (as written to metrics.json), cases, and dataset problems."""

    metrics: dict[str, Any]
    cases: list[CaseResult]
    problems: list[str] = []
    recall_curves: dict[str, list[float]] = {}
    ingest_failures: list[str] = []
    out_dir: Path | None = None
