"""Report files written from a hand-made result: JSON, JSONL, Markdown and self-contained HTML."""

from __future__ import annotations

import json
import re
from pathlib import Path

from assistant.models import Citation, Timings
from evals.report import Report, Table, eval_report, fmt, render_markdown, write_eval_outputs
from evals.results import CaseResult, EvalResult


def fake_result() -> EvalResult:
    good = CaseResult(
        id="q1",
        question="How long must network logs be kept?",
        answerable=True,
        gold_sources=["cn/law.md"],
        gold_quotes=["不少于六个月"],
        retrieved_doc_ids=["cn/law.md"],
        answer="留存网络日志不少于六个月。[1]",
        citations=[
            Citation(
                marker=1, doc_id="cn/law.md", title="law", start=3, end=9, quote="不少于六个月"
            )
        ],
        timings=Timings(retrieve_ms=20, answer_ms=5, total_ms=26),
        counts={"citations": 1, "exact_quotes": 1, "sentences": 1},
        scores={"recall@10": 1.0},
    )
    wrong = CaseResult(
        id="q2",
        question="What is the fine for jaywalking | in Paris?",
        answerable=False,
        answer="Pedestrians pay 135 euros. [1]",
        citations=[
            Citation(marker=1, doc_id="us/ear.md", title="EAR", start=0, end=4, quote="Part")
        ],
        timings=Timings(retrieve_ms=30, answer_ms=6, total_ms=40),
    )
    missed = CaseResult(
        id="q3",
        question="Which permit is needed for IaaS?",
        answerable=True,
        gold_sources=["seeds/a.txt"],
        gold_quotes=["a B11 permit"],
        abstained=True,
        answer="The indexed sources do not contain an answer to this question.",
        timings=Timings(retrieve_ms=25, answer_ms=1, total_ms=27),
    )
    metrics = {
        "recall@5": 0.5,
        "unsupported_claim_rate": 0.0,
        "abstention_precision": None,
        "latency_p50_ms": 27.0,
        "n_cases": 3,
        "profile": "default",
        "mode": "extractive",
        "dataset": "evals/datasets/dev.jsonl",
    }
    return EvalResult(
        metrics=metrics,
        cases=[good, wrong, missed],
        problems=["line 7 (q7): gold quote 'xyz' is not in the normalized text of a.txt"],
        recall_curves={"document": [0.3, 0.5, 0.5], "passage": [0.1, 0.2, 0.4]},
    )


def test_write_eval_outputs(tmp_path: Path) -> None:
    result = fake_result()
    write_eval_outputs(result, tmp_path)

    assert json.loads((tmp_path / "metrics.json").read_text()) == result.metrics
    rows = [json.loads(line) for line in (tmp_path / "cases.jsonl").read_text().splitlines()]
    assert [r["id"] for r in rows] == ["q1", "q2", "q3"]
    assert rows[0]["citations"][0]["quote"] == "不少于六个月" and rows[2]["abstained"] is True

    md = (tmp_path / "report.md").read_text()
    assert "| recall@5 | 0.5000 |" in md and "| abstention_precision | — |" in md
    assert "answered an unanswerable question" in md and "abstained on an answerable" in md
    assert "jaywalking \\| in Paris" in md  # table cells are escaped
    assert "line 7 (q7)" in md  # dataset problems listed, not scored
    assert "q1 |" not in md.split("## Failures")[1].split("##")[0]  # a passing case is no failure
    assert (tmp_path / "recall_at_k.png").read_bytes().startswith(b"\x89PNG")
    assert "![Latency per question](latency.png)" in md

    html = (tmp_path / "report.html").read_text()
    images = re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', html)
    assert len(images) == 2  # recall@k and latency, embedded
    assert 'src="http' not in html and "<link" not in html  # self-contained
    assert "&lt;" not in "".join(images)


def test_html_escapes_user_text(tmp_path: Path) -> None:
    report = Report("t", [Table("x", ["a"], [["<script>alert(1)</script>"]])])
    from evals.report import render_html

    assert "<script>" not in render_html(report)
    assert "&lt;script&gt;" in render_html(report)
    assert "(none)" in render_markdown(Report("t", [Table("empty", ["a"], [])]))


def test_eval_report_without_curves_has_latency_only() -> None:
    result = fake_result().model_copy(update={"recall_curves": {}})
    assert [f.name for f in eval_report(result).figures] == ["latency"]


def test_fmt() -> None:
    assert fmt(0.123456) == "0.1235" and fmt(1234.5) == "1234" and fmt(None) == "—"
    assert fmt(float("nan")) == "—" and fmt(3) == "3" and fmt(True) == "true"
