"""A real `complyqa serve` subprocess on a free loopback port, with a small corpus uploaded
through the API (so the embedding model loads once, in the server)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.api.corpus import FILES
from tests.servers import child_env, free_port, stop, wait_until_up

COMPLYQA = str(Path(sys.executable).parent / "complyqa")


@dataclass
class LiveServer:
    url: str
    data_dir: Path
    keys: dict[str, str] = field(default_factory=dict)
    log: Path | None = None

    def auth(self, name: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[name]}"}


def create_key(data_dir: Path, name: str, role: str, scope: str | None = None) -> str:
    args = [COMPLYQA, "keys", "create", "--role", role, "--name", name]
    if scope:
        args += ["--scope", scope]
    out = subprocess.run(
        args, env=child_env(data_dir), check=True, capture_output=True, text=True, timeout=120
    )
    return out.stdout.strip().splitlines()[-1]


@contextmanager
def live_server(tmp: Path, startup_timeout: float = 240.0) -> Iterator[LiveServer]:
    data_dir = tmp / "data"
    data_dir.mkdir(parents=True)
    server = LiveServer(url="", data_dir=data_dir, log=tmp / "server.log")
    server.keys["admin"] = create_key(data_dir, "admin", "admin")
    server.keys["reader"] = create_key(data_dir, "reader", "reader")
    server.keys["cn_reader"] = create_key(data_dir, "cn", "reader", "cn-regulations")
    port = free_port()
    server.url = f"http://127.0.0.1:{port}"
    assert server.log is not None
    with server.log.open("wb") as log:
        proc = subprocess.Popen(
            [
                COMPLYQA,
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--log-level",
                "warning",
            ],
            env=child_env(data_dir),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_until_up(proc, f"{server.url}/healthz", timeout=startup_timeout, log=server.log)
            _upload_corpus(server)
            yield server
        finally:
            stop(proc)


def _upload_corpus(server: LiveServer) -> None:
    by_group: dict[str, list[tuple[str, str]]] = {}
    for rel, text in FILES.items():
        group, name = rel.split("/", 1)
        by_group.setdefault(group, []).append((name, text))
    with httpx.Client(base_url=server.url, headers=server.auth("admin"), timeout=600) as client:
        for group, files in by_group.items():
            response = client.post(
                "/v1/documents",
                data={"group": group},
                files=[("files", (name, text.encode("utf-8"))) for name, text in files],
            )
            response.raise_for_status()
            report = response.json()
            assert not report["failed"], report
        ready = client.get("/readyz").json()
        assert ready["documents"] == len(FILES), ready
