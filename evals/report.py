"""Write a run's results: metrics.json, cases.jsonl, report.md and a self-contained report.html.

`Report` is a format-neutral description (metric tables, figures, notes); `write_report`
renders it as Markdown (figures as PNG files next to it) and as HTML (figures embedded as
base64 PNG, no external assets). Eval runs and the ObliQA benchmark share it.
"""

from __future__ import annotations

import base64
import html
import io
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ingest.extras import needs_extra

if TYPE_CHECKING:
    from evals.results import CaseResult, EvalResult

#: Metrics shown in the summary table of an eval run, in this order.
SUMMARY_METRICS = (
    "recall@1", "recall@5", "recall@10", "mrr@10", "ndcg@10", "map@10",
    "passage_recall@1", "passage_recall@5", "passage_recall@10", "passage_mrr@10",
    "passage_ndcg@10", "passage_map@10",
    "citation_precision", "citation_recall", "quote_exact_rate", "answer_f1",
    "gold_quote_containment", "lead_quote_containment", "abstention_precision", "abstention_recall",
    "unsupported_claim_rate", "unsupported_claim_rate_before_verification", "sentences_removed",
    "latency_p50_ms", "latency_p95_ms",
    "latency_retrieve_p50_ms", "latency_retrieve_p95_ms", "latency_answer_p50_ms",
    "latency_answer_p95_ms", "latency_verify_p50_ms", "latency_verify_p95_ms",
)  # fmt: skip
RUN_INFO = ("profile", "mode", "dataset", "corpus", "k", "n_cases", "n_answerable",
            "n_unanswerable", "n_problems", "n_errors", "created_at")  # fmt: skip
MAX_FAILURES = 50


@dataclass(frozen=True)
class Table:
    title: str
    header: Sequence[str]
    rows: Sequence[Sequence[str]]
    note: str = ""


@dataclass(frozen=True)
class Figure:
    name: str  # file name stem, e.g. "recall_at_k"
    title: str
    png: bytes


@dataclass(frozen=True)
class Report:
    title: str
    tables: list[Table] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def fmt(value: Any) -> str:
    """A metric value as shown in reports: 4 decimals, ms as integers, missing as '—'."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return f"{value:.4f}" if abs(value) < 100 else f"{value:.0f}"
    return str(value)


def metrics_table(metrics: Mapping[str, Any], keys: Iterable[str], title: str = "Metrics") -> Table:
    rows = [[k, fmt(metrics[k])] for k in keys if k in metrics]
    return Table(title, ["metric", "value"], rows)


# --- figures ---------------------------------------------------------------------------------


def _pyplot() -> Any:
    """matplotlib's pyplot, drawing off-screen (the eval extra has it)."""
    with needs_extra("eval", "drawing eval reports"):
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    return plt


def _png(fig: Any) -> bytes:
    plt = _pyplot()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()


def recall_curve_figure(curves: Mapping[str, Sequence[float]], title: str = "Recall@k") -> Figure:
    """Mean recall@k against k, one line per level (document, passage, ...)."""
    fig, ax = _pyplot().subplots(figsize=(5.5, 3.5))
    for label, values in curves.items():
        ks = list(range(1, len(values) + 1))
        ax.plot(ks, values, marker="o", markersize=3, label=label)
    ax.set_xlabel("k")
    ax.set_ylabel("recall@k")
    ax.set_ylim(0, 1.02)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right")
    ax.set_title(title)
    return Figure("recall_at_k", title, _png(fig))


def latency_figure(samples: Mapping[str, Sequence[float]], title: str = "Latency") -> Figure:
    """Histogram of per-question milliseconds, one series per stage."""
    fig, ax = _pyplot().subplots(figsize=(5.5, 3.5))
    for label, values in samples.items():
        if values:
            ax.hist(values, bins=min(30, max(5, len(values) // 3)), alpha=0.55, label=label)
    ax.set_xlabel("milliseconds")
    ax.set_ylabel("questions")
    ax.grid(alpha=0.3)
    ax.legend(loc="upper right")
    ax.set_title(title)
    return Figure("latency", title, _png(fig))


# --- rendering -------------------------------------------------------------------------------


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(report: Report) -> str:
    out = [f"# {report.title}", ""]
    for note in report.notes:
        out += [note, ""]
    for table in report.tables:
        out += [f"## {table.title}", ""]
        if table.note:
            out += [table.note, ""]
        if not table.rows:
            out += ["(none)", ""]
            continue
        out.append("| " + " | ".join(_md_cell(h) for h in table.header) + " |")
        out.append("|" + "---|" * len(table.header))
        out += ["| " + " | ".join(_md_cell(str(c)) for c in row) + " |" for row in table.rows]
        out.append("")
    for figure in report.figures:
        out += [f"## {figure.title}", "", f"![{figure.title}]({figure.name}.png)", ""]
    return "\n".join(out)


_CSS = """body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;
color:#222}table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;
padding:4px 8px;text-align:left;vertical-align:top;font-size:14px}th{background:#f4f4f4}
img{max-width:100%}p.note{color:#555}"""


def render_html(report: Report) -> str:
    esc = html.escape
    out = [
        "<!doctype html>",
        '<html><head><meta charset="utf-8">',
        f"<title>{esc(report.title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{esc(report.title)}</h1>",
    ]
    out += [f'<p class="note">{esc(note)}</p>' for note in report.notes]
    for table in report.tables:
        out.append(f"<h2>{esc(table.title)}</h2>")
        if table.note:
            out.append(f'<p class="note">{esc(table.note)}</p>')
        if not table.rows:
            out.append("<p>(none)</p>")
            continue
        out.append("<table><tr>" + "".join(f"<th>{esc(h)}</th>" for h in table.header) + "</tr>")
        out += [
            "<tr>" + "".join(f"<td>{esc(str(c))}</td>" for c in row) + "</tr>" for row in table.rows
        ]
        out.append("</table>")
    for figure in report.figures:
        data = base64.b64encode(figure.png).decode("ascii")
        out.append(f"<h2>{esc(figure.title)}</h2>")
        out.append(f'<img alt="{esc(figure.title)}" src="data:image/png;base64,{data}">')
    out.append("</body></html>")
    return "\n".join(out)


def write_report(report: Report, out_dir: Path) -> None:
    """report.md (+ one PNG per figure) and a self-contained report.html in `out_dir`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for figure in report.figures:
        (out_dir / f"{figure.name}.png").write_bytes(figure.png)
    (out_dir / "report.md").write_text(render_markdown(report), encoding="utf-8")
    (out_dir / "report.html").write_text(render_html(report), encoding="utf-8")


def write_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8"
    )


def write_jsonl(path: Path, rows: Iterable[Mapping[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")


# --- eval runs -------------------------------------------------------------------------------


def _short(text: str, limit: int = 140) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def failure_reason(case: CaseResult) -> str | None:
    """Why a case counts as a failure in the report, or None if it does not."""
    if case.error:
        return f"error: {case.error}"
    if not case.answerable:
        return None if case.abstained else "answered an unanswerable question"
    if case.abstained:
        return "abstained on an answerable question"
    if case.scores.get("recall@10") == 0.0:
        return "no gold document in the top 10"
    if case.unsupported_sentences:
        return f"{len(case.unsupported_sentences)} unsupported sentence(s)"
    if case.counts.get("citations", 0) > case.counts.get("exact_quotes", 0):
        return "a citation quote does not match the document"
    return None


def failures_table(cases: Sequence[CaseResult]) -> Table:
    rows = []
    for case in cases:
        reason = failure_reason(case)
        if reason is None:
            continue
        gold = "; ".join(case.gold_sources) or "(unanswerable)"
        if case.gold_quotes:
            gold += " — “" + _short(case.gold_quotes[0], 80) + "”"
        cited = "; ".join(
            f"[{c.marker}] {c.doc_id}: “{_short(c.quote, 80)}”" for c in case.citations
        )
        rows.append([case.id, _short(case.question, 100), gold, cited or "(nothing cited)", reason])
    shown = rows[:MAX_FAILURES]
    note = f"{len(rows)} failing case(s)" + (
        f"; first {MAX_FAILURES} shown" if len(rows) > len(shown) else ""
    )
    return Table("Failures", ["id", "question", "gold", "cited", "why"], shown, note)


def eval_report(result: EvalResult) -> Report:
    m = result.metrics
    tables = [
        metrics_table(m, RUN_INFO, "Run"),
        metrics_table(m, SUMMARY_METRICS, "Metrics"),
        failures_table(result.cases),
        Table(
            "Dataset problems (not scored)",
            ["problem"],
            [[p] for p in result.problems],
        ),
    ]
    if result.ingest_failures:
        tables.append(
            Table(
                "Corpus files that failed to ingest",
                ["file"],
                [[f] for f in result.ingest_failures],
            )
        )
    figures = []
    if result.recall_curves:
        figures.append(recall_curve_figure(result.recall_curves, "Recall@k (answerable cases)"))
    timed = [c for c in result.cases if c.error is None]
    if timed:
        figures.append(
            latency_figure(
                {
                    s: [getattr(c.timings, f"{s}_ms") for c in timed]
                    for s in ("retrieve", "answer", "total")
                },
                "Latency per question",
            )
        )
    name = Path(str(m.get("dataset", "dataset"))).name
    title = f"complyqa eval — {name} ({m.get('profile')}, {m.get('mode')})"
    return Report(title, tables, figures)


def write_eval_outputs(result: EvalResult, out_dir: Path) -> None:
    """metrics.json, cases.jsonl, report.md and report.html for one eval run."""
    write_json(out_dir / "metrics.json", result.metrics)
    write_jsonl(out_dir / "cases.jsonl", (c.model_dump(mode="json") for c in result.cases))
    write_report(eval_report(result), out_dir)
