"""`complyqa eval run|verifier|compare|gate|obliqa`, added to the CLI through the `complyqa.cli` entry point.

Thin: each command parses options, calls `evals`, prints through the CLI's output layer, and
turns user errors into one line on stderr and exit code 2; a missed gate exits with 1.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from assistant.cli.common import ProfileOption
from assistant.cli.output import user_errors

if TYPE_CHECKING:
    from assistant.settings import Settings

GATE_FAILED = 1

eval_app = typer.Typer(
    name="eval",
    help="Measure retrieval, citations, abstention and latency; compare and gate runs.",
    no_args_is_help=True,
)

_GATE_HELP = 'Bounds the run must meet, e.g. "recall@5>=0.9,unsupported_claim_rate<=0.02".'
Gate = Annotated[str | None, typer.Option("--gate", help=_GATE_HELP)]
Out = Annotated[
    Path | None,
    typer.Option("--out", "-o", help="Output folder (default: runs/…)."),
]
SubsetOpt = Annotated[
    str,
    typer.Option(
        "--subset",
        help="all, or the train / heldout questions of evals/splits.py (a trained model's "
        "figures count on heldout only).",
    ),
]
Limit = Annotated[int | None, typer.Option("--limit", min=1, help="Only the first N questions.")]
RunDir = Annotated[Path, typer.Argument(help="Run folder (or its metrics.json).")]


def _dataset_option(help: str) -> Any:
    """`--dataset/-d`, spelt alike by every command that reads a JSONL set.

    Only the help differs, since it names the command's own default set.
    """
    return typer.Option("--dataset", "-d", help=help)


def _corpus_option(help: str) -> Any:
    """`--corpus`, spelt alike by every command that checks a dataset against a corpus."""
    return typer.Option("--corpus", help=help)


def register(app: typer.Typer) -> None:
    app.add_typer(eval_app, name="eval")


def _default_out(kind: str, profile: str) -> Path:
    return Path("runs") / f"{kind}-{profile}-{datetime.now().strftime('%Y%m%d-%H%M%S')}"


def _prepare(
    kind: str, profile: str | None, out: Path | None, gate: str | None
) -> tuple[Settings, Path]:
    """The settings and output folder of a measuring run, once its gate is known to parse.

    The gate is parsed first so that a typo in it fails at once, not after a minutes-long run.
    """
    from assistant.settings import Settings
    from evals.compare import parse_gate

    if gate:
        parse_gate(gate)
    settings = Settings.load(profile)
    return settings, out or _default_out(kind, settings.profile)


def _finish(metrics: dict[str, Any], report: Path, gate: str | None) -> None:
    """Point at the run's report, then hold the run to its gate, if one was given."""
    from assistant.cli.output import console

    console.print(f"report: {report}")
    if gate:
        _apply_gate(metrics, gate)


def _apply_gate(metrics: dict[str, Any], gate: str) -> None:
    """Print the gate's checks; exit 1 when a bound is missed."""
    from assistant.cli.output import console
    from evals.compare import check_gate, gate_table, parse_gate

    checks = check_gate(metrics, parse_gate(gate))
    console.print(gate_table(checks))
    failed = [str(c.bound) for c in checks if not c.passed]
    if failed:
        console.print(f"[red]gate failed:[/red] {', '.join(failed)}")
        raise typer.Exit(GATE_FAILED)
    console.print("[green]gate passed[/green]")


@eval_app.command("run")
@user_errors()
def run_command(
    dataset: Annotated[
        Path | None, _dataset_option("JSONL eval set (default: the bundled dev set).")
    ] = None,
    corpus: Annotated[
        Path | None, _corpus_option("Corpus folder the gold sources refer to.")
    ] = None,
    profile: str | None = ProfileOption,
    out: Out = None,
    mode: Annotated[str | None, typer.Option("--mode", "-m", help="extractive or llm.")] = None,
    limit: Limit = None,
    gate: Gate = None,
    subset: SubsetOpt = "all",
    k: Annotated[
        int | None, typer.Option("--k", min=1, max=200, help="Retrieval depth scored (default 10).")
    ] = None,
) -> None:
    """Answer every case of a dataset; write metrics.json, cases.jsonl and a report."""
    from assistant.cli.output import UsageError, console
    from evals.dataset import DEV_DATASET
    from evals.report import SUMMARY_METRICS, fmt
    from evals.runner import run_eval

    if mode is not None and mode not in ("extractive", "llm"):
        raise UsageError(f"unknown mode {mode!r}; use extractive or llm")
    settings, out_dir = _prepare("eval", profile, out, gate)
    result = run_eval(
        dataset or DEV_DATASET,
        corpus or settings.corpus_dir,
        settings,
        out_dir,
        mode,
        limit=limit,
        subset=subset,
        k=k,
    )
    for key in SUMMARY_METRICS:
        if key in result.metrics:
            console.print(f"{key:45s} {fmt(result.metrics[key])}")
    if result.problems:
        n = len(result.problems)
        console.print(f"[yellow]{n} dataset problem(s), not scored; see the report[/yellow]")
    _finish(result.metrics, out_dir / "report.html", gate)


@eval_app.command("verifier")
@user_errors()
def verifier_command(
    dataset: Annotated[
        Path | None, _dataset_option("Claims JSONL (default: evals/datasets/verifier.jsonl).")
    ] = None,
    corpus: Annotated[Path | None, _corpus_option("Corpus folder the citations refer to.")] = None,
    profile: str | None = ProfileOption,
    out: Out = None,
    gate: Gate = None,
) -> None:
    """Run LLM mode's sentence verifier on labelled claims: removal and false-removal rates."""
    from assistant.cli.output import console
    from evals.report import fmt
    from evals.verifier import VERIFIER_DATASET, run_verifier_eval

    settings, out_dir = _prepare("verifier", profile, out, gate)
    metrics = run_verifier_eval(
        dataset or VERIFIER_DATASET, corpus or settings.corpus_dir, settings, out_dir
    )
    for key in ("n_supported", "n_unsupported", "removal_rate", "false_removal_rate"):
        console.print(f"{key:30s} {fmt(metrics[key])}")
    for edit, rates in metrics["per_edit"].items():
        key = "false_removal_rate" if edit == "supported" else "removal_rate"
        console.print(f"  {edit:28s} {key} {fmt(rates[key])}")
    console.print(f"{'latency_p50_ms':30s} {metrics['latency_p50_ms']:.2f}")
    _finish(metrics, out_dir / "report.md", gate)


@eval_app.command("compare")
@user_errors()
def compare_command(
    run_a: Annotated[Path, typer.Argument(help="Baseline run folder (or its metrics.json).")],
    run_b: Annotated[Path, typer.Argument(help="Candidate run folder (or its metrics.json).")],
    gate: Gate = None,
) -> None:
    """Print metric deltas B − A; with --gate, exit 1 when RUN_B misses a bound."""
    from assistant.cli.output import console
    from evals.compare import compare_table, load_metrics, parse_gate

    if gate:
        parse_gate(gate)
    a, b = load_metrics(run_a), load_metrics(run_b)
    console.print(compare_table(a, b, run_a.name or str(run_a), run_b.name or str(run_b)))
    if gate:
        _apply_gate(b, gate)


@eval_app.command("gate")
@user_errors()
def gate_command(
    run: RunDir,
    gate: Annotated[str, typer.Option("--gate", help=_GATE_HELP)],
) -> None:
    """Exit 1 unless the run meets every bound."""
    from evals.compare import load_metrics, parse_gate

    parse_gate(gate)
    _apply_gate(load_metrics(run), gate)


@eval_app.command("obliqa")
@user_errors()
def obliqa_command(
    data: Annotated[
        Path,
        typer.Option(
            "--data",
            help="ObliQA folder (ObliQA_<split>.json, documents/); the benchmark is not "
            "shipped with complyqa.",
        ),
    ],
    split: Annotated[
        str, typer.Option("--split", help="dev, test, ... or a path to a questions .json file.")
    ] = "dev",
    limit: Limit = None,
    profile: str | None = ProfileOption,
    out: Out = None,
    gate: Gate = None,
    subset: SubsetOpt = "all",
) -> None:
    """Passage retrieval on ObliQA: Recall@10/20 and MAP@10/20 next to the published baselines."""
    from assistant.cli.output import console
    from evals.obliqa import METRICS, run_obliqa
    from evals.report import fmt

    settings, out_dir = _prepare("obliqa", profile, out, gate)
    metrics = run_obliqa(data, split, settings, out_dir, limit=limit, subset=subset)
    for key in METRICS:
        console.print(f"{key:12s} {fmt(metrics[key])}")
    _finish(metrics, out_dir / "report.html", gate)


@eval_app.command("calibrate")
@user_errors()
def calibrate_command(
    dataset: Annotated[
        Path | None, _dataset_option("JSONL eval set with unanswerable cases (default: dev set).")
    ] = None,
    corpus: Annotated[Path | None, _corpus_option("Corpus folder.")] = None,
    profile: str | None = ProfileOption,
    subset: SubsetOpt = "all",
) -> None:
    """Sweep the abstention threshold; print each one's trade-off and the best (Youden's J)."""
    from rich.table import Table

    from assistant.cli.output import console
    from assistant.settings import Settings
    from evals.calibrate import best, evidence_scores, sweep, threshold_name
    from evals.dataset import DEV_DATASET

    settings = Settings.load(profile)
    scores = evidence_scores(
        dataset or DEV_DATASET, corpus or settings.corpus_dir, settings, subset=subset
    )
    name = threshold_name(settings)
    rows = sweep(scores, [i / 100 for i in range(0, 101, 2)])
    table = Table(title=f"abstention threshold sweep (profile {settings.profile}, {subset})")
    for col in (name, "abstention P", "abstention R", "answerable kept", "J"):
        table.add_column(col, justify="right")
    for r in rows:
        table.add_row(
            f"{r.threshold:.2f}",
            f"{r.abstention_precision:.3f}",
            f"{r.abstention_recall:.3f}",
            f"{r.answerable_kept:.3f}",
            f"{r.youden_j:.3f}",
        )
    console.print(table)
    chosen = best(rows)
    current = (
        settings.relevance.min_relevance
        if name == "min_relevance"
        else settings.answer.min_evidence
    )
    console.print(
        f"best: {name} = {chosen.threshold:.2f} (J {chosen.youden_j:.3f}); "
        f"current profile value {current:.2f}"
    )
