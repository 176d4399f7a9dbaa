"""Compare two runs metric by metric, and gate a run on bounds such as `recall@5>=0.9`.

A run is a folder holding `metrics.json` (or the file itself). Gate bounds are comma-separated
`METRIC OP NUMBER` with OP one of `>=`, `<=`, `>`, `<`, `==`; a metric that is missing or null
in the run fails its bound, so a gate can never pass by accident.
"""

from __future__ import annotations

import json
import math
import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.table import Table

from evals.metrics import lower_is_better
from ingest.errors import ComplyqaError


class GateSyntaxError(ComplyqaError):
    """A `--gate` expression that cannot be parsed."""


class RunNotFound(ComplyqaError):
    """A run folder without a readable metrics.json."""


_OPS: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge,
    "<=": operator.le,
    ">": operator.gt,
    "<": operator.lt,
    "==": operator.eq,
}
_BOUND = re.compile(
    r"^\s*([A-Za-z_][\w@.\-]*)\s*(>=|<=|==|>|<)\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*$"
)


@dataclass(frozen=True)
class Bound:
    metric: str
    op: str
    value: float

    def __str__(self) -> str:
        return f"{self.metric}{self.op}{self.value:g}"


@dataclass(frozen=True)
class GateCheck:
    bound: Bound
    actual: float | None
    passed: bool


def parse_gate(spec: str) -> list[Bound]:
    """`"recall@5>=0.9,unsupported_claim_rate<=0.02"` → bounds; raises `GateSyntaxError`."""
    bounds: list[Bound] = []
    for part in spec.split(","):
        if not part.strip():
            continue
        match = _BOUND.match(part)
        if not match:
            raise GateSyntaxError(
                f"bad gate bound {part.strip()!r}: write METRIC OP NUMBER with OP one of "
                '>=, <=, >, <, == (e.g. "recall@5>=0.9,unsupported_claim_rate<=0.02")'
            )
        bounds.append(Bound(match.group(1), match.group(2), float(match.group(3))))
    if not bounds:
        raise GateSyntaxError('empty gate: give at least one bound such as "recall@5>=0.9"')
    return bounds


def check_gate(metrics: Mapping[str, Any], bounds: list[Bound]) -> list[GateCheck]:
    """Check each bound against a run's metrics; missing, null or non-numeric values fail."""
    checks = []
    for bound in bounds:
        actual = _as_float(metrics.get(bound.metric))
        passed = actual is not None and _OPS[bound.op](actual, bound.value)
        checks.append(GateCheck(bound, actual, passed))
    return checks


def load_metrics(run: Path) -> dict[str, Any]:
    """The metrics of a run folder (its metrics.json) or of a metrics.json path."""
    path = run / "metrics.json" if run.is_dir() else run
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise RunNotFound(f"no metrics.json at {path}; pass an eval output folder") from exc
    except (OSError, json.JSONDecodeError) as exc:
        raise RunNotFound(f"cannot read {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise RunNotFound(f"{path} does not hold a JSON object of metrics")
    return data


def _as_float(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return None if math.isnan(value) else float(value)


def _show(value: Any) -> str:
    number = _as_float(value)
    if number is None:
        return "—" if value is None else str(value)
    if isinstance(value, int):
        return str(value)
    return f"{number:.4f}" if abs(number) < 100 else f"{number:.1f}"


def _short(text: str, limit: int = 24) -> str:
    return text if len(text) <= limit else "…" + text[-(limit - 1) :]


def compare_table(
    a: Mapping[str, Any], b: Mapping[str, Any], name_a: str = "A", name_b: str = "B"
) -> Table:
    """Numeric metrics of both runs with B − A, green when B is better, red when worse."""
    table = Table(title=f"{name_a} → {name_b}")
    keys = [k for k in a if k in b] + [k for k in b if k not in a]
    # Metric names are what a reader scans for: never wrap or cut them.
    table.add_column("metric", no_wrap=True, min_width=max((len(k) for k in keys), default=6))
    table.add_column(name_a, justify="right")
    table.add_column(name_b, justify="right")
    table.add_column("Δ", justify="right")
    for key in keys:
        va, vb = a.get(key), b.get(key)
        fa, fb = _as_float(va), _as_float(vb)
        if fa is None and fb is None:
            if va != vb:
                table.add_row(key, _short(_show(va)), _short(_show(vb)), "")
            continue
        delta = ""
        if fa is not None and fb is not None:
            diff = fb - fa
            better = diff < 0 if lower_is_better(key) else diff > 0
            style = "" if abs(diff) < 1e-12 else ("green" if better else "red")
            delta = f"[{style}]{diff:+.4f}[/]" if style else f"{diff:+.4f}"
        table.add_row(key, _show(va), _show(vb), delta)
    return table


def gate_table(checks: list[GateCheck]) -> Table:
    table = Table(title="gate")
    table.add_column("bound")
    table.add_column("actual", justify="right")
    table.add_column("result")
    for check in checks:
        result = "[green]pass[/]" if check.passed else "[red]FAIL[/]"
        table.add_row(str(check.bound), _show(check.actual), result)
    return table
