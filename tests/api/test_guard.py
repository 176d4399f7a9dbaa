"""Browser guard: loopback Host names without keys (DNS rebinding), same-origin writes (CSRF)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from assistant.api import create_app
from assistant.api.guard import host_name, is_loopback, same_origin
from assistant.service import ComplyQA
from assistant.settings import Settings
from tests.api.conftest import ApiEnv
from tests.conftest import FakeEmbedder

NOTE = b"A planted note about export licences."


@pytest.fixture
def no_auth(tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings.load(data_dir=tmp_path / "d", api={"auth": False})
    app = create_app(settings, qa=ComplyQA(settings, embedder=FakeEmbedder()))  # type: ignore[arg-type]
    yield TestClient(app, base_url="http://127.0.0.1:8000")
    app.state.complyqa.close()


def test_loopback_names() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert is_loopback("127.0.0.2") and is_loopback("[::1]")
    assert not is_loopback("0.0.0.0") and not is_loopback("10.0.0.1") and not is_loopback("::")
    assert not is_loopback("127.0.0.1.evil.example") and not is_loopback("localhost.evil")
    assert host_name("127.0.0.1:8000") == "127.0.0.1" and host_name("[::1]:80") == "[::1]"
    assert host_name("LOCALHOST") == "localhost"


def test_same_origin() -> None:
    assert same_origin("http://127.0.0.1:8000", "127.0.0.1:8000")
    assert same_origin("https://intranet.example", "intranet.example")  # default ports
    assert same_origin("http://[::1]:8000", "[::1]:8000")
    assert not same_origin("http://127.0.0.1:9000", "127.0.0.1:8000")
    assert not same_origin("http://evil.example", "127.0.0.1:8000")
    assert not same_origin("null", "127.0.0.1:8000") and not same_origin("", "x")


@pytest.mark.parametrize("host", ["127.0.0.1:8000", "localhost:1234", "[::1]:8000", "localhost"])
def test_no_auth_answers_loopback_host_names(no_auth: TestClient, host: str) -> None:
    assert no_auth.get("/v1/keys", headers={"Host": host}).status_code == 200


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8000", "10.0.0.5:8000"])
def test_no_auth_refuses_other_host_names(no_auth: TestClient, host: str) -> None:
    response = no_auth.get("/v1/keys", headers={"Host": host})
    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"
    assert "not a loopback name" in response.json()["detail"]
    assert "127.0.0.1" in response.json()["detail"]
    assert no_auth.get("/", headers={"Host": host}).status_code == 403  # the page too


def test_no_auth_refuses_a_cross_origin_upload(no_auth: TestClient) -> None:
    files = [("files", ("planted.txt", NOTE))]
    refused = no_auth.post("/v1/documents", files=files, headers={"Origin": "http://evil.example"})
    assert refused.status_code == 403
    assert refused.headers["content-type"] == "application/problem+json"
    assert "cross-origin POST refused" in refused.json()["detail"]
    assert no_auth.get("/v1/documents").json() == []
    same = no_auth.post("/v1/documents", files=files, headers={"Origin": "http://127.0.0.1:8000"})
    assert same.status_code == 200 and same.json()["added"] == ["uploads/uploads/planted.txt"]
    # Reads from another origin are not refused here (CORS decides what a browser may see).
    read = no_auth.get("/v1/documents", headers={"Origin": "http://evil.example"})
    assert read.status_code == 200


def test_with_keys_writes_from_other_origins_are_refused(
    make_api: Callable[..., ApiEnv],
) -> None:
    env = make_api(cors_origins=["https://intranet.example"])
    question = {"question": "export licence"}
    evil = env.post(
        "/v1/chat", as_="reader", json=question, headers={"Origin": "http://evil.example"}
    )
    assert evil.status_code == 403
    ok = env.post("/v1/chat", as_="reader", json=question)  # no Origin: curl, SDKs
    assert ok.status_code == 200
    same = env.post(
        "/v1/chat", as_="reader", json=question, headers={"Origin": "http://testserver"}
    )
    assert same.status_code == 200
    listed = env.post(
        "/v1/chat", as_="reader", json=question, headers={"Origin": "https://intranet.example"}
    )
    assert listed.status_code == 200
    gone = env.delete(
        "/v1/documents/seeds/cloud-briefing.txt",
        as_="editor",
        headers={"Origin": "http://evil.example"},
    )
    assert gone.status_code == 403
    proxied = env.post(
        "/v1/chat",
        as_="reader",
        json=question,
        headers={"Origin": "https://qa.intranet", "X-Forwarded-Host": "qa.intranet"},
    )
    assert proxied.status_code == 200  # the page behind a reverse proxy
    # With keys, any Host name is served (a real deployment has its own name).
    assert env.get("/v1/models", as_="reader", headers={"Host": "qa.intranet"}).status_code == 200


@pytest.mark.slow
def test_a_real_no_auth_server_refuses_rebinding_and_cross_site_uploads(tmp_path: Path) -> None:
    """The attack as reported, against `complyqa serve --no-auth` in its own process."""
    import subprocess

    import httpx

    from tests.api.live import COMPLYQA
    from tests.servers import child_env as _env
    from tests.servers import free_port, stop, wait_until_up

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = tmp_path / "server.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [COMPLYQA, "serve", "--no-auth", "--port", str(port), "--log-level", "warning"],
            env=_env(tmp_path / "data"),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_until_up(proc, f"{url}/healthz", timeout=120, log=log)
            rebound = httpx.get(f"{url}/v1/keys", headers={"Host": "evil.example"})
            assert rebound.status_code == 403 and "loopback" in rebound.json()["detail"]
            assert httpx.get(f"{url}/v1/keys").status_code == 200
            planted = httpx.post(
                f"{url}/v1/documents",
                files=[("files", ("planted.txt", NOTE))],
                headers={"Origin": "http://evil.example"},
            )
            assert planted.status_code == 403
            assert not (tmp_path / "data" / "uploads").exists()
            audited = httpx.get(f"{url}/v1/audit").json()
            assert [(r["endpoint"], r["status"]) for r in audited[:2]] == [
                ("/v1/keys", 403),
                ("/v1/keys", 200),
            ]
        finally:
            stop(proc)
