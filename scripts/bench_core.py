"""Core speed figures for issue 2, measured in one run on this machine (not a test).

Prints: ingest throughput of the whole pipeline as a ratio to the raw encode throughput of
the model on the same inputs (title and passage prefix included, as the pipeline embeds them);
warm in-process `ask` latency p50/p95 over 50 questions; cold `complyqa ask` wall time;
re-ingest of the unchanged corpus as a share of the first ingest; and the time to split one long paragraph of 1, 2 and 5 MB (issue 12.3: it must
grow linearly with the size; `--split-only` measures just that, without loading the model).
`--progress-mb N` ingests one N-MB paragraph with the real model and prints how often the
ingest progress moved (issue 12.3: every few seconds, not once per 4,400 chunks).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from assistant.service import ComplyQA  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from ingest.discovery import discover_files  # noqa: E402
from ingest.embeddings import passage_text  # noqa: E402
from ingest.loaders import load_file
from ingest.models import Document  # noqa: E402
from ingest.normalize import content_hash  # noqa: E402
from ingest.splitter import split_document  # noqa: E402

REPO = Path(__file__).resolve().parent.parent


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def one_paragraph(source: str, size: int, language: str) -> Document:
    """`size` characters of `source` with every line break removed: one long paragraph."""
    flat = " ".join(source.split())
    text = (flat * (size // max(len(flat), 1) + 1))[:size].strip()
    return Document(f"long-{language}.md", text, "Long paragraph", language, content_hash(text))


def bench_split(corpus: Path, settings: Settings, repeats: int = 3) -> None:
    """Split time of one long paragraph made of the corpus's own text, per language."""
    docs = [d for f in discover_files([corpus], corpus).files for d in load_file(f, corpus)]
    sizes = (1_000_000, 2_000_000, 5_000_000)
    for language in sorted({d.language for d in docs}):
        source = "\n\n".join(d.text for d in docs if d.language == language)
        seconds = []
        for size in sizes:
            doc = one_paragraph(source, size, language)
            runs = []
            for _ in range(repeats):  # the fastest of a few runs: other load only adds time
                t0 = time.perf_counter()
                chunks = split_document(doc, settings.chunking)
                runs.append(time.perf_counter() - t0)
            seconds.append(min(runs))
        per_mb = [s / (n / 1e6) for s, n in zip(seconds, sizes, strict=True)]
        print(
            f"split one paragraph ({language}, {len(chunks)} chunks at 5 MB): "
            + ", ".join(
                f"{n // 1_000_000} MB {s:.2f} s" for s, n in zip(seconds, sizes, strict=True)
            )
            + f"; s/MB at 5 MB / at 1 MB: {per_mb[-1] / per_mb[0]:.2f}   target ~1 (linear)"
        )


def bench_progress(corpus: Path, profile: str | None, megabytes: float) -> None:
    """Gaps between progress updates while one long paragraph is embedded and stored."""
    from ingest.pipeline import IngestProgress

    data = Path(tempfile.mkdtemp(prefix="complyqa-progress-"))
    try:
        settings = Settings.load(profile, data_dir=data)
        qa = ComplyQA(settings)
        qa.index.embedder.encode_passages(["warm up the model"])
        # Every sentence different: repeated text would be cut as page boilerplate at ingest.
        sentences = (
            f"Rule {n}: exporters of class {n % 97} items file report {n * 7919 % 100_003} "
            f"within {n % 30 + 1} days to office {n * 31 % 1009}."
            for n in range(int(megabytes * 1e6) // 60)
        )
        doc = one_paragraph(" ".join(sentences), int(megabytes * 1e6), "en")
        stamps: list[tuple[float, IngestProgress]] = []
        qa.index._note_progress = lambda p: stamps.append((time.perf_counter(), p))  # type: ignore[method-assign]
        t0 = time.perf_counter()
        report = qa.ingest_documents([doc])
        total = time.perf_counter() - t0
        if not stamps:
            raise SystemExit(f"no progress was reported: {report}")
        times = [t0] + [t for t, _ in stamps]
        gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
        print(
            f"progress during a {megabytes:g} MB one-paragraph ingest ({report.chunks_embedded} "
            f"chunks, {total:.1f} s): {len(stamps)} updates, gap median "
            f"{statistics.median(gaps):.2f} s, max {max(gaps):.2f} s (first includes splitting)"
        )
    finally:
        shutil.rmtree(data, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, default=REPO / "corpus")
    parser.add_argument("--questions", type=Path, default=REPO / "evals/datasets/dev.jsonl")
    parser.add_argument("--n", type=int, default=50)
    parser.add_argument("--profile", default=None)
    parser.add_argument("--split-only", action="store_true", help="only the splitting figures")
    parser.add_argument("--progress-mb", type=float, help="only the ingest progress figures")
    args = parser.parse_args()
    if args.split_only:
        bench_split(args.corpus.resolve(), Settings.load(args.profile))
        return
    if args.progress_mb:
        bench_progress(args.corpus.resolve(), args.profile, args.progress_mb)
        return

    data = Path(tempfile.mkdtemp(prefix="complyqa-bench-"))
    try:
        settings = Settings.load(args.profile, data_dir=data)
        qa = ComplyQA(settings)
        embedder = qa.index.embedder
        embedder.encode_passages(["warm up the model"])  # load outside both timings

        corpus = args.corpus.resolve()
        docs = [d for f in discover_files([corpus], corpus).files for d in load_file(f, corpus)]
        # The raw side encodes exactly what the pipeline embeds: each chunk behind its title
        # and the model's passage prefix when the profile says so (e5), in one model call.
        texts = [
            settings.embedding.passage_prefix + passage_text(settings.embedding, d.title, c.text)
            for d in docs
            for c in split_document(d, settings.chunking)
        ]
        t0 = time.perf_counter()
        embedder.model.encode(
            texts, batch_size=settings.embedding.batch_size, normalize_embeddings=True
        )
        raw_s = time.perf_counter() - t0

        t0 = time.perf_counter()
        report = qa.ingest([corpus])
        first_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        again = qa.ingest([corpus])
        reingest_s = time.perf_counter() - t0
        assert again.chunks_embedded == 0 and not again.changed

        questions = [
            json.loads(line)["question"]
            for line in args.questions.read_text().splitlines()
            if line.strip()
        ]
        questions = questions[: args.n]
        qa.ask(questions[0])  # warm: lexical index, caches
        latencies = []
        for q in questions:
            t0 = time.perf_counter()
            qa.ask(q)
            latencies.append((time.perf_counter() - t0) * 1000)

        env = {**os.environ, "COMPLYQA_DATA_DIR": str(data)}
        cli = Path(sys.executable).parent / "complyqa"
        cold = []
        for _ in range(3):
            t0 = time.perf_counter()
            subprocess.run(
                [str(cli), "ask", questions[1]], env=env, check=True, capture_output=True
            )
            cold.append(time.perf_counter() - t0)

        print(
            f"profile: {settings.profile}; chunks: {len(texts)} (pipeline embedded {report.chunks_embedded})"
        )
        print(f"raw encode: {len(texts) / raw_s:.1f} chunks/s ({raw_s:.1f} s)")
        print(f"pipeline ingest: {report.chunks_embedded / first_s:.1f} chunks/s ({first_s:.1f} s)")
        print(
            f"ingest throughput ratio (pipeline / raw encode): {raw_s / first_s:.3f}   target >= 0.85"
        )
        print(
            f"warm ask latency over {len(latencies)} questions: p50 {statistics.median(latencies):.1f} ms, "
            f"p95 {percentile(latencies, 0.95):.1f} ms   target p50 <= 150 ms"
        )
        print(
            f"cold `complyqa ask` wall time: median {statistics.median(cold):.2f} s "
            f"(runs: {', '.join(f'{c:.2f}' for c in cold)})   target <= 8 s"
        )
        print(
            f"re-ingest unchanged corpus: {reingest_s:.2f} s = {100 * reingest_s / first_s:.1f}% of first ingest   target <= 5%"
        )
        bench_split(corpus, settings)
    finally:
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
