"""Lexical index figures for issue 10 at cn-laws scale, measured in one run (not a test).

Loads and chunks a corpus as an ingest would, without embedding it (`ingest.unembedded`),
then prints: the full build (tokenize + count), one document's add / replace / delete as an
update of the built index (and as `LexicalCache.get` with the save), save and startup load,
and `search` p50/p95 over real questions, unfiltered and with the mask retrieval passes (in
force today, not pending review). For reference, the same figures for the previous
bm25s-rebuild design on the same tokens, and the largest score difference between the two.

    OPENBLAS_NUM_THREADS=1 nice -n 15 .venv/bin/python scripts/bench_lexical.py
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import json
import os
import statistics
import tempfile
import time
from collections.abc import Callable, Collection
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import bm25s  # noqa: E402
import numpy as np  # noqa: E402
from tqdm import tqdm  # noqa: E402

from ingest.discovery import discover_files  # noqa: E402
from ingest.lexical import (  # noqa: E402
    FILE_NAME,
    Condition,
    LexicalCache,
    LexicalIndex,
    _index_text,
)
from ingest.loaders import load_file
from ingest.models import Document  # noqa: E402
from ingest.records import (  # noqa: E402
    PENDING_FIELD,
    Metadata,
    StoredChunk,
    corpus_fingerprint,
    document_version,
)
from ingest.tokenize import tokenize  # noqa: E402
from ingest.unembedded import document_chunks  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
TODAY = 20261130
IN_FORCE: dict[str, Condition] = {
    "valid_from": {"$lte": TODAY},
    "valid_to": {"$gt": TODAY},
    PENDING_FIELD: {"$ne": 1},
}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


class Clock:
    """Wall and CPU time since it started: on a shared machine, wall time alone says little."""

    def __init__(self) -> None:
        self.wall0, self.cpu0 = time.perf_counter(), time.process_time()

    def stop(self) -> Clock:
        self.wall, self.cpu = time.perf_counter() - self.wall0, time.process_time() - self.cpu0
        return self

    def __str__(self) -> str:
        if self.wall >= 10:
            return f"{self.wall:.1f} s (cpu {self.cpu:.1f} s)"
        return f"{self.wall * 1000:.0f} ms (cpu {self.cpu * 1000:.0f} ms)"


def timed(fn: Callable[[], object]) -> Clock:
    clock = Clock()
    fn()
    return clock.stop()


def median(clocks: list[Clock]) -> str:
    return f"{statistics.median(c.wall for c in clocks) * 1000:.0f} ms (cpu " + (
        f"{statistics.median(c.cpu for c in clocks) * 1000:.0f} ms)"
    )


def spread(clocks: list[Clock]) -> str:
    walls, cpus = [c.wall for c in clocks], [c.cpu for c in clocks]
    return (
        f"p50 {percentile(walls, 0.5) * 1000:.1f} / p95 {percentile(walls, 0.95) * 1000:.1f} ms"
        f" (cpu {percentile(cpus, 0.5) * 1000:.1f} / {percentile(cpus, 0.95) * 1000:.1f} ms)"
    )


def load(corpus: Path) -> list[Document]:
    files = discover_files([corpus.resolve()], corpus.resolve()).files
    return [d for f in tqdm(files, desc="loading", unit="file") for d in load_file(f, corpus)]


def amended(doc: Document) -> Document:
    text = f"{doc.text}\n\n第九十九条 网络运营者应当每年报告个人信息出境的安全评估情况。"
    return dataclasses.replace(doc, text=text, content_hash="amended" + doc.content_hash[7:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=SHARED / "corpus-large" / "cn-laws")
    parser.add_argument(
        "--questions", type=Path, default=SHARED / "benchmarks/stard/stard-dev.jsonl"
    )
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()

    docs = load(args.corpus)
    by_doc = {d.doc_id: document_chunks(d) for d in tqdm(docs, desc="chunking", unit="doc")}
    chunks = [c for cs in by_doc.values() for c in cs]
    versions = {d.doc_id: document_version({"content_hash": d.content_hash}) for d in docs}
    questions = [json.loads(line)["question"] for line in args.questions.open()][: args.queries]
    print(
        f"corpus {args.corpus.name}: {len(docs)} documents, {len(chunks)} chunks; "
        f"{len(questions)} questions; BM25 lucene k1=1.5 b=0.75 (profile default)"
    )

    clock = Clock()
    index = LexicalIndex.build("full", chunks, versions)
    build_s = clock.stop()
    print(f"(a) full build (tokenize + count): {build_s}")
    clock = Clock()
    tokens = [tokenize(_index_text(c)) or [""] for c in chunks]
    tok_s = clock.stop()
    bm25 = bm25s.BM25()
    clock = Clock()
    bm25.index(tokens, show_progress=False)
    bm_s = clock.stop()
    print(f"    previous design, full rebuild: tokenize {tok_s} + bm25s.index {bm_s}")

    # A typical law (the median chunk count) to add, replace and delete.
    sizes = sorted((len(cs), doc_id) for doc_id, cs in by_doc.items())
    n, doc_id = sizes[len(sizes) // 2]
    doc = next(d for d in docs if d.doc_id == doc_id)
    old_version, new_version = by_doc[doc_id], document_chunks(amended(doc))
    manifest: dict[str, Metadata] = {d.doc_id: {"content_hash": d.content_hash} for d in docs}
    fingerprint = corpus_fingerprint(manifest, "bench")
    # What a serving process holds is the saved index, not the chunks and tokens: free them,
    # so the figures below are not a garbage collector walking 66k token lists.
    reference_ids = {c.chunk_id: row for row, c in enumerate(chunks)}  # bm25s' row order
    del chunks, tokens, by_doc, docs
    gc.collect()

    with tempfile.TemporaryDirectory() as tmp:
        clock = Clock()
        index.save(Path(tmp) / FILE_NAME)
        save_s = clock.stop()
        size_mb = (Path(tmp) / FILE_NAME).stat().st_size / 1e6
        del index
        gc.collect()
        tokenize("预热")  # jieba's dictionary loads once per process, whatever the index

        def read(ids: Collection[str] | None) -> list[StoredChunk]:
            # Stands in for Chroma: only the changed document's chunks exist to be read.
            assert ids is not None, "a full read"
            if doc_id not in ids:
                return []
            return new_version if manifest[doc_id]["content_hash"] == "amended" else old_version

        cache = LexicalCache(Path(tmp))
        clock = Clock()
        index = cache.get(fingerprint, manifest, read)
        load_s = clock.stop()
        print(
            f"(d) startup: load the saved index ({size_mb:.0f} MB, no chunk read) "
            f"{load_s}; save {save_s}"
        )

        without = index.updated("without", [doc_id], [])
        figures: dict[str, list[Clock]] = {"add": [], "replace": [], "delete": []}
        for _ in range(args.repeats):
            figures["delete"].append(timed(lambda: index.updated("d", [doc_id], [])))
            figures["add"].append(timed(lambda: without.updated("a", [], old_version)))
            figures["replace"].append(timed(lambda: index.updated("r", [doc_id], new_version)))
        print(
            f"(b) one document ({n} chunks), in-memory update (tokenize its chunks, drop and "
            f"append rows), median of {args.repeats}: "
            + ", ".join(f"{k} {median(v)}" for k, v in figures.items())
        )

        # The path a process takes when it sees the change in the manifest: diff, read the
        # changed document (stubbed), update, save. Replace, delete, add back, in turn.
        steps = []
        for change in ("replace", "delete", "add"):
            if change == "delete":
                del manifest[doc_id]
            else:
                version = "amended" if change == "replace" else "original"
                manifest[doc_id] = {"content_hash": version}
            fingerprint = corpus_fingerprint(manifest, "bench")
            clock = Clock()
            cache.get(fingerprint, manifest, read)
            seconds = clock.stop()
            steps.append(f"{change} {seconds}")
        print("    through LexicalCache.get (diff + read + update + save): " + ", ".join(steps))
        index = cache.get(fingerprint, manifest, read)

    # (c) queries, warm.
    wheres: list[tuple[dict[str, Condition] | None, str]] = [
        (None, "unfiltered"),
        (IN_FORCE, "in force, not pending"),
    ]
    for where, label in wheres:
        for q in questions[:5]:
            index.search(q, 30, where)
        latencies: list[Clock] = []
        for q in questions:
            clock = Clock()
            index.search(q, 30, where)
            latencies.append(clock.stop())
        # The same mask in bm25s' row order (the updated index has its own).
        mask = None if where is None else np.zeros(len(reference_ids), np.float32)
        if mask is not None:
            mask[[reference_ids[i] for i in index.ids]] = index.mask(where)
        old: list[Clock] = []
        for q in questions:
            clock = Clock()
            ids = bm25.get_tokens_ids(tokenize(q))
            if ids:
                s = bm25.get_scores(ids, weight_mask=mask)
                top = np.argpartition(-s, 29)[:30]
                top[np.argsort(-s[top])]
            old.append(clock.stop())
        print(
            f"(c) search k=30 {label}: {spread(latencies)}; bm25s (previous design): {spread(old)}"
        )

    # After the replace, delete and add back, the index holds the original corpus again.
    assert sorted(index.ids) == sorted(reference_ids)
    rows = np.array([reference_ids[i] for i in index.ids])
    diff = 0.0
    for q in questions:
        ids = bm25.get_tokens_ids(tokenize(q))
        if ids:
            ours = index.postings.scores([index.vocab[t] for t in tokenize(q) if t in index.vocab])
            diff = max(diff, float(np.abs(ours - bm25.get_scores(ids)[rows]).max()))
    print(
        f"largest score difference to a bm25s full rebuild, after the three updates, over "
        f"{len(questions)} questions: {diff:.2e}"
    )


if __name__ == "__main__":
    main()
