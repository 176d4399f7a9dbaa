"""Try retrieval settings on ObliQA without re-embedding: one cached index, one query cache.

    python scripts/obliqa_sweep.py --limit 600 --grid "rrf_k=20,60;dense_weight=1,1.5"

Prints Recall@10 / MAP@10 per combination. Tune on a slice of the dev split, confirm on the
whole split, then put the winner in a profile; never on the test split.
"""

from __future__ import annotations

import argparse
import itertools
import os
import tempfile
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from assistant.service import ComplyQA  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from evals.obliqa import benchmark_settings, document_files, index_key, run_obliqa  # noqa: E402
from ingest.embeddings import Embedder  # noqa: E402


def parse_grid(text: str) -> list[dict[str, float]]:
    axes = []
    for part in filter(None, text.split(";")):
        name, _, values = part.partition("=")
        axes.append([(name.strip(), float(v)) for v in values.split(",")])
    return [dict(combo) for combo in itertools.product(*axes)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=Path("../shared/benchmarks/obliqa"))
    parser.add_argument("--split", default="dev")
    parser.add_argument("--limit", type=int, default=600)
    parser.add_argument("--grid", default="rrf_k=20,60;dense_weight=1,1.5;lexical_weight=1")
    args = parser.parse_args()

    base = Settings.load()
    key = index_key(document_files(args.data), base)
    embedder = Embedder(base.embedding)
    print(f"{'settings':60s} R@10    MAP@10  R@20")
    for combo in parse_grid(args.grid):
        retrieval = {k: (int(v) if k.endswith("_k") else v) for k, v in combo.items()}
        settings = Settings.load(retrieval=retrieval)
        qa = ComplyQA(benchmark_settings(settings, key), embedder=embedder)
        with tempfile.TemporaryDirectory() as out:
            m = run_obliqa(
                args.data, args.split, settings, Path(out), limit=args.limit, qa=qa, progress=False
            )
        label = ", ".join(f"{k}={v:g}" for k, v in combo.items())
        print(
            f"{label:60s} {m['recall@10']:.4f}  {m['map@10']:.4f}  {m['recall@20']:.4f}", flush=True
        )


if __name__ == "__main__":
    main()
