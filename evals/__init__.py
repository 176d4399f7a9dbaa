"""Evaluation of complyqa: datasets, metrics, citation scoring, reports, compare/gate, ObliQA.

The public API is re-exported lazily so that loading the `complyqa eval` CLI plugin stays
cheap (ranx, matplotlib and the facade load only when a run starts).
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "run_eval": "evals.runner",
    "EvalResult": "evals.results",
    "CaseResult": "evals.results",
    "ranking_metrics": "evals.metrics",
    "score_citations": "evals.citations",
    "token_f1": "evals.citations",
    "parse_gate": "evals.compare",
    "check_gate": "evals.compare",
    "load_metrics": "evals.compare",
    "run_obliqa": "evals.obliqa",
    "write_eval_outputs": "evals.report",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'evals' has no attribute {name!r}")
