"""Soak and fault run: a served index that keeps answering while it changes and loses a worker.

Copies the bundled corpus and indexes it into a temporary data dir, creates API keys (admin,
an unscoped reader, a reader scoped to two groups), starts `complyqa serve --workers 2` on a
free loopback port, and for `--minutes`:
- 8 client threads mix /v1/ask, /v1/search, /v1/chat and /v1/chat/completions, half of their
  requests with the scoped key;
- every 30 s a second process (`complyqa ingest` on the same data dir) adds a document,
  replaces one and deletes one in the corpus folder `soak/`;
- at half time one worker is killed with SIGKILL; the script logs every worker the server's
  supervisor ends or starts, with the time.
At the end it prints requests, errors by status, p50/p95 latency per endpoint, and an index
consistency check: manifest = chunks in Chroma = lexical index documents, the server's
fingerprint = the manifest's, and every document found by a search for its own title.
Requests in flight on the killed worker lose their connection; those (cut within a second of
the kill) are counted apart as "cut by kill -9". Exit status 1 if any other request got a
5xx or no answer, or the index is inconsistent.

    python scripts/soak.py --minutes 1     # a quick check
    python scripts/soak.py                 # 10 minutes, for docs/benchmarks.md
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_api import COMPLYQA, QUESTIONS, REPO, _env, free_port, wait_ready  # noqa: E402

SCOPE = ["soak", "us-ear"]
ENDPOINTS = ("ask", "search", "chat", "completions")
CYCLE_SECONDS = 30.0


@dataclass
class Tally:
    """What the clients saw, shared by their threads."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    killed_at: float | None = None
    latencies: dict[str, list[float]] = field(default_factory=lambda: collections.defaultdict(list))
    statuses: collections.Counter[str] = field(default_factory=collections.Counter)
    samples: list[str] = field(default_factory=list)

    def note(self, endpoint: str, status: str, ms: float, sample: str = "") -> None:
        ended = time.monotonic()
        with self.lock:
            killed = self.killed_at
            # In flight when the worker was killed, and cut right then.
            if status == "no answer" and killed is not None and ended - ms / 1000 < killed:
                status = "cut by kill -9" if ended < killed + 1.0 else status
            self.statuses[status] += 1
            if status == "200":
                self.latencies[endpoint].append(ms)
            elif sample and len(self.samples) < 20:
                self.samples.append(f"{endpoint} {status}: {sample[:300]}")


def run(args: list[str], env: dict[str, str], **kw: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, env=env, text=True, capture_output=True, check=True, **kw)


def create_key(env: dict[str, str], name: str, role: str, scope: list[str] | None) -> str:
    args = [COMPLYQA, "keys", "create", "--name", name, "--role", role]
    for group in scope or []:
        args += ["--scope", group]
    return run(args, env).stdout.strip()


def write_soak_doc(folder: Path, name: str, title: str, body: str) -> None:
    (folder / name).write_text(f"# {title}\n\n{body}\n", encoding="utf-8")


def mutator(corpus: Path, env: dict[str, str], stop: threading.Event, log: list[str]) -> None:
    """Every CYCLE_SECONDS: add, replace and delete a document, then a CLI ingest of soak/."""
    folder = corpus / "soak"
    cycle = 0
    while not stop.wait(CYCLE_SECONDS if cycle else 5.0):
        cycle += 1
        write_soak_doc(
            folder,
            f"notice-{cycle:03d}.md",
            f"Soak notice {cycle} on lighthouse lamp checks",
            f"Keepers of lighthouse {cycle} check the lamp nightly and log it by 06:00.",
        )
        write_soak_doc(
            folder,
            "standing-rule.md",
            "Soak standing rule on harbour fees",
            f"Revision {cycle}: harbour fees are due within {cycle + 10} days of arrival.",
        )
        gone = sorted(folder.glob("notice-*.md"))[:-1]  # from the second cycle on
        for path in gone:
            path.unlink()
        started = time.monotonic()
        done = subprocess.run(
            [COMPLYQA, "ingest", str(folder), "--root", str(corpus), "--json"],
            env=env,
            text=True,
            capture_output=True,
        )
        seconds = time.monotonic() - started
        if done.returncode:
            log.append(f"cycle {cycle}: ingest failed ({done.returncode}): {done.stderr[-500:]}")
            continue
        report = json.loads(done.stdout)
        log.append(
            f"cycle {cycle}: ingest {seconds:.1f} s, added {len(report['added'])}, "
            f"replaced {len(report['replaced'])}, removed {len(report['removed'])}, "
            f"failed {len(report['failed'])}"
        )


def client(
    n: int, url: str, keys: dict[str, str], model: str, deadline: float, tally: Tally
) -> None:
    """One client: cycles through the endpoints, alternating the unscoped and scoped key."""
    conversation: dict[str, str | None] = {"reader": None, "scoped": None}
    with httpx.Client(base_url=url, timeout=180) as http:
        i = 0
        while time.monotonic() < deadline:
            endpoint = ENDPOINTS[(n + i) % len(ENDPOINTS)]
            who = "scoped" if (n + i // len(ENDPOINTS)) % 2 else "reader"
            question = QUESTIONS[(n * 3 + i) % len(QUESTIONS)]
            headers = {"Authorization": f"Bearer {keys[who]}"}
            i += 1
            started = time.perf_counter()
            try:
                if endpoint == "ask":
                    r = http.post("/v1/ask", json={"question": question}, headers=headers)
                elif endpoint == "search":
                    r = http.get("/v1/search", params={"q": question, "k": 8}, headers=headers)
                elif endpoint == "chat":
                    turn = {"question": question, "conversation_id": conversation[who]}
                    r = http.post("/v1/chat", json=turn, headers=headers)
                    if r.status_code == 200:
                        conversation[who] = r.json().get("conversation_id")
                    elif r.status_code == 404:
                        conversation[who] = None  # kept by the worker that was killed
                else:
                    messages = [{"role": "user", "content": question}]
                    r = http.post(
                        "/v1/chat/completions",
                        json={"model": model, "messages": messages},
                        headers=headers,
                    )
                status, sample = str(r.status_code), r.text
            except httpx.HTTPError as exc:
                status, sample = "no answer", f"{type(exc).__name__}: {exc}"
            tally.note(endpoint, status, (time.perf_counter() - started) * 1000, sample)


def worker_pids(server: int) -> set[int]:
    """The server's worker processes (children running uvicorn's spawned workers)."""
    pids = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            cmdline = (stat.parent / "cmdline").read_bytes()
        except (OSError, IndexError):
            continue
        # A killed worker the supervisor has not reaped yet is a zombie: it counts as ended.
        if int(fields[1]) == server and fields[0] != "Z" and b"resource_tracker" not in cmdline:
            pids.add(int(stat.parent.name))
    return pids


def watch_workers(server: int, started: float, stop: threading.Event, log: list[str]) -> None:
    """Logs every change of the server's worker processes (deaths, restarts)."""
    seen = worker_pids(server)
    while not stop.wait(0.25):
        now = worker_pids(server)
        at = time.monotonic() - started
        for pid in sorted(seen - now):
            log.append(f"{at:6.1f} s: worker {pid} ended")
        for pid in sorted(now - seen):
            log.append(f"{at:6.1f} s: worker {pid} started")
        seen = now


def kill_one_worker(server: int, started: float, tally: Tally, log: list[str]) -> None:
    workers = worker_pids(server)
    if not workers:
        log.append("no worker process found to kill")
        return
    victim = min(workers)
    with tally.lock:
        tally.killed_at = time.monotonic()
    os.kill(victim, signal.SIGKILL)
    log.append(f"{time.monotonic() - started:6.1f} s: kill -9 worker {victim}")


def consistency(data_dir: Path, url: str, admin: str) -> list[str]:
    """Problems found comparing manifest, Chroma chunks, lexical index and the served search."""
    os.environ["COMPLYQA_DATA_DIR"] = str(data_dir)
    from assistant.retrieval.index import Index
    from assistant.settings import Settings
    from ingest.records import corpus_fingerprint

    settings = Settings.load()
    index = Index(settings.ingest)
    manifest = index.store.manifest()
    problems = []
    expected = sum(int(m.get("n_chunks", 0)) for m in manifest.values())
    stored = index.store.count_chunks()
    if stored != expected:
        problems.append(f"Chroma holds {stored} chunks, the manifest counts {expected}")
    chunk_docs = {c.chunk_id.split("::")[0] for c in index.store.visible_chunks(manifest)}
    if chunk_docs != set(manifest):
        problems.append(
            f"documents without chunks or chunks without document: "
            f"{sorted(chunk_docs ^ set(manifest))[:10]}"
        )
    lexical = index.lexical()
    if set(lexical.documents) != set(manifest):
        problems.append(f"lexical index differs: {sorted(set(lexical.documents) ^ set(manifest))}")
    headers = {"Authorization": f"Bearer {admin}"}
    served = httpx.get(f"{url}/readyz", timeout=30).json().get("fingerprint")
    if served != corpus_fingerprint(manifest, settings.embedding.model):
        problems.append(f"the server's fingerprint {served} is not the manifest's")
    missed = []
    for doc_id, meta in sorted(manifest.items()):
        title = str(meta.get("title") or doc_id)
        r = httpx.get(
            f"{url}/v1/search", params={"q": title, "k": 10}, headers=headers, timeout=120
        )
        if r.status_code != 200 or doc_id not in {p["doc_id"] for p in r.json()["passages"]}:
            missed.append(f"{doc_id} ({r.status_code}, title {title!r})")
    if missed:
        problems.append(f"{len(missed)} documents not found by their title: {missed[:10]}")
    print(
        f"index: {len(manifest)} documents, {stored} chunks in Chroma, "
        f"{len(lexical.documents)} documents in the lexical index, "
        f"{len(manifest) - len(missed)}/{len(manifest)} found by their title"
    )
    return problems


def percentile(values: list[float], q: float) -> float | None:
    ordered = sorted(values)
    if not ordered:
        return None
    return round(ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))])


def report(tally: Tally, seconds: float) -> int:
    total = sum(tally.statuses.values())
    print(f"{total} requests in {seconds:.0f} s ({total / seconds:.1f}/s)")
    print("by status: " + ", ".join(f"{s}: {n}" for s, n in sorted(tally.statuses.items())))
    print(f"{'endpoint':<14}{'ok':>7}{'p50 ms':>9}{'p95 ms':>9}")
    for e in ENDPOINTS:
        lat = tally.latencies[e]
        print(
            f"{e:<14}{len(lat):>7}{percentile(lat, 0.5) or '-':>9}{percentile(lat, 0.95) or '-':>9}"
        )
    everything = [x for lat in tally.latencies.values() for x in lat]
    print(
        f"{'all':<14}{len(everything):>7}{percentile(everything, 0.5) or '-':>9}"
        f"{percentile(everything, 0.95) or '-':>9}"
    )
    for sample in tally.samples:
        print("  " + sample)
    return sum(n for s, n in tally.statuses.items() if s == "no answer" or s.startswith("5"))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--corpus", type=Path, default=REPO / "corpus")
    parser.add_argument("--keep", action="store_true", help="Keep the temporary data dir.")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="complyqa-soak-"))
    corpus, data_dir = tmp / "corpus", tmp / "data"
    shutil.copytree(args.corpus, corpus)
    (corpus / "soak").mkdir()
    write_soak_doc(
        corpus / "soak",
        "standing-rule.md",
        "Soak standing rule on harbour fees",
        "Harbour fees are due within 10 days of arrival.",
    )
    env = _env(data_dir, None)
    env["COMPLYQA_API__RATE_LIMIT_PER_MINUTE"] = "100000000"
    server: subprocess.Popen[bytes] | None = None
    log: list[str] = []
    failed = 0
    try:
        print(f"indexing {corpus} into {data_dir} …", file=sys.stderr)
        run([COMPLYQA, "ingest", str(corpus), "--root", str(corpus), "--json"], env)
        keys = {
            "admin": create_key(env, "soak-admin", "admin", None),
            "reader": create_key(env, "soak-reader", "reader", None),
            "scoped": create_key(env, "soak-scoped", "reader", SCOPE),
        }
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        server_log = (tmp / "server.log").open("w")
        server = subprocess.Popen(
            [
                COMPLYQA,
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                str(args.workers),
                "--log-level",
                "info",
            ],
            env=env,
            stdout=server_log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_ready(url, server)
        auth = {"Authorization": f"Bearer {keys['reader']}"}
        model = httpx.get(f"{url}/v1/models", headers=auth, timeout=60).json()["data"][0]["id"]
        # Both workers warm (model loaded) before the clock starts.
        for _ in range(4):
            httpx.post(f"{url}/v1/ask", json={"question": QUESTIONS[0]}, headers=auth, timeout=300)

        tally = Tally()
        stop = threading.Event()
        started = time.monotonic()
        deadline = started + args.minutes * 60
        threads = [
            threading.Thread(target=client, args=(n, url, keys, model, deadline, tally))
            for n in range(args.clients)
        ]
        changer = threading.Thread(target=mutator, args=(corpus, env, stop, log))
        watcher = threading.Thread(target=watch_workers, args=(server.pid, started, stop, log))
        for t in [*threads, changer, watcher]:
            t.start()
        time.sleep(args.minutes * 30)
        kill_one_worker(server.pid, started, tally, log)
        for t in threads:
            t.join()
        elapsed = time.monotonic() - started
        stop.set()
        changer.join()
        watcher.join()
        print(f"{args.clients} clients, {args.workers} workers, {args.minutes:g} min")
        for line in log:
            print("  " + line)
        failed = report(tally, elapsed)
        time.sleep(3)  # let the workers settle on the last commit before comparing
        problems = consistency(data_dir, url, keys["admin"])
        for p in problems:
            print("INCONSISTENT: " + p)
        print(f"5xx or unanswered: {failed}; index consistent: {not problems}")
        notable = [
            line.rstrip()
            for line in (tmp / "server.log").read_text(errors="replace").splitlines()
            if any(w in line for w in ("died", "ERROR", "Error", "Traceback", "Fatal"))
        ]
        print(f"server log ({tmp / 'server.log'}): {len(notable)} notable lines")
        for line in notable[:30]:
            print("  " + line[:300])
        failed += len(problems)
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
        if args.keep:
            print(f"kept {tmp}", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
