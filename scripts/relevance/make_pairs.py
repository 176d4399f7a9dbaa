"""Build the relevance model's training and held-out pairs from ../shared.

Sources (all read-only under ../shared):
- ObliQA dev: English regulatory questions with gold passages; its 40 documents are the pool.
- STARD dev: lay Chinese questions with gold statute articles; the pool is every chunk of
  corpus-large/cn-laws, cut by the product's own loader and splitter.

Each question gives its gold passages (label 1) and hard negatives (label 0): passages BM25
ranks high that are not gold, plus another article of the same law (STARD) or a random pool
passage, so the model learns both "near miss" and "off topic". A share of questions is also
added with the bilingual glossary applied ("code-switched"), the shape a cross-lingual query
takes. Questions held out by `evals.splits.is_heldout` only go to the held-out file.

    python scripts/relevance/make_pairs.py --shared ../shared --out artifacts/relevance/pairs
"""

from __future__ import annotations

import argparse
import json
import random
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import bm25s
import numpy as np
from tqdm import tqdm

from assistant.relevance.inputs import passage_input
from assistant.retrieval.glossary import translate
from evals.obliqa import document_files, load_documents, load_questions
from evals.splits import is_heldout
from ingest.discovery import discover_files
from ingest.loaders import load_file
from ingest.settings import ChunkingSettings
from ingest.splitter import split_document
from ingest.tokenize import tokenize


@dataclass(frozen=True)
class Pooled:
    doc_id: str
    key: str
    text: str  # what the model reads (title, section, text)
    body: str  # the chunk text alone, for locating gold quotes


def pool_from_documents(docs) -> list[Pooled]:  # type: ignore[no-untyped-def]
    settings = ChunkingSettings()
    out = []
    for doc in docs:
        for c in split_document(doc, settings):
            out.append(
                Pooled(doc.doc_id, c.key, passage_input(doc.title, c.section, c.text), c.text)
            )
    return out


def bm25_index(pool: list[Pooled]) -> bm25s.BM25:
    index = bm25s.BM25()
    index.index(
        [tokenize(p.text) or [""] for p in tqdm(pool, desc="tokenize")], show_progress=False
    )
    return index


def top_ids(index: bm25s.BM25, query: str, k: int) -> list[int]:
    tokens = tokenize(query)
    if not tokens:
        return []
    scores = index.get_scores(tokens)
    top = np.argpartition(-scores, k)[:k]
    return [int(i) for i in top[np.argsort(-scores[top])] if scores[i] > 0]


def negatives(
    rng: random.Random, ranked: list[int], gold: set[int], n_hard: int, extra: list[int]
) -> list[int]:
    hard = [i for i in ranked[:30] if i not in gold]
    # Bias toward the top: the first five always compete, the rest are sampled.
    picked = hard[: min(2, n_hard)]
    rest = hard[len(picked) :]
    picked += rng.sample(rest, min(n_hard - len(picked), len(rest)))
    return picked + [i for i in extra if i not in gold and i not in picked]


def obliqa_pairs(shared: Path, rng: random.Random) -> tuple[list[dict], list[dict]]:  # type: ignore[type-arg]
    data = shared / "benchmarks" / "obliqa"
    pool = pool_from_documents(load_documents(document_files(data)))
    where = {(p.doc_id, p.key.split("#", 1)[0]): i for i, p in reversed(list(enumerate(pool)))}
    index = bm25_index(pool)
    train, held = [], []
    for q in tqdm(load_questions(data / "ObliQA_dev.json"), desc="obliqa"):
        gold = {
            where[tuple(ref.split("::", 1))] for ref in q.gold if tuple(ref.split("::", 1)) in where
        }  # type: ignore[misc]
        if not gold:
            continue
        ranked = top_ids(index, q.question, 40)
        negs = negatives(rng, ranked, gold, 3, [rng.randrange(len(pool))])
        rows = [(i, 1) for i in sorted(gold)] + [(i, 0) for i in negs]
        out = held if is_heldout(q.id) else train
        out += [_pair(q.id, "obliqa", q.question, pool[i].text, y) for i, y in rows]
        if out is train and rng.random() < 0.15:
            mixed = translate(q.question)
            if mixed != q.question:
                out += [_pair(q.id, "obliqa-x", mixed, pool[i].text, y) for i, y in rows[:3]]
    return train, held


def stard_pairs(shared: Path, rng: random.Random) -> tuple[list[dict], list[dict]]:  # type: ignore[type-arg]
    root = shared / "corpus-large" / "cn-laws"
    docs = []
    for path in tqdm(discover_files([root], root).files, desc="cn-laws"):
        docs += load_file(path, root)
    pool = pool_from_documents(docs)
    by_doc: dict[str, list[int]] = defaultdict(list)
    for i, p in enumerate(pool):
        by_doc[p.doc_id].append(i)
    index = bm25_index(pool)
    train, held = [], []
    lines = (shared / "benchmarks" / "stard" / "stard-dev.jsonl").read_text().splitlines()
    for line in tqdm(lines, desc="stard"):
        case = json.loads(line)
        gold = {
            i
            for doc_id in case["gold_sources"]
            for i in by_doc.get(doc_id, [])
            if any(_squash(quote) in _squash(pool[i].body) for quote in case["gold_quotes"])
        }
        if not gold:
            continue
        ranked = top_ids(index, case["question"], 40)
        same_law = [i for d in case["gold_sources"] for i in by_doc.get(d, []) if i not in gold]
        extra = rng.sample(same_law, min(1, len(same_law))) + [rng.randrange(len(pool))]
        negs = negatives(rng, ranked, gold, 3, extra)
        rows = [(i, 1) for i in sorted(gold)] + [(i, 0) for i in negs]
        out = held if is_heldout(case["id"]) else train
        out += [_pair(case["id"], "stard", case["question"], pool[i].text, y) for i, y in rows]
        if out is train and rng.random() < 0.3:
            mixed = translate(case["question"])
            if mixed != case["question"]:
                out += [_pair(case["id"], "stard-x", mixed, pool[i].text, y) for i, y in rows[:3]]
    return train, held


def _squash(text: str) -> str:
    return "".join(text.split())


def _pair(qid: str, source: str, question: str, passage: str, label: int) -> dict:  # type: ignore[type-arg]
    return {"qid": qid, "source": source, "q": question, "p": passage, "label": label}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=Path("../shared"))
    parser.add_argument("--out", type=Path, default=Path("artifacts/relevance/pairs"))
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    o_train, o_held = obliqa_pairs(args.shared, rng)
    s_train, s_held = stard_pairs(args.shared, rng)
    for name, rows in (("train", o_train + s_train), ("heldout", o_held + s_held)):
        with (args.out / f"{name}.jsonl").open("w", encoding="utf-8") as f:
            for row in rows:
                f.write(json.dumps(row, ensure_ascii=False) + "\n")
        by_source: dict[str, int] = defaultdict(int)
        for row in rows:
            by_source[row["source"]] += 1
        print(f"{name}: {len(rows)} pairs {dict(by_source)}")


if __name__ == "__main__":
    main()
