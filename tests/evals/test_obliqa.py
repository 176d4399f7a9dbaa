"""ObliQA loading, index caching and the benchmark end to end on a tiny synthetic dataset."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from assistant.service import ComplyQA
from assistant.settings import Settings
from evals.obliqa import (
    BenchmarkDataError,
    benchmark_settings,
    document_files,
    index_key,
    load_documents,
    load_questions,
    passage_ref,
    resolve_questions_file,
    run_obliqa,
)

DOCS = {
    "1.json": [
        {"ID": "a", "DocumentID": 1, "PassageID": "1.", "Passage": "INTRODUCTION"},
        {"ID": "b", "DocumentID": 1, "PassageID": "1.1.1", "Passage": ""},
        {"ID": "c", "DocumentID": 1, "PassageID": "2.1.1",
         "Passage": "An Authorised Person must maintain capital resources of at least USD 10 million."},
        {"ID": "d", "DocumentID": 1, "PassageID": "2.1.2",
         "Passage": "Capital must be reported to the Regulator every quarter."},
        {"ID": "e", "DocumentID": 1, "PassageID": "2.1.2",
         "Passage": "A repeated passage id: the quarterly capital report is filed electronically."},
    ],
    "2.json": [
        {"ID": "f", "DocumentID": 2, "PassageID": "7.3",
         "Passage": "A Listed Entity must disclose inside information to the market without delay."},
        {"ID": "g", "DocumentID": 2, "PassageID": "7.4",
         "Passage": "Sanctions for late disclosure include fines and suspension of trading."},
    ],
}  # fmt: skip
QUESTIONS = [
    {"QuestionID": "q-cap", "Question": "What minimum capital must an Authorised Person maintain?",
     "Passages": [{"DocumentID": 1, "PassageID": "2.1.1", "Passage": "..."}], "Group": 1},
    {"QuestionID": "q-disc", "Question": "When must a Listed Entity disclose inside information?",
     "Passages": [{"DocumentID": 2, "PassageID": "7.3", "Passage": "..."},
                  {"DocumentID": 2, "PassageID": "7.4", "Passage": "..."}], "Group": 2},
    {"QuestionID": "q-rep", "Question": "How often is capital reported to the Regulator?",
     "Passages": [{"DocumentID": 1, "PassageID": "2.1.2", "Passage": "..."}], "Group": 1},
]  # fmt: skip


@pytest.fixture
def data(tmp_path: Path) -> Path:
    root = tmp_path / "obliqa"
    (root / "documents").mkdir(parents=True)
    for name, records in DOCS.items():
        (root / "documents" / name).write_text(json.dumps(records), encoding="utf-8")
    (root / "ObliQA_dev.json").write_text(json.dumps(QUESTIONS), encoding="utf-8")
    return root


def test_questions_file_by_split_or_path(data: Path, tmp_path: Path) -> None:
    assert resolve_questions_file(data, "dev") == data / "ObliQA_dev.json"
    other = tmp_path / "mine.json"
    other.write_text(json.dumps(QUESTIONS[:1]))
    assert resolve_questions_file(data, str(other)) == other
    with pytest.raises(BenchmarkDataError, match="ObliQA_dev.json"):
        resolve_questions_file(data, "test")  # the message lists the files that exist


def test_load_questions(data: Path) -> None:
    questions = load_questions(data / "ObliQA_dev.json")
    assert [q.id for q in questions] == ["q-cap", "q-disc", "q-rep"]
    assert questions[1].gold == ("obliqa/2::7.3", "obliqa/2::7.4")
    bad = data / "bad.json"
    bad.write_text(json.dumps([{"Question": "no passages"}]))
    with pytest.raises(BenchmarkDataError, match="record 0"):
        load_questions(bad)


def test_load_documents_keeps_passage_ids_and_skips_empty(data: Path) -> None:
    docs = load_documents(document_files(data))
    assert [d.doc_id for d in docs] == ["obliqa/1", "obliqa/2"]
    keys = [s.key for s in docs[0].segments]
    assert keys == ["1.", "2.1.1", "2.1.2", "2.1.2~2"]  # empty 1.1.1 skipped, repeat suffixed
    for seg in docs[0].segments:
        assert docs[0].text[seg.start : seg.end].strip()
    assert (
        passage_ref("obliqa/1", "2.1.2~2") == passage_ref("obliqa/1", "2.1.2") == "obliqa/1::2.1.2"
    )


def test_window_and_repeat_suffixes_map_back_to_the_passage() -> None:
    assert passage_ref("obliqa/1", "2.1.2#3") == "obliqa/1::2.1.2"
    assert passage_ref("obliqa/1", "2.1.2~2#2") == "obliqa/1::2.1.2"


def test_a_long_passage_cut_into_windows_is_still_one_passage(
    data: Path, tmp_path: Path, make_fake_qa: Callable[..., ComplyQA]
) -> None:
    long_text = " ".join(f"Sentence {i} about capital adequacy requirements." for i in range(80))
    records = json.loads((data / "documents" / "2.json").read_text())
    records.append({"ID": "h", "DocumentID": 2, "PassageID": "9.9", "Passage": long_text})
    (data / "documents" / "2.json").write_text(json.dumps(records))
    qa = make_fake_qa(chunking={"max_chars": 400, "overlap_chars": 0})
    run_obliqa(data, "dev", qa.settings, tmp_path / "out", qa=qa, progress=False)
    out = (tmp_path / "out" / "cases.jsonl").read_text().splitlines()
    retrieved = [ref for line in out for ref in json.loads(line)["retrieved"]]
    assert "obliqa/2::9.9" in retrieved and not any("#" in ref for ref in retrieved)


def test_index_key_follows_files_and_embedding_settings(data: Path, tmp_path: Path) -> None:
    files = document_files(data)
    settings = Settings.load(data_dir=tmp_path / "d")
    key = index_key(files, settings)
    assert key == index_key(files, Settings.load(data_dir=tmp_path / "elsewhere"))
    assert key != index_key(
        files, Settings.load(data_dir=tmp_path / "d", chunking={"max_chars": 900})
    )
    assert key != index_key(files, Settings.load(embedding={"model": "other-model"}))
    bench = benchmark_settings(settings.model_copy(update={"chroma_url": "http://x"}), key)
    assert bench.data_dir == tmp_path / "d" / "obliqa" / key and bench.chroma_url is None


def test_run_obliqa_with_fake_embedder(
    data: Path, tmp_path: Path, make_fake_qa: Callable[..., ComplyQA]
) -> None:
    qa = make_fake_qa()
    out = tmp_path / "out"
    metrics = run_obliqa(data, "dev", qa.settings, out, qa=qa, progress=False)
    assert metrics["n_cases"] == 3 and metrics["level"] == "passage"
    assert metrics["index_passages"] == 6  # the empty passage is skipped
    # 6 passages in all, 20 retrieved: every gold passage is in the top 20.
    assert metrics["recall@20"] == 1.0
    assert 0 < metrics["map@10"] <= 1
    assert json.loads((out / "metrics.json").read_text())["recall@10"] == metrics["recall@10"]
    rows = [json.loads(line) for line in (out / "cases.jsonl").read_text().splitlines()]
    assert rows[1]["gold"] == ["obliqa/2::7.3", "obliqa/2::7.4"]
    assert all(len(r["retrieved"]) == len(set(r["retrieved"])) for r in rows)
    md = (out / "report.md").read_text()
    assert "0.8333" in md and "0.7016" in md  # published hybrid row next to ours
    # The marker file makes a second run skip ingest entirely.
    calls: list[int] = []
    qa.ingest_documents = lambda docs, progress=False: calls.append(1)  # type: ignore[method-assign,assignment,misc]
    run_obliqa(data, "dev", qa.settings, tmp_path / "out2", qa=qa, progress=False, limit=1)
    assert calls == []


@pytest.mark.slow
def test_run_obliqa_with_real_facade(data: Path, tmp_path: Path) -> None:
    """The real embedding model, index and hybrid search; the index lands in its keyed dir."""
    settings = Settings.load(data_dir=tmp_path / "data")
    metrics = run_obliqa(data, "dev", settings, tmp_path / "out", progress=False)
    assert metrics["n_cases"] == 3
    assert metrics["recall@10"] == 1.0  # 6 passages: every gold one is in the top 10
    assert metrics["mrr@10"] >= 0.5  # lexical overlap alone puts the gold passage near the top
    assert Path(metrics["index_dir"]).parent == tmp_path / "data" / "obliqa"
    assert (Path(metrics["index_dir"]) / "obliqa_index.json").is_file()
