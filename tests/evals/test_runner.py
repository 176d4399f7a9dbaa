"""Scoring single answers, aggregating a run, and `run_eval` end to end over a tiny corpus."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from assistant.cli.output import USER_ERROR
from assistant.models import Answer, Citation, DocumentInfo, Passage, Timings
from assistant.service import ComplyQA
from evals.citations import DocumentTexts
from evals.cli import register
from evals.dataset import EvalCase
from evals.results import CaseResult
from evals.runner import Versions, aggregate, run_eval, score_case

LAW = "第二十一条 网络运营者应当履行安全保护义务。\n\n第二十二条 网络运营者应当留存相关的网络日志不少于六个月。"
EAR = "Section 744.23 applies to exports of advanced computing items.\n\nLicence applications are reviewed within 30 days of receipt."

REQUIRED_KEYS = {
    "recall@1", "recall@5", "recall@10", "mrr@10", "ndcg@10", "map@10",
    "citation_precision", "citation_recall", "quote_exact_rate", "answer_f1",
    "abstention_precision", "abstention_recall", "unsupported_claim_rate",
    "latency_p50_ms", "latency_p95_ms", "n_cases", "profile",
}  # fmt: skip


def passage(doc_id: str, text: str, doc: str) -> Passage:
    start = doc.find(text)
    return Passage(
        chunk_id=f"{doc_id}::h::{start}",
        doc_id=doc_id,
        title=doc_id,
        text=text,
        start=start,
        end=start + len(text),
        score=1.0,
    )


def test_score_case() -> None:
    quote = "留存相关的网络日志不少于六个月"
    case = EvalCase(
        id="q1",
        question="日志留存多久？",
        answerable=True,
        gold_sources=("law",),
        gold_quotes=(quote,),
        reference_answer="网络日志不少于六个月。",
    )
    start = LAW.find(quote)
    answer = Answer(
        question=case.question,
        text=f"{quote}。[1]",
        citations=[
            Citation(
                marker=1,
                doc_id="law",
                title="law",
                start=start,
                end=start + len(quote),
                quote=quote,
            )
        ],
        passages=[
            passage("ear", EAR[:20], EAR),
            passage("law", LAW[24:], LAW),
            passage("law", LAW[:10], LAW),
        ],
        timings=Timings(total_ms=12.0),
    )
    texts = DocumentTexts({"law": LAW, "ear": EAR}.__getitem__)
    result = score_case(case, answer, texts)
    assert result.retrieved_doc_ids == ["ear", "law"]
    assert result.passage_gold == ["q1#q0"]
    assert result.passage_ranking[1] == "q1#q0"
    assert result.scores["citation_precision"] == 1.0 and result.scores["quote_exact_rate"] == 1.0
    assert result.scores["gold_quote_containment"] == 1.0
    assert 0 < (result.scores["answer_f1"] or 0) < 1


def test_any_version_of_a_gold_instrument_counts_as_the_gold_source() -> None:
    """The old text is gold; the answer, as of today, cites the amended one (same quote)."""
    old, new = "interp(2012).md", "interp(2021).md"
    versions = Versions(
        [
            DocumentInfo(doc_id=d, title="t", language="zh", group="g", content_hash=d,
                         n_chunks=1, instrument=instrument)
            for d, instrument in ((old, "interp"), (new, "interp"), ("other.md", "other"))
        ]
    )  # fmt: skip
    case = EvalCase(
        id="v1", question="?", answerable=True, gold_sources=(old,), gold_quotes=("留存",)
    )
    texts = DocumentTexts({old: "旧 留存", new: "新 留存", "other.md": "x"}.__getitem__)
    answer = Answer(
        question="?",
        text="",
        abstained=True,
        passages=[passage("other.md", "x", "x"), passage(new, "新 留存", "新 留存")],
    )
    result = score_case(case, answer, texts, versions)
    assert result.retrieved_doc_ids == ["other.md", new]
    assert result.ranked_sources == ["other.md", old]
    assert result.passage_ranking[1] == "v1#q0"  # the quote found in the current version
    assert aggregate([result])[0]["recall@5"] == 1.0
    assert "recall@100" not in aggregate([result])[0]
    assert aggregate([result], k=100)[0]["recall@100"] == 1.0
    assert aggregate([score_case(case, answer, texts)])[0]["recall@5"] == 0.0  # version-blind off


def case_result(cid: str, answerable: bool, **kw: object) -> CaseResult:
    base: dict[str, object] = {"id": cid, "question": cid, "answerable": answerable}
    return CaseResult.model_validate(base | kw)


def test_aggregate_known_values() -> None:
    cases = [
        case_result(
            "a", True, gold_sources=["d1"], retrieved_doc_ids=["d2", "d1"],
            passage_gold=["a#q0"], passage_ranking=["x", "a#q0"],
            counts={"sentences": 2, "supported_sentences": 1, "citations": 2, "exact_quotes": 2},
            scores={"citation_precision": 0.5, "citation_recall": 0.5, "answer_f1": 0.4},
            timings=Timings(retrieve_ms=10, total_ms=100), mode="llm", sentences_removed=2,
        ),
        case_result(
            "b", True, gold_sources=["d3"], retrieved_doc_ids=["d3"],
            counts={"sentences": 2, "supported_sentences": 2, "citations": 1, "exact_quotes": 0},
            scores={"citation_precision": 1.0, "citation_recall": 1.0, "answer_f1": 0.8},
            timings=Timings(retrieve_ms=20, total_ms=200), mode="llm",
        ),
        case_result("c", False, abstained=True, timings=Timings(total_ms=300), mode="llm"),
        case_result("d", True, gold_sources=["d4"], abstained=True, timings=Timings(total_ms=400)),
    ]  # fmt: skip
    m, curves = aggregate(cases)
    # documents: a finds d1 at rank 2, b at rank 1, d retrieves nothing
    assert m["recall@1"] == pytest.approx(1 / 3) and m["mrr@10"] == pytest.approx(0.5)
    assert m["n_doc_retrieval_cases"] == 3 and m["n_passage_retrieval_cases"] == 1
    assert m["passage_mrr@10"] == pytest.approx(0.5)
    assert cases[0].scores["recall@1"] == 0.0 and cases[1].scores["recall@1"] == 1.0
    assert m["citation_precision"] == pytest.approx(0.75)  # macro over answers a and b
    assert m["quote_exact_rate"] == pytest.approx(2 / 3)  # micro over 3 citations
    assert m["answer_f1"] == pytest.approx(0.6)
    assert m["unsupported_claim_rate"] == pytest.approx(1 / 4)
    assert m["unsupported_claim_rate_before_verification"] == pytest.approx(3 / 6)
    assert m["sentences_removed"] == 2
    assert m["abstention_precision"] == pytest.approx(0.5) and m["abstention_recall"] == 1.0
    assert m["latency_p50_ms"] == pytest.approx(250.0)
    assert m["latency_retrieve_p50_ms"] == pytest.approx(5.0)
    assert len(curves["document"]) == 10 and len(curves["passage"]) == 10


@pytest.fixture
def tiny(tmp_path: Path) -> tuple[Path, Path]:
    corpus = tmp_path / "corpus"
    (corpus / "cn").mkdir(parents=True)
    (corpus / "us").mkdir()
    (corpus / "cn" / "logs.txt").write_text(LAW, encoding="utf-8")
    (corpus / "us" / "ear.txt").write_text(EAR, encoding="utf-8")
    rows = [
        {"id": "q1", "question": "网络日志应当留存多久？", "answerable": True,
         "gold_sources": ["cn/logs.txt"], "gold_quotes": ["留存相关的网络日志不少于六个月"],
         "reference_answer": "不少于六个月。"},
        {"id": "q2", "question": "How fast are licence applications reviewed?", "answerable": True,
         "gold_sources": ["ear.txt"], "gold_quotes": ["reviewed within 30 days"],
         "reference_answer": "Within 30 days of receipt."},
        {"id": "q3", "question": "What is the speed limit on German motorways?",
         "answerable": False, "gold_sources": [], "gold_quotes": []},
        {"id": "q4", "question": "Broken case", "answerable": True,
         "gold_sources": ["us/ear.txt"], "gold_quotes": ["not in the text"]},
    ]  # fmt: skip
    dataset = tmp_path / "set.jsonl"
    dataset.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    return dataset, corpus


def test_run_eval_end_to_end(
    tiny: tuple[Path, Path], tmp_path: Path, make_fake_qa: Callable[..., ComplyQA]
) -> None:
    dataset, corpus = tiny
    qa = make_fake_qa()
    out = tmp_path / "out"
    result = run_eval(dataset, corpus, qa.settings, out, qa=qa, progress=False)

    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics.keys() >= REQUIRED_KEYS
    assert (
        metrics["n_cases"] == 3 and metrics["n_problems"] == 1 and metrics["profile"] == "default"
    )
    assert metrics["recall@10"] == 1.0  # two documents, both always retrieved
    assert metrics["passage_recall@10"] is not None
    assert metrics["mode"] == "extractive" and metrics["k"] >= 10
    rows = [json.loads(line) for line in (out / "cases.jsonl").read_text().splitlines()]
    assert [r["id"] for r in rows] == ["q1", "q2", "q3"]
    assert all(r["retrieved_doc_ids"] and r["retrieved_chunk_ids"] for r in rows)
    assert all("recall@5" in r["scores"] for r in rows if r["answerable"])
    assert "q4" in (out / "report.md").read_text()  # the broken case is listed as a problem
    assert (out / "report.html").is_file()
    # Quotes from the real facade are exact document slices.
    if any(c.citations for c in result.cases):
        assert metrics["quote_exact_rate"] == 1.0


def test_run_command_user_errors(tmp_path: Path) -> None:
    app = typer.Typer()

    @app.callback()
    def _root() -> None:
        pass

    register(app)
    runner = CliRunner()

    def run(*args: str) -> tuple[int, str]:
        result = runner.invoke(app, ["eval", "run", *args])
        return result.exit_code, " ".join(result.output.split())  # undo rich's wrapping

    code, out = run("--dataset", str(tmp_path / "nope.jsonl"))
    assert code == USER_ERROR and "does not exist" in out and "Traceback" not in out
    code, out = run("--profile", "no-such-profile")
    assert code == USER_ERROR and "unknown settings profile" in out
    code, out = run("--gate", "recall@5 high")
    assert code == USER_ERROR and "bad gate bound" in out


def test_llm_mode_without_endpoint_stops_the_run(
    tiny: tuple[Path, Path], tmp_path: Path, make_fake_qa: Callable[..., ComplyQA]
) -> None:
    from ingest.errors import ConfigurationError

    dataset, corpus = tiny
    qa = make_fake_qa()
    with pytest.raises(ConfigurationError, match="COMPLYQA_LLM_BASE_URL"):
        run_eval(dataset, corpus, qa.settings, tmp_path / "out", "llm", qa=qa, progress=False)
    assert not (tmp_path / "out" / "metrics.json").exists()
