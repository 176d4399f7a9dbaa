"""HTTP API load figures: N concurrent clients against `/v1/search` and `/v1/ask` for S seconds.

By default it indexes the bundled corpus into a temporary data dir, starts `complyqa serve
--no-auth` on a free loopback port, runs the clients, prints requests/s, p50/p95 latency and
errors per endpoint, and stops the server. `--data-dir` serves an existing index instead;
`--url` (with `--key` or `COMPLYQA_API_KEY`) measures a server that is already running.

    python scripts/bench_api.py                      # 8 clients, 30 s
    python scripts/bench_api.py --clients 4 --seconds 10 --workers 2
    python scripts/bench_api.py --url http://127.0.0.1:8000 --key cqa_…
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parent.parent
COMPLYQA = str(Path(sys.executable).parent / "complyqa")

QUESTIONS = [
    "Which permit does a provider need in China to offer IaaS computing power services?",
    "网络运营者应当按照网络安全等级保护制度的要求履行哪些安全保护义务？",
    "What does § 744.23 prohibit for supercomputers?",
    "出口经营者应当建立什么制度？",
    "Does renting GPUs through a cloud service count as an export?",
    "个人信息处理者应当采取哪些措施确保个人信息安全？",
    "When is a license required for advanced computing items?",
    "数据分类分级保护制度",
]
ENDPOINTS = ("search", "ask")


@dataclass
class Stats:
    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)

    def summary(self, seconds: float) -> dict[str, Any]:
        ordered = sorted(self.latencies_ms)

        def pct(q: float) -> float | None:
            if not ordered:
                return None
            return round(ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))], 1)

        return {
            "requests": len(ordered),
            "requests_per_s": round(len(ordered) / seconds, 2) if seconds else 0.0,
            "p50_ms": pct(0.50),
            "p95_ms": pct(0.95),
            "errors": self.errors,
            "error_samples": self.error_samples[:3],
        }


async def client_loop(
    client: httpx.AsyncClient,
    n: int,
    deadline: float,
    max_requests: int,
    stats: dict[str, Stats],
) -> None:
    """One client: alternates search and ask until the deadline (or its request budget)."""
    for i in range(max_requests):
        if time.monotonic() >= deadline:
            return
        endpoint = ENDPOINTS[(n + i) % 2]
        question = QUESTIONS[(n * 3 + i) % len(QUESTIONS)]
        started = time.perf_counter()
        try:
            if endpoint == "search":
                response = await client.get("/v1/search", params={"q": question, "k": 8})
            else:
                response = await client.post("/v1/ask", json={"question": question})
            ok = response.status_code == 200
            problem = "" if ok else f"{response.status_code} {response.text[:200]}"
        except httpx.HTTPError as exc:
            ok, problem = False, f"{type(exc).__name__}: {exc}"
        elapsed = (time.perf_counter() - started) * 1000
        if ok:
            stats[endpoint].latencies_ms.append(elapsed)
        else:
            stats[endpoint].errors += 1
            stats[endpoint].error_samples.append(problem)


async def run_clients(
    url: str, key: str | None, clients: int, seconds: float, max_requests: int
) -> tuple[dict[str, Stats], float]:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    stats = {e: Stats() for e in ENDPOINTS}
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(
        base_url=url, headers=headers, timeout=120, limits=limits
    ) as client:
        # One warm-up of each endpoint, outside the measurement (model and index load).
        await client.get("/v1/search", params={"q": QUESTIONS[0]})
        await client.post("/v1/ask", json={"question": QUESTIONS[0]})
        started = time.monotonic()
        deadline = started + seconds
        await asyncio.gather(
            *(client_loop(client, n, deadline, max_requests, stats) for n in range(clients))
        )
        elapsed = time.monotonic() - started
    return stats, elapsed


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _env(data_dir: Path, profile: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "COMPLYQA_DATA_DIR"}
    env.update(COMPLYQA_DATA_DIR=str(data_dir), OPENBLAS_NUM_THREADS="1", HF_HUB_OFFLINE="1")
    if profile:
        env["COMPLYQA_PROFILE"] = profile
    return env


def wait_ready(url: str, server: subprocess.Popen[bytes], timeout: float = 600) -> None:
    """Until `/readyz` answers 200; exits if the server dies or `timeout` passes first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"server exited with code {server.returncode}")
        try:
            if httpx.get(f"{url}/readyz", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"server not ready after {timeout} s")


@contextmanager
def local_server(
    data_dir: Path, workers: int, profile: str | None, timeout: float = 600
) -> Iterator[str]:
    """`complyqa serve --no-auth` on a free loopback port; stopped on exit."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    args = [COMPLYQA, "serve", "--no-auth", "--host", "127.0.0.1", "--port", str(port)]
    args += ["--workers", str(workers), "--log-level", "warning"]
    env = _env(data_dir, profile)
    # Measure the server, not the per-key rate limit (the bench is one client identity).
    env["COMPLYQA_API__RATE_LIMIT_PER_MINUTE"] = "100000000"
    proc = subprocess.Popen(args, env=env)
    try:
        wait_ready(url, proc, timeout)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", help="Measure this running server instead of starting one.")
    parser.add_argument(
        "--key", default=os.environ.get("COMPLYQA_API_KEY"), help="API key for --url."
    )
    parser.add_argument("--data-dir", type=Path, help="Serve this existing index (no ingest).")
    parser.add_argument("--corpus", type=Path, default=REPO / "corpus", help="Corpus to index.")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--max-requests", type=int, default=100_000, help="Per client.")
    parser.add_argument("--workers", type=int, default=1, help="Server worker processes.")
    parser.add_argument("--profile", default=None, help="Settings profile of the started server.")
    parser.add_argument("--json", type=Path, help="Also write the figures here.")
    args = parser.parse_args()
    load_before = os.getloadavg()[0]

    tmp: Path | None = None
    try:
        if args.url:
            url_cm: Any = _fixed(args.url.rstrip("/"))
        else:
            data_dir = args.data_dir
            if data_dir is None:
                tmp = Path(tempfile.mkdtemp(prefix="complyqa-bench-api-"))
                data_dir = tmp / "data"
                print(f"indexing {args.corpus} into {data_dir} …", file=sys.stderr)
                subprocess.run(
                    [COMPLYQA, "ingest", str(args.corpus), "--json"],
                    env=_env(data_dir, args.profile),
                    check=True,
                    stdout=subprocess.DEVNULL,
                )
            url_cm = local_server(data_dir, args.workers, args.profile)
        with url_cm as url:
            ready = httpx.get(f"{url}/readyz", timeout=30).json()
            probe = httpx.post(
                f"{url}/v1/ask",
                json={"question": QUESTIONS[0]},
                headers={"Authorization": f"Bearer {args.key}"} if args.key else {},
                timeout=120,
            ).json()
            stats, elapsed = asyncio.run(
                run_clients(url, args.key, args.clients, args.seconds, args.max_requests)
            )
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)

    result = {
        "url": args.url or "local",
        "clients": args.clients,
        "seconds": round(elapsed, 1),
        "workers": args.workers if not args.url else None,
        "profile": probe.get("profile"),
        "mode": probe.get("mode"),
        "documents": ready.get("documents"),
        "corpus_fingerprint": ready.get("fingerprint"),
        "cpus": os.cpu_count(),
        "load_avg_1min_before": load_before,
        "endpoints": {e: stats[e].summary(elapsed) for e in ENDPOINTS},
    }
    print(
        f"{result['clients']} clients, {result['seconds']} s, profile {result['profile']} "
        f"({result['mode']}), {result['documents']} documents, fingerprint "
        f"{result['corpus_fingerprint']}"
    )
    print(f"{'endpoint':<10}{'requests':>10}{'req/s':>9}{'p50 ms':>10}{'p95 ms':>10}{'errors':>8}")
    for name, s in result["endpoints"].items():
        print(
            f"{'/v1/' + name:<10}{s['requests']:>10}{s['requests_per_s']:>9}"
            f"{s['p50_ms'] or '-':>10}{s['p95_ms'] or '-':>10}{s['errors']:>8}"
        )
        for sample in s["error_samples"]:
            print(f"    error: {sample}")
    if args.json:
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n")


@contextmanager
def _fixed(url: str) -> Iterator[str]:
    yield url


if __name__ == "__main__":
    main()
