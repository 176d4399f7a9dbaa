"""End-to-end check with the real Open WebUI (not run in CI: it installs ~3 GB and takes
minutes of CPU).

1. Installs Open WebUI into its own virtualenv (`--venv`, reused when it exists), with
   `torch==2.13.0` as a pip constraint so it does not pull another torch.
2. Indexes the bundled corpus into a fresh data dir, creates a reader key, and starts
   `complyqa serve` on loopback.
3. Starts Open WebUI on loopback with WEBUI_AUTH=False, OFFLINE_MODE=true,
   BYPASS_EMBEDDING_AND_RETRIEVAL=true, ENABLE_OLLAMA_API=false and complyqa's `/v1` (with
   the reader key) as its only OpenAI connection.
4. Asks a question in headless Chromium (Debian's /usr/bin/chromium through Playwright), waits
   for the answer, opens the sources, and saves screenshots; then opens the first citation's
   link in a fresh browser context (no complyqa key) and checks the quote is shown.

Prints a JSON summary (also written next to the screenshots) and exits non-zero if a check
fails.

    nice -n 10 .venv/bin/python scripts/openwebui_e2e.py --out artifacts/openwebui
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.servers import free_port, stop, wait_until_up  # noqa: E402

OPEN_WEBUI = "open-webui==0.12.4"
TORCH_CONSTRAINT = "torch==2.13.0"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
QUESTION = "How much did Shenzhen University spend to access A100 and H100 chips via AWS?"
FOLLOW_UP = "Which company did it go through?"
COMPLYQA = str(Path(sys.executable).parent / "complyqa")


def log(message: str) -> None:
    print(f"[openwebui-e2e {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def install_open_webui(venv: Path) -> Path:
    """The `open-webui` executable in `venv`, installing it there first if needed."""
    exe = venv / "bin" / "open-webui"
    if exe.exists():
        log(f"reusing {venv}")
        return exe
    log(f"creating {venv} and installing {OPEN_WEBUI} (about 3 GB)")
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    constraints = venv / "constraints.txt"
    constraints.write_text(TORCH_CONSTRAINT + "\n")
    pip = [str(venv / "bin" / "python"), "-m", "pip"]
    subprocess.run([*pip, "install", "-q", "--upgrade", "pip"], check=True)
    subprocess.run([*pip, "install", "-q", "-c", str(constraints), OPEN_WEBUI], check=True)
    return exe


def base_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMPLYQA_")}
    env.update(
        OPENBLAS_NUM_THREADS="1",
        OMP_NUM_THREADS="1",
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
        TOKENIZERS_PARALLELISM="false",
    )
    return env


def start_complyqa(
    work: Path, extra_env: dict[str, str]
) -> tuple[subprocess.Popen[bytes], str, str, Path]:
    data = work / "complyqa-data"
    env = base_env() | extra_env | {"COMPLYQA_DATA_DIR": str(data)}
    log("indexing the bundled corpus")
    subprocess.run([COMPLYQA, "ingest", str(REPO / "corpus")], env=env, check=True)
    key = (
        subprocess.run(
            [COMPLYQA, "keys", "create", "--role", "reader", "--name", "open-webui"],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    logfile = work / "complyqa.log"
    proc = subprocess.Popen(
        [COMPLYQA, "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=logfile.open("wb"),
        stderr=subprocess.STDOUT,
    )
    wait_until_up(proc, f"{url}/readyz", timeout=300, log=logfile)
    log(f"complyqa at {url}")
    return proc, url, key, data


def start_open_webui(exe: Path, work: Path, complyqa_url: str, key: str) -> tuple[Any, str]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    data = work / "open-webui-data"
    data.mkdir(exist_ok=True)
    env = base_env() | {
        "DATA_DIR": str(data),
        "WEBUI_AUTH": "False",
        "OFFLINE_MODE": "true",
        "BYPASS_EMBEDDING_AND_RETRIEVAL": "true",
        "ENABLE_OLLAMA_API": "false",
        "ENABLE_OPENAI_API": "true",
        "OPENAI_API_BASE_URL": f"{complyqa_url}/v1",
        "OPENAI_API_KEY": key,
        "DEFAULT_MODELS": "complyqa",
        "ENABLE_VERSION_UPDATE_CHECK": "false",
        "ANONYMIZED_TELEMETRY": "false",
        "WEBUI_SECRET_KEY": "e2e-only-" + os.urandom(8).hex(),
    }
    logfile = work / "open-webui.log"
    proc = subprocess.Popen(
        [str(exe), "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=logfile.open("wb"),
        stderr=subprocess.STDOUT,
        cwd=work,
    )
    wait_until_up(proc, f"{url}/health", timeout=900, log=logfile)
    log(f"Open WebUI at {url}")
    return proc, url


class RecordingProxy:
    """A pass-through between Open WebUI and complyqa that writes down every request body
    (to compare with the shapes `tests/api/openwebui_requests.py` replays)."""

    def __init__(self, upstream: str, out: Path) -> None:
        import threading

        import uvicorn
        from starlette.applications import Starlette
        from starlette.requests import Request
        from starlette.responses import StreamingResponse
        from starlette.routing import Route

        self.out = out
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        client = httpx.AsyncClient(base_url=upstream, timeout=600)

        async def forward(request: Request) -> StreamingResponse:
            body = await request.body()
            record = {"method": request.method, "path": request.url.path}
            if body:
                record["body"] = json.loads(body)
            with self.out.open("a") as f:
                f.write(json.dumps(record, ensure_ascii=False) + "\n")
            headers = {
                k: v
                for k, v in request.headers.items()
                if k.lower() in ("authorization", "content-type", "accept")
                or k.lower().startswith("x-openwebui-")
            }
            upstream_request = client.build_request(
                request.method, request.url.path, params=request.query_params,
                content=body, headers=headers,
            )  # fmt: skip
            response = await client.send(upstream_request, stream=True)
            passthrough = {
                k: v for k, v in response.headers.items() if k.lower() in ("content-type",)
            }
            return StreamingResponse(
                response.aiter_raw(), status_code=response.status_code, headers=passthrough
            )

        app = Starlette(routes=[Route("/{path:path}", forward, methods=["GET", "POST"])])
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started and time.monotonic() < deadline:
            time.sleep(0.1)

    def close(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def drive_browser(owui_url: str, out: Path) -> dict[str, Any]:
    """Ask, open the sources and a citation, follow its link; every step is recorded, and a
    failed step is written down (with a screenshot) instead of stopping the rest."""
    from playwright.sync_api import sync_playwright

    result: dict[str, Any] = {"errors": []}

    def step(name: str, page: Any, fn: Any) -> Any:
        try:
            return fn()
        except Exception as exc:  # keep going: the summary says what failed
            result["errors"].append(f"{name}: {type(exc).__name__}: {exc}"[:500])
            page.screenshot(path=str(out / f"failed_{name}.png"), full_page=True)
            return None

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        # Open WebUI keeps a socket open: "networkidle" never comes.
        page.goto(owui_url + "/", wait_until="domcontentloaded", timeout=180_000)
        page.locator("#chat-input").wait_for(timeout=180_000)
        _dismiss_dialogs(page)
        for n, question in enumerate([QUESTION, FOLLOW_UP], start=1):
            step(f"ask_{n}", page, lambda q=question: _ask(page, q))
            result[f"answer_{n}"] = step(f"answer_{n}", page, lambda n=n: _wait_for_answer(page, n))
            page.screenshot(path=str(out / f"openwebui_answer_{n}.png"), full_page=True)

        def open_sources() -> list[str]:
            toggle = page.get_by_role("button", name=re.compile(r"\d+ sources?", re.I)).first
            result["sources_toggle"] = toggle.inner_text(timeout=30_000).strip()
            toggle.click()
            chips = page.locator("button[id^='source-']")
            chips.first.wait_for(timeout=30_000)
            return [c.inner_text().strip() for c in chips.all()]

        result["source_names"] = step("sources", page, open_sources) or []
        page.screenshot(path=str(out / "openwebui_sources.png"), full_page=True)

        def open_citation() -> str | None:
            page.locator("button[id^='source-']").first.click()
            page.wait_for_timeout(1500)
            links = page.locator("a[href*='passage=']")
            result["citation_view_text"] = page.locator("body").inner_text()[-1500:]
            return links.first.get_attribute("href") if links.count() else None

        result["citation_link"] = step("citation", page, open_citation)
        page.screenshot(path=str(out / "openwebui_citation_modal.png"))
        link = result["citation_link"]
        if link:
            # A fresh context: no complyqa key anywhere, as for a colleague the link is sent to.
            other = browser.new_context(viewport={"width": 1280, "height": 860}).new_page()

            def follow_link() -> str | None:
                other.goto(link)
                mark = other.locator("#source-text mark")
                mark.wait_for(timeout=60_000)
                return mark.text_content()

            result["link_quote"] = step("link", other, follow_link)
            other.screenshot(path=str(out / "complyqa_shared_citation.png"))
        browser.close()
    return result


def _dismiss_dialogs(page: Any) -> None:
    """Closes a "what's new" dialog if one is shown; hidden matches are skipped."""
    for name in (re.compile("okay, let's go", re.I), re.compile("^(close|dismiss)$", re.I)):
        with contextlib.suppress(Exception):  # no such dialog this time
            page.get_by_role("button", name=name).first.click(timeout=2000)
    page.keyboard.press("Escape")


def _ask(page: Any, question: str) -> None:
    box = page.locator("#chat-input")
    box.wait_for(timeout=120_000)
    box.click()
    page.keyboard.type(question)
    page.keyboard.press("Enter")


def _wait_for_answer(page: Any, n: int, timeout: float = 300) -> str:
    """The text of the n-th assistant message once it stops changing (streaming is over)."""
    container = page.locator("#response-content-container").nth(n - 1)
    container.wait_for(timeout=timeout * 1000)
    deadline = time.monotonic() + timeout
    last, stable_since = "", time.monotonic()
    while time.monotonic() < deadline:
        text = str(container.inner_text())
        if text != last:
            last, stable_since = text, time.monotonic()
        elif text.strip() and time.monotonic() - stable_since > 4:
            return text
        time.sleep(0.5)
    raise TimeoutError(f"answer {n} did not finish in {timeout} s: {last[:200]!r}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--venv", type=Path, default=Path(tempfile.gettempdir()) / "owui-venv")
    parser.add_argument("--out", type=Path, default=REPO / "artifacts" / "openwebui")
    parser.add_argument("--keep", action="store_true", help="keep the work dir (logs, data)")
    parser.add_argument(
        "--complyqa-env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a COMPLYQA_* setting for the complyqa server, e.g. COMPLYQA_API__SOURCES_BLOCK=false",
    )
    args = parser.parse_args()
    extra_env = dict(item.split("=", 1) for item in args.complyqa_env)
    if not Path(CHROMIUM).exists():
        sys.exit(f"{CHROMIUM} is missing: apt-get install chromium")
    args.out.mkdir(parents=True, exist_ok=True)
    exe = install_open_webui(args.venv)
    work = Path(tempfile.mkdtemp(prefix="owui-e2e-"))
    procs: list[subprocess.Popen[bytes]] = []
    summary: dict[str, Any] = {"open_webui": OPEN_WEBUI, "work": str(work), "env": extra_env}
    started = time.monotonic()
    try:
        cq, cq_url, key, _ = start_complyqa(work, extra_env)
        procs.append(cq)
        requests_log = args.out / "requests.jsonl"
        requests_log.unlink(missing_ok=True)
        proxy = RecordingProxy(cq_url, requests_log)
        ow, ow_url = start_open_webui(exe, work, proxy.url, key)
        procs.append(ow)
        summary |= drive_browser(ow_url, args.out)
        proxy.close()
        summary["requests"] = _request_shapes(requests_log)
        audit = _audit(cq_url, work)
        summary["audit"] = audit
    finally:
        for proc in reversed(procs):
            stop(proc)
        summary["seconds"] = round(time.monotonic() - started, 1)
        (args.out / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2))
        print(json.dumps(summary, ensure_ascii=False, indent=2))
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    checks = {
        "first answer has $27,996": "27,996" in (summary.get("answer_1") or ""),
        "follow-up names Yunda Technology": "Yunda" in (summary.get("answer_2") or ""),
        "sources shown": bool(summary.get("source_names")),
        "source names distinct": len(set(summary.get("source_names", [])))
        == len(summary.get("source_names", [])),
        "citation link opens the quote without a key": bool(summary.get("link_quote")),
        "no step failed": not summary.get("errors"),
    }
    for name, ok in checks.items():
        log(f"{'PASS' if ok else 'FAIL'}: {name}")
    return 0 if all(checks.values()) else 1


def _request_shapes(path: Path) -> list[dict[str, Any]]:
    """What Open WebUI sent: path, stream flag, top-level keys, and the first line of the last
    user message (a `### Task:` prompt shows which task)."""
    shapes = []
    for line in path.read_text().splitlines() if path.exists() else []:
        record = json.loads(line)
        body = record.get("body") or {}
        messages = body.get("messages") or []
        last = next((m for m in reversed(messages) if m.get("role") == "user"), {})
        content = last.get("content")
        text = content if isinstance(content, str | None) else json.dumps(content)[:200]
        shapes.append(
            {
                "path": record["path"],
                "stream": body.get("stream"),
                "keys": sorted(body),
                "first_line": (text or "").splitlines()[0][:120] if text else None,
            }
        )
    return shapes


def _audit(complyqa_url: str, work: Path) -> dict[str, Any]:
    """Counts of what the session left in complyqa's audit log (read from its database)."""
    from assistant.stores.audit import AuditLog

    log_ = AuditLog.in_data_dir(work / "complyqa-data")
    try:
        rows = [e for e in log_.entries() if e.endpoint == "/v1/chat/completions"]
    finally:
        log_.close()
    tasks = [e for e in rows if (e.detail or "").startswith("Open WebUI background task")]
    return {
        "chat_completions": len(rows),
        "answered": sum(1 for e in rows if e.question),
        "background_tasks": len(tasks),
        "task_kinds": sorted({(e.detail or "").split("(")[-1].split(")")[0] for e in tasks}),
        "complyqa_url": complyqa_url,
    }


if __name__ == "__main__":
    raise SystemExit(main())
