"""Ingest figures for issue 10 at cn-laws scale, measured in one run (not a test).

1. Chunks the corpus as an ingest would and times the raw encoder (`Embedder.encode_passages`,
   one call, the profile's batch size) on every Nth chunk: the speed the model alone reaches
   on these texts in this process.
2. Runs `complyqa ingest <corpus> --json` into a fresh data dir as a real subprocess and
   kills it with SIGKILL after `--kill-after` seconds; counts what it had committed.
3. Runs the same command again: it must skip the committed documents (reported unchanged)
   and embed only the rest. Its wall-clock throughput (chunks embedded per second, startup,
   parsing, writes and the end report included) is compared with the raw encoder's, on the
   whole-corpus sample and on a sample of exactly the documents it embedded.

Peak RSS is the largest resident size of either ingest process (`ru_maxrss` of the children).

    OPENBLAS_NUM_THREADS=1 .venv/bin/python scripts/bench_ingest.py --data-dir data/cn-laws
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from assistant.settings import Settings  # noqa: E402
from ingest.embeddings import Embedder  # noqa: E402
from ingest.unembedded import document_chunks, load_documents  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
COMPLYQA = [sys.executable, "-c", "from assistant.cli.main import run; run()"]

COUNT_SCRIPT = """
import json
from assistant.settings import Settings
from ingest.store import ChromaStore
s = Settings.load({profile!r})
store = ChromaStore(s.ingest.index, s.embedding.model)
print(json.dumps({{"documents": len(store.manifest()), "chunks": store.count_chunks()}}))
"""


def raw_encoder_rate(
    corpus: Path, every: int, settings: Settings, skip: frozenset[str] = frozenset()
) -> tuple[int, int, float]:
    """(total chunks, sampled chunks, chunks/s of the bare encoder on the sample), over the
    documents not in `skip`."""
    documents = [d for d in load_documents([corpus], corpus) if d.doc_id not in skip]
    texts = [c.text for d in documents for c in document_chunks(d, settings.chunking)]
    sample = texts[::every]
    embedder = Embedder(settings.embedding)
    embedder.encode_passages(sample[:32])  # load the model outside the timing
    started = time.perf_counter()
    embedder.encode_passages(sample)
    return len(texts), len(sample), len(sample) / (time.perf_counter() - started)


def committed(env: dict[str, str], profile: str) -> dict[str, int]:
    out = subprocess.run(
        [sys.executable, "-c", COUNT_SCRIPT.format(profile=profile)],
        env=env,
        check=True,
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def ingest(
    corpus: Path, env: dict[str, str], profile: str, kill_after: float | None
) -> tuple[dict | None, float]:
    """Run one `complyqa ingest`; (its JSON report or None if killed, wall seconds)."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        [*COMPLYQA, "ingest", str(corpus), "--json", "--profile", profile],
        env=env,
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        out, _ = proc.communicate(timeout=kill_after)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        proc.communicate()
        return None, time.perf_counter() - started
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"ingest failed with exit code {proc.returncode}")
    return json.loads(out), wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=SHARED / "corpus-large" / "cn-laws")
    parser.add_argument("--data-dir", type=Path, default=REPO / "data" / "cn-laws")
    parser.add_argument("--profile", default="default")
    parser.add_argument("--sample-every", type=int, default=20)
    parser.add_argument("--kill-after", type=float, default=420.0)
    parser.add_argument("--fresh", action="store_true", help="delete --data-dir first")
    args = parser.parse_args()

    if args.data_dir.exists():
        if not args.fresh:
            raise SystemExit(f"{args.data_dir} exists; pass --fresh to delete it and start over")
        shutil.rmtree(args.data_dir)
    env = {**os.environ, "COMPLYQA_DATA_DIR": str(args.data_dir.resolve())}
    settings = Settings.load(args.profile)

    total, sampled, raw_rate = raw_encoder_rate(args.corpus, args.sample_every, settings)
    print(f"raw encoder: {sampled} of {total} chunks, {raw_rate:.2f} chunks/s", flush=True)

    report, killed_at = ingest(args.corpus, env, args.profile, args.kill_after)
    if report is not None:
        raise SystemExit(f"the first ingest finished in {killed_at:.0f} s, before the kill")
    before = committed(env, args.profile)
    print(f"killed (SIGKILL) after {killed_at:.0f} s: {before} committed", flush=True)

    report, wall = ingest(args.corpus, env, args.profile, None)
    assert report is not None
    after = committed(env, args.profile)
    embedded = report["chunks_embedded"]
    rate = embedded / wall
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024**2
    # The documents left after the kill are not the whole corpus's mix: time the bare encoder
    # on their own chunks too (the stricter ratio).
    _, _, resumed_raw = raw_encoder_rate(
        args.corpus, args.sample_every, settings, frozenset(report["unchanged"])
    )
    print(
        json.dumps(
            {
                "chunks_total": total,
                "raw_encoder_chunks_per_s": round(raw_rate, 2),
                "killed_after_s": round(killed_at, 1),
                "committed_before_resume": before,
                "resume_unchanged_documents": len(report["unchanged"]),
                "resume_added_documents": len(report["added"]),
                "resume_chunks_embedded": embedded,
                "resume_reembedded_chunks": embedded - (after["chunks"] - before["chunks"]),
                "resume_wall_s": round(wall, 1),
                "resume_embed_s": round(report["embed_seconds"], 1),
                "ingest_chunks_per_s": round(rate, 2),
                "ratio_to_raw_encoder": round(rate / raw_rate, 3),
                "raw_encoder_on_resumed_chunks_per_s": round(resumed_raw, 2),
                "ratio_to_raw_on_resumed_chunks": round(rate / resumed_raw, 3),
                "peak_rss_gib": round(peak, 2),
                "final": after,
                "failed": report["failed"],
            },
            indent=2,
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
