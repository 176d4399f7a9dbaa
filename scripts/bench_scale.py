"""Query and update figures for issue 10 on an existing large index, measured in one run.

Run it on the index `scripts/bench_ingest.py` builds (cn-laws, ~65k chunks), locally or with
`--chroma-url` pointing at a `chroma run` server holding the same data:

1. In process: the first search after opening the index (startup: Chroma, the saved lexical
   index, the query encoder), then warm `search` (k=10) and `ask` p50/p95 over real questions.
2. Cold `complyqa ask` (a new process each time), median of three.
3. Over HTTP: `complyqa serve` with two workers. One document is uploaded
   (`POST /v1/documents`), replaced (uploaded again with new text) and deleted
   (`DELETE /v1/documents/{id}`); after each, the time until `/v1/search` shows the change in
   `--confirm` consecutive answers (the two workers answer in turn), after warm-up uploads
   that load the passage model in the workers. With `--chroma-url`, a
   second server with its own data dir (another machine, as far as complyqa can tell) must
   show each change too.

    OPENBLAS_NUM_THREADS=1 .venv/bin/python scripts/bench_scale.py --data-dir data/cn-laws
    chroma run --path data/cn-laws/chroma --port 8765 &
    OPENBLAS_NUM_THREADS=1 .venv/bin/python scripts/bench_scale.py --data-dir data/cn-laws \\
        --chroma-url http://127.0.0.1:8765
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import httpx  # noqa: E402
from bench_api import COMPLYQA, local_server  # noqa: E402

from assistant.service import ComplyQA  # noqa: E402
from assistant.settings import Settings  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
GROUP = "scalebench"
FILE_NAME = "bench-update.md"
DOC_ID = f"{GROUP}/uploads/{FILE_NAME}"
FIRST = "# 测试规定\n\n第一条 星河蓝鲸条款规定，测试数据应当保存不少于七年。\n"
SECOND = "# 测试规定\n\n第一条 赤霞白鹭条款规定，测试数据应当保存不少于九年。\n"


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))], 1)


def questions(path: Path, n: int) -> list[str]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    return [r["question"] for r in rows[:n]]


def in_process(settings: Settings, qs: list[str], n_ask: int) -> dict[str, Any]:
    qa = ComplyQA(settings)
    started = time.perf_counter()
    qa.search(qs[0], k=10)
    startup = time.perf_counter() - started
    search_ms, ask_ms = [], []
    for q in qs[1:]:
        t = time.perf_counter()
        qa.search(q, k=10)
        search_ms.append((time.perf_counter() - t) * 1000)
    for q in qs[1 : n_ask + 1]:
        t = time.perf_counter()
        qa.ask(q)
        ask_ms.append((time.perf_counter() - t) * 1000)
    return {
        "chunks": qa.index.store.count_chunks(),
        "documents": len(qa.index.manifest()),
        "startup_first_search_s": round(startup, 2),
        "search_n": len(search_ms),
        "search_p50_ms": pct(search_ms, 0.5),
        "search_p95_ms": pct(search_ms, 0.95),
        "ask_n": len(ask_ms),
        "ask_p50_ms": pct(ask_ms, 0.5),
        "ask_p95_ms": pct(ask_ms, 0.95),
    }


def cold_ask(env: dict[str, str], question: str, runs: int = 3) -> float:
    walls = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(
            [COMPLYQA, "ask", question], env=env, check=True, capture_output=True, cwd=REPO
        )
        walls.append(time.perf_counter() - t)
    return round(statistics.median(walls), 2)


def until(check: Callable[[], bool], confirm: int, timeout: float = 60.0) -> float:
    """Seconds until `check()` holds `confirm` times in a row."""
    started = time.perf_counter()
    streak = 0
    while time.perf_counter() - started < timeout:
        streak = streak + 1 if check() else 0
        if streak >= confirm:
            return round(time.perf_counter() - started, 2)
    raise SystemExit(f"the change was not visible after {timeout} s")


def found(client: httpx.Client, term: str) -> bool:
    got = client.get("/v1/search", params={"q": term, "k": 5})
    got.raise_for_status()
    return any(p["doc_id"] == DOC_ID and term in p["text"] for p in got.json()["passages"])


def updates(writer: str, readers: list[str], confirm: int) -> dict[str, float]:
    """Upload, replace, delete on `writer`; seconds until every reader shows each change."""
    out: dict[str, float] = {}
    with ExitStack() as stack:
        w = stack.enter_context(httpx.Client(base_url=writer, timeout=600))
        rs = [stack.enter_context(httpx.Client(base_url=r, timeout=600)) for r in readers]
        for reader in rs:  # every worker loads its index before the clock starts
            for _ in range(4):
                found(reader, "网络安全")
        # A worker loads the passage model on its first upload (seconds, once): warm both
        # workers with an upload and delete of another file, each on a new connection.
        for _ in range(4):
            with httpx.Client(base_url=writer, timeout=600) as fresh:
                fresh.post(
                    "/v1/documents",
                    files={"files": ("warm-up.md", "# 预热\n\n第一条 预热。\n")},
                    data={"group": GROUP},
                ).raise_for_status()
                fresh.delete(f"/v1/documents/{GROUP}/uploads/warm-up.md").raise_for_status()
        steps: list[tuple[str, Callable[[], httpx.Response], Callable[[httpx.Client], bool]]] = [
            (
                "add",
                lambda: w.post(
                    "/v1/documents", files={"files": (FILE_NAME, FIRST)}, data={"group": GROUP}
                ),
                lambda c: found(c, "星河蓝鲸"),
            ),
            (
                "replace",
                lambda: w.post(
                    "/v1/documents", files={"files": (FILE_NAME, SECOND)}, data={"group": GROUP}
                ),
                lambda c: found(c, "赤霞白鹭") and not found(c, "星河蓝鲸"),
            ),
            (
                "delete",
                lambda: w.delete(f"/v1/documents/{DOC_ID}"),
                lambda c: not found(c, "赤霞白鹭"),
            ),
        ]
        for name, act, visible in steps:
            started = time.perf_counter()
            act().raise_for_status()
            out[f"{name}_request_s"] = round(time.perf_counter() - started, 2)
            for i, reader in enumerate(rs):
                until(lambda reader=reader, visible=visible: visible(reader), confirm)
                out[f"{name}_visible_s" + (f"_reader{i}" if i else "")] = round(
                    time.perf_counter() - started, 2
                )
    return out


@contextmanager
def servers(data_dirs: list[Path], workers: int, profile: str | None) -> Iterator[list[str]]:
    with ExitStack() as stack:
        yield [stack.enter_context(local_server(d, workers, profile)) for d in data_dirs]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=REPO / "data" / "cn-laws")
    parser.add_argument(
        "--questions", type=Path, default=SHARED / "benchmarks" / "stard" / "stard-dev.jsonl"
    )
    parser.add_argument("--n", type=int, default=200, help="search questions")
    parser.add_argument("--n-ask", type=int, default=50)
    parser.add_argument("--profile", default=None)
    parser.add_argument("--chroma-url", help="a running `chroma run` server with the index")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--confirm", type=int, default=4)
    args = parser.parse_args()

    data_dir = args.data_dir.resolve()
    if args.chroma_url:
        os.environ["COMPLYQA_CHROMA_URL"] = args.chroma_url
    settings = Settings.load(args.profile, data_dir=data_dir)
    qs = questions(args.questions, args.n + 1)
    figures: dict[str, Any] = {"chroma": args.chroma_url or "local", "profile": settings.profile}
    figures.update(in_process(settings, qs, args.n_ask))
    env = {**os.environ, "COMPLYQA_DATA_DIR": str(data_dir)}
    if args.profile:
        env["COMPLYQA_PROFILE"] = args.profile
    figures["cold_ask_s"] = cold_ask(env, qs[0])
    print(json.dumps(figures, ensure_ascii=False), flush=True)

    with tempfile.TemporaryDirectory() as other:
        dirs = [data_dir] + ([Path(other)] if args.chroma_url else [])
        with servers(dirs, args.workers, args.profile) as urls:
            figures.update(updates(urls[0], urls, args.confirm))
    print(json.dumps(figures, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
