"""The ObliQA passage-retrieval benchmark (Gokhan et al., 2024; baselines in Rayo et al., 2025).

The 40 regulatory documents come pre-cut into passages; each passage becomes exactly one chunk
keyed by its `PassageID`, so a retrieved chunk can be matched to the gold passage ids. The index
lives in its own data dir, keyed by a hash of the document files and the embedding and
chunking settings, so the slow embedding happens once per configuration.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from tqdm import tqdm

from assistant.models import IngestReport, Passage
from evals.metrics import percentiles, ranking_metrics, unique_in_order
from evals.report import (
    Figure,
    Report,
    Table,
    fmt,
    latency_figure,
    metrics_table,
    recall_curve_figure,
    write_json,
    write_jsonl,
    write_report,
)
from evals.splits import select
from ingest.errors import ComplyqaError

if TYPE_CHECKING:
    from assistant.settings import Settings
    from ingest.models import Document

log = logging.getLogger(__name__)

METRICS = ("recall@10", "map@10", "recall@20", "map@20", "mrr@10", "ndcg@10")
SEARCH_K = 20
DOC_PREFIX = "obliqa/"
#: Rayo et al., "A Hybrid Approach to Information Retrieval and Answer Generation for
#: Regulatory Texts" (RegNLP 2025), Table 2: Recall@10 and MAP@10 on ObliQA.
PUBLISHED = (
    ("BM25 (Rayo et al. 2025)", 0.7611, 0.6237),
    ("Semantic, fine-tuned (Rayo et al. 2025)", 0.8103, 0.6286),
    ("Hybrid (Rayo et al. 2025)", 0.8333, 0.7016),
)
# Chunk keys derived from a passage id: the loader makes repeated ids unique as "ID~2", and the
# splitter cuts a passage longer than `chunking.max_chars` into windows "ID", "ID#2", ...; all
# of them are that passage.
_KEY_SUFFIX = re.compile(r"(?:[#~]\d+)+$")


class BenchmarkDataError(ComplyqaError):
    """The benchmark files are missing or not in the ObliQA format."""


@dataclass(frozen=True)
class ObliqaQuestion:
    """One ObliQA question and the passages the benchmark judges relevant to it."""

    id: str
    question: str
    gold: tuple[str, ...]  # passage refs, "obliqa/<DocumentID>::<PassageID>"
    group: str | None = None


class SearchQA(Protocol):
    def ingest_documents(
        self, documents: Sequence[Document], *, progress: bool = False
    ) -> IngestReport: ...
    def search(self, query: str, *, k: int | None = None) -> list[Passage]: ...


def doc_id_for(document_id: object) -> str:
    return f"{DOC_PREFIX}{document_id}"


def passage_ref(doc_id: str, passage_id: str) -> str:
    """The relevance id of a passage: document id and source passage id (chunk suffixes cut)."""
    return f"{doc_id}::{_KEY_SUFFIX.sub('', passage_id)}"


def resolve_questions_file(data_dir: Path, split: str) -> Path:
    """`split` is `dev`/`test`/... (→ `DIR/ObliQA_<split>.json`) or a path to a questions file."""
    direct = Path(split)
    if direct.suffix == ".json" and direct.is_file():
        return direct
    path = Path(data_dir) / f"ObliQA_{split}.json"
    if not path.is_file():
        found = (
            sorted(p.name for p in Path(data_dir).glob("ObliQA_*.json"))
            if Path(data_dir).is_dir()
            else []
        )
        hint = f"; found: {', '.join(found)}" if found else ""
        raise BenchmarkDataError(
            f"no ObliQA questions file {path}{hint} (pass --split NAME or a .json path)"
        )
    return path


def _read_json_list(path: Path) -> list[Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, json.JSONDecodeError) as exc:
        raise BenchmarkDataError(f"cannot read {path}: {exc}") from exc
    if not isinstance(data, list):
        raise BenchmarkDataError(f"{path} must hold a JSON list")
    return data


def load_questions(path: Path) -> list[ObliqaQuestion]:
    """Questions with their gold passage refs; a malformed record names its position."""
    questions = []
    for i, raw in enumerate(_read_json_list(path)):
        try:
            gold = tuple(
                unique_in_order(
                    passage_ref(doc_id_for(p["DocumentID"]), str(p["PassageID"]))
                    for p in raw["Passages"]
                )
            )
            questions.append(
                ObliqaQuestion(
                    id=str(raw.get("QuestionID", i)),
                    question=str(raw["Question"]),
                    gold=gold,
                    group=None if raw.get("Group") is None else str(raw["Group"]),
                )
            )
        except (KeyError, TypeError) as exc:
            raise BenchmarkDataError(
                f"{path}: record {i} is not an ObliQA question (needs Question and "
                f"Passages[{{DocumentID, PassageID}}]): missing {exc}"
            ) from exc
    return questions


def document_files(data_dir: Path) -> list[Path]:
    files = sorted((Path(data_dir) / "documents").glob("*.json"))
    if not files:
        raise BenchmarkDataError(f"no ObliQA document files in {Path(data_dir) / 'documents'}")
    return files


def load_documents(files: Sequence[Path]) -> list[Document]:
    """One `Document` per ObliQA DocumentID, one segment per non-empty passage, ids kept."""
    from ingest.formats.passages import document_from_passages

    by_doc: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for path in files:
        for i, raw in enumerate(_read_json_list(path)):
            try:
                text = str(raw.get("Passage") or "")
                if text.strip():  # about 5% of passages are empty headings
                    by_doc[str(raw["DocumentID"])].append((str(raw["PassageID"]), text))
            except (KeyError, AttributeError) as exc:
                raise BenchmarkDataError(
                    f"{path}: record {i} lacks DocumentID/PassageID/Passage"
                ) from exc
    return [
        document_from_passages(doc_id_for(d), passages, title=f"ObliQA document {d}", language="en")
        for d, passages in sorted(by_doc.items(), key=lambda item: _natural(item[0]))
    ]


def _natural(text: str) -> tuple[int, str]:
    return (int(text), "") if text.isdigit() else (1 << 30, text)


def index_key(files: Sequence[Path], settings: Settings) -> str:
    """Hash of the document files and of everything that shapes the stored vectors."""
    digest = hashlib.sha256()
    for path in sorted(files):
        digest.update(path.name.encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    digest.update(settings.embedding.model_dump_json().encode())
    digest.update(settings.chunking.model_dump_json().encode())
    return digest.hexdigest()[:16]


def benchmark_settings(settings: Settings, key: str) -> Settings:
    """The same settings, pointed at the benchmark's own local index."""
    # A local data dir even when a Chroma server is configured: benchmark passages must never
    # land in the shared index.
    return settings.model_copy(
        update={"data_dir": Path(settings.data_dir) / "obliqa" / key, "chroma_url": None}
    )


def ensure_index(
    qa: SearchQA, files: Sequence[Path], marker: Path, *, progress: bool
) -> dict[str, Any]:
    """Ingest the documents unless this data dir already holds them (marker file written last)."""
    if marker.is_file():
        return dict(json.loads(marker.read_text(encoding="utf-8")))
    docs = load_documents(files)
    started = time.perf_counter()
    report = qa.ingest_documents(docs, progress=progress)
    if report.failed:
        raise BenchmarkDataError(
            "ObliQA ingest failed: " + "; ".join(f"{f.path}: {f.reason}" for f in report.failed)
        )
    info = {
        "documents": len(docs),
        "passages": sum(len(d.segments) for d in docs),
        "chunks_embedded": report.chunks_embedded,
        "ingest_seconds": round(time.perf_counter() - started, 1),
    }
    write_json(marker, info)
    return info


def run_obliqa(
    data_dir: Path,
    split: str,
    settings: Settings,
    out_dir: Path,
    *,
    limit: int | None = None,
    qa: SearchQA | None = None,
    progress: bool = True,
    subset: str = "all",
) -> dict[str, Any]:
    """Retrieve the top 20 passages for every question and score them; returns the metrics.

    `subset` keeps the train or held-out questions of evals/splits.py.
    """
    questions_path = resolve_questions_file(data_dir, split)
    questions = select(load_questions(questions_path), subset, limit)
    files = document_files(data_dir)
    key = index_key(files, settings)
    bench = benchmark_settings(settings, key)
    if qa is None:
        from assistant.service import ComplyQA

        qa = ComplyQA(bench)
    index_info = ensure_index(
        qa, files, Path(bench.data_dir) / "obliqa_index.json", progress=progress
    )

    if questions:
        qa.search(questions[0].question, k=SEARCH_K)  # warm-up: model load is not latency
    rankings: dict[str, list[str]] = {}
    latencies: list[float] = []
    for q in tqdm(questions, desc="obliqa", unit="q", disable=not progress):
        started = time.perf_counter()
        passages = qa.search(q.question, k=SEARCH_K)
        latencies.append((time.perf_counter() - started) * 1000)
        rankings[q.id] = unique_in_order(passage_ref(p.doc_id, p.key) for p in passages)

    gold = {q.id: q.gold for q in questions}
    scores = ranking_metrics(gold, rankings, METRICS, curve_k=SEARCH_K)
    p50, p95 = percentiles(latencies)
    metrics: dict[str, Any] = {
        **{m: scores.mean[m] for m in METRICS},
        "level": "passage",
        "latency_p50_ms": p50,
        "latency_p95_ms": p95,
        "n_cases": scores.n_queries,
        "profile": settings.profile,
        "dataset": str(questions_path),
        "split": split,
        "subset": subset,
        "relevance_model": getattr(getattr(qa, "reranker", None), "version", None),
        "embedding_model": settings.embedding.model,
        "index_key": key,
        "index_dir": str(bench.data_dir),
        **{f"index_{k}": v for k, v in index_info.items()},
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    out_dir = Path(out_dir)
    write_json(out_dir / "metrics.json", metrics)
    write_jsonl(
        out_dir / "cases.jsonl",
        (
            {
                "id": q.id,
                "question": q.question,
                "group": q.group,
                "gold": list(q.gold),
                "retrieved": rankings[q.id],
                "scores": scores.per_query.get(q.id, {}),
            }
            for q in questions
        ),
    )
    curve = scores.curve
    write_report(
        obliqa_report(metrics, questions, rankings, scores.per_query, curve, latencies), out_dir
    )
    return metrics


def obliqa_report(
    metrics: dict[str, Any],
    questions: Sequence[ObliqaQuestion],
    rankings: dict[str, list[str]],
    per_query: dict[str, dict[str, float]],
    curve: list[float],
    latencies: list[float],
) -> Report:
    ours = (
        f"complyqa hybrid ({metrics['embedding_model']}, profile {metrics['profile']}, "
        f"{metrics['split']})"
    )
    rows = [[name, fmt(r10), fmt(m10), "—", "—"] for name, r10, m10 in PUBLISHED]
    rows.append([ours] + [fmt(metrics[m]) for m in ("recall@10", "map@10", "recall@20", "map@20")])
    comparison = Table(
        "Passage retrieval vs. published baselines",
        ["system", "Recall@10", "MAP@10", "Recall@20", "MAP@20"],
        rows,
        "Published rows: Rayo et al. (RegNLP 2025), Table 2, with their own models and evaluation; "
        "ours: ranx over qa.search(k=20). Check that the split matches before comparing.",
    )
    misses = [
        [q.id, q.question[:140], "; ".join(q.gold), "; ".join(rankings[q.id][:3])]
        for q in questions
        if per_query.get(q.id, {}).get("recall@20") == 0.0
    ]
    failures = Table(
        "Failures: no gold passage in the top 20",
        ["id", "question", "gold passages", "top 3 retrieved"],
        misses[:50],
        f"{len(misses)} question(s) missed entirely"
        + ("; first 50 shown" if len(misses) > 50 else ""),
    )
    info_keys = ("profile", "split", "dataset", "n_cases", "embedding_model", "index_key",
                 "index_passages", "latency_p50_ms", "latency_p95_ms", "created_at")  # fmt: skip
    figures: list[Figure] = [
        recall_curve_figure({"passage": curve}, "ObliQA passage recall@k"),
        latency_figure({"search": latencies}, "Search latency per question"),
    ]
    return Report(
        "complyqa — ObliQA passage retrieval",
        [
            metrics_table(metrics, info_keys, "Run"),
            metrics_table(metrics, METRICS, "Metrics (ranx)"),
            comparison,
            failures,
        ],
        figures,
    )
