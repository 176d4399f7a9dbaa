"""The issue's own setup (12.1): a uvicorn server process, and a second process ingesting into
the same data dir while clients send scoped requests over HTTP. No request may fail, and the
server must serve what the other process committed, without a restart."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from collections import Counter
from pathlib import Path

import httpx

from assistant.service import ComplyQA
from assistant.settings import Settings
from assistant.stores.keys import KeyStore
from tests.api.corpus import write_corpus
from tests.api.test_concurrent_ingest import WRITER
from tests.conftest import REPO, FakeEmbedder
from tests.servers import free_port, stop, wait_until_up

ROUNDS = 10

SERVER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    import uvicorn
    from assistant.api import create_app
    from assistant.service import ComplyQA
    from assistant.settings import Settings
    from tests.conftest import FakeEmbedder

    settings = Settings.load(data_dir=Path(sys.argv[1]), api={"rate_limit_per_minute": 100000})
    app = create_app(settings, qa=ComplyQA(settings, embedder=FakeEmbedder()))
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[2]), log_level="warning")
    """
)


def test_server_process_survives_an_ingest_from_another_process(tmp_path: Path) -> None:
    data = tmp_path / "data"
    corpus = write_corpus(tmp_path / "corpus")
    qa = ComplyQA(Settings.load(data_dir=data), embedder=FakeEmbedder())  # type: ignore[arg-type]
    assert not qa.ingest([corpus], root=corpus).failed
    keys = KeyStore.in_data_dir(data)
    secrets = {
        "admin": keys.create("admin", "admin")[0],
        "us": keys.create("us", "reader", ["us-ear"])[0],
        "beta": keys.create("beta", "reader", ["beta"])[0],
    }
    keys.close()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = tmp_path / "server.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-c", SERVER, str(data), str(port)],
            cwd=REPO,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until_up(server, f"{url}/healthz", timeout=120, log=log)
        requests = [
            ("us", "GET", "/v1/search", {"params": {"q": "supercomputer licence"}}),
            ("beta", "GET", "/v1/search", {"params": {"q": "lighthouse beacon report"}}),
            ("admin", "GET", "/v1/search", {"params": {"q": "lighthouse", "group": "beta"}}),
            ("us", "POST", "/v1/ask", {"json": {"question": "Who needs a supercomputer licence?"}}),
            ("beta", "POST", "/v1/ask", {"json": {"question": "How often are beacon reports filed?"}}),
        ]  # fmt: skip
        with httpx.Client(base_url=url, timeout=60) as client:
            for name, method, path, kw in requests:  # warm the server's own view first
                auth = {"Authorization": f"Bearer {secrets[name]}"}
                assert client.request(method, path, headers=auth, **kw).status_code == 200
            writer = subprocess.Popen(
                [sys.executable, "-c", WRITER, str(data), str(tmp_path / "extra"), str(ROUNDS)],
                cwd=REPO,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
            )
            statuses: Counter[int] = Counter()
            failures: list[str] = []
            while writer.poll() is None:
                for name, method, path, kw in requests:
                    auth = {"Authorization": f"Bearer {secrets[name]}"}
                    response = client.request(method, path, headers=auth, **kw)
                    statuses[response.status_code] += 1
                    if response.status_code != 200:
                        failures.append(f"{path} as {name}: {response.status_code}")
            output = writer.communicate(timeout=120)[0].decode()
            assert writer.returncode == 0, output[-3000:]
            assert not failures, (failures[:5], log.read_text()[-3000:])
            assert statuses[200] >= len(requests)

            last = f"beta/notice-{ROUNDS - 1}.md"
            auth = {"Authorization": f"Bearer {secrets['beta']}"}
            deadline, found = time.monotonic() + 30, set()
            while time.monotonic() < deadline and last not in found:
                params = {"q": f"beacon report {ROUNDS - 1}", "k": 20}
                response = client.get("/v1/search", headers=auth, params=params)
                assert response.status_code == 200, response.text
                found = {p["doc_id"] for p in response.json()["passages"]}
                time.sleep(0.5)
            assert last in found
    finally:
        stop(server)
    assert "Traceback" not in log.read_text(), log.read_text()[-3000:]
