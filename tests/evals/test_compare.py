"""Gate parsing and checking, run comparison, and the exit codes of `eval compare|gate`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from rich.console import Console
from typer.testing import CliRunner

from assistant.cli.output import USER_ERROR
from evals.cli import GATE_FAILED, register
from evals.compare import (
    Bound,
    GateSyntaxError,
    RunNotFound,
    check_gate,
    compare_table,
    load_metrics,
    parse_gate,
)


def make_run(path: Path, **metrics: object) -> Path:
    path.mkdir(parents=True)
    (path / "metrics.json").write_text(json.dumps(metrics), encoding="utf-8")
    return path


@pytest.fixture
def cli() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def _root() -> None:  # a group, as in the real `complyqa`
        pass

    register(app)
    return app


def test_parse_gate() -> None:
    assert parse_gate(" recall@5>=0.9, unsupported_claim_rate <= .02 ,latency_p95_ms<1e3") == [
        Bound("recall@5", ">=", 0.9),
        Bound("unsupported_claim_rate", "<=", 0.02),
        Bound("latency_p95_ms", "<", 1000.0),
    ]


@pytest.mark.parametrize("spec", ["recall@5", "recall@5=>0.9", "recall@5>=high", ">=0.9", " , "])
def test_bad_gate_syntax_says_how_to_write_it(spec: str) -> None:
    with pytest.raises(GateSyntaxError, match="recall@5>=0.9"):
        parse_gate(spec)


def test_check_gate_fails_missing_and_null_metrics() -> None:
    metrics = {"recall@5": 0.95, "abstention_precision": None, "profile": "default"}
    checks = check_gate(
        metrics, parse_gate("recall@5>=0.9,recall@10>=0.9,abstention_precision>=0.5,profile>=1")
    )
    assert [c.passed for c in checks] == [True, False, False, False]
    assert checks[0].actual == 0.95 and checks[1].actual is None


def test_load_metrics_accepts_folder_or_file(tmp_path: Path) -> None:
    run = make_run(tmp_path / "r", **{"recall@5": 0.5})
    assert load_metrics(run) == load_metrics(run / "metrics.json") == {"recall@5": 0.5}
    with pytest.raises(RunNotFound, match="no metrics.json"):
        load_metrics(tmp_path / "missing")


def test_compare_table_shows_deltas_with_direction() -> None:
    table = compare_table(
        {"recall@5": 0.8, "latency_p50_ms": 100.0, "profile": "default"},
        {"recall@5": 0.9, "latency_p50_ms": 120.0, "profile": "fast", "new": 1},
    )
    console = Console(record=True, width=120)
    console.print(table)
    text = console.export_text()
    assert "+0.1000" in text and "+20.0000" in text and "fast" in text and "new" in text


def test_gate_command_exit_codes(cli: typer.Typer, tmp_path: Path) -> None:
    run = make_run(tmp_path / "run", **{"recall@5": 0.92, "unsupported_claim_rate": 0.05})
    runner = CliRunner()
    ok = runner.invoke(cli, ["eval", "gate", str(run), "--gate", "recall@5>=0.9"])
    assert ok.exit_code == 0, ok.output
    missed = runner.invoke(
        cli, ["eval", "gate", str(run), "--gate", "recall@5>=0.9,unsupported_claim_rate<=0.02"]
    )
    assert missed.exit_code == GATE_FAILED
    assert "unsupported_claim_rate<=0.02" in missed.output
    bad = runner.invoke(cli, ["eval", "gate", str(run), "--gate", "recall@5 is high"])
    assert bad.exit_code == USER_ERROR
    assert "bad gate bound" in bad.output and "Traceback" not in bad.output
    absent = runner.invoke(cli, ["eval", "gate", str(tmp_path / "nope"), "--gate", "recall@5>=0"])
    assert absent.exit_code == USER_ERROR and "no metrics.json" in absent.output


def test_compare_command_gates_run_b(cli: typer.Typer, tmp_path: Path) -> None:
    a = make_run(tmp_path / "a", **{"recall@5": 0.95})
    b = make_run(tmp_path / "b", **{"recall@5": 0.85})
    runner = CliRunner()
    plain = runner.invoke(cli, ["eval", "compare", str(a), str(b)])
    assert plain.exit_code == 0 and "-0.1000" in plain.output
    gated = runner.invoke(cli, ["eval", "compare", str(a), str(b), "--gate", "recall@5>=0.9"])
    assert gated.exit_code == GATE_FAILED
    reverse = runner.invoke(cli, ["eval", "compare", str(b), str(a), "--gate", "recall@5>=0.9"])
    assert reverse.exit_code == 0
