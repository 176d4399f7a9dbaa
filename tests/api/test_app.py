"""App-wide behaviour: rate limit, body limits, no-auth mode, OpenAPI, the chat page."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from fastapi.testclient import TestClient

from assistant.api import create_app
from assistant.service import ComplyQA
from assistant.settings import Settings
from tests.api.conftest import ApiEnv
from tests.conftest import FakeEmbedder


def test_rate_limit_is_per_key_with_retry_after(make_api: Callable[..., ApiEnv]) -> None:
    env = make_api(rate_limit_per_minute=3)
    for _ in range(3):
        assert env.get("/v1/models", as_="reader").status_code == 200
    limited = env.get("/v1/models", as_="reader")
    assert limited.status_code == 429
    assert limited.headers["content-type"] == "application/problem+json"
    assert int(limited.headers["retry-after"]) >= 1
    assert "3 requests a minute" in limited.json()["detail"]
    assert env.get("/v1/models", as_="editor").status_code == 200  # another key, own bucket


def test_json_bodies_over_the_limit_are_413(api: ApiEnv) -> None:
    huge = {"question": "x", "filters": {"doc_ids": ["a" * 100] * 30_000}}
    response = api.post("/v1/ask", json=huge)
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"


def test_chunked_upload_without_length_is_cut_at_the_limit(make_api: Callable[..., ApiEnv]) -> None:
    env = make_api(max_upload_bytes=1000)
    boundary = "b0undary"

    def body() -> Iterator[bytes]:
        yield (
            f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="a.txt"\r\n'
            "Content-Type: text/plain\r\n\r\n"
        ).encode()
        for _ in range(200):
            yield b"x" * 1000
        yield f"\r\n--{boundary}--\r\n".encode()

    response = env.post(
        "/v1/documents",
        as_="editor",
        content=body(),
        headers={"content-type": f"multipart/form-data; boundary={boundary}"},
    )
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"


def test_no_auth_mode_acts_as_a_local_admin(tmp_path: Path) -> None:
    settings = Settings.load(data_dir=tmp_path / "d", api={"auth": False})
    app = create_app(settings, qa=ComplyQA(settings, embedder=FakeEmbedder()))  # type: ignore[arg-type]
    client = TestClient(app, base_url="http://127.0.0.1:8000")
    assert client.get("/v1/documents").status_code == 200
    assert client.get("/v1/keys").status_code == 200
    assert client.get("/v1/search", params={"q": "export"}).status_code == 200
    assert [e.key_id for e in app.state.complyqa.audit.entries()] == ["local"] * 3
    app.state.complyqa.close()


def test_openapi_documents_every_route_with_problem_errors(api: ApiEnv) -> None:
    schema = api.client.get("/openapi.json").json()
    paths = schema["paths"]
    expected = {
        ("post", "/v1/ask"),
        ("post", "/v1/chat"),
        ("get", "/v1/chat/{conversation_id}"),
        ("get", "/v1/search"),
        ("get", "/v1/documents"),
        ("post", "/v1/documents"),
        ("get", "/v1/documents/{doc_id}"),
        ("delete", "/v1/documents/{doc_id}"),
        ("post", "/v1/documents/{doc_id}/approve"),
        ("post", "/v1/chat/completions"),
        ("get", "/v1/models"),
        ("get", "/v1/keys"),
        ("post", "/v1/keys"),
        ("delete", "/v1/keys/{key_id}"),
        ("get", "/v1/audit"),
        ("get", "/healthz"),
        ("get", "/readyz"),
    }
    assert {(m, p) for p, ops in paths.items() for m in ops} == expected
    problem_ref = {"$ref": "#/components/schemas/Problem"}
    for path, ops in paths.items():
        for method, op in ops.items():
            assert "200" in op["responses"] or "201" in op["responses"], (method, path)
            for status, response in op["responses"].items():
                if status[0] in "45":
                    assert response["content"] == {
                        "application/problem+json": {"schema": problem_ref}
                    }, (method, path, status)
            if path.startswith("/v1/"):
                assert op["security"] == [{"HTTPBearer": []}], (method, path)
                assert "401" in op["responses"] and "429" in op["responses"], (method, path)
    assert set(schema["components"]["schemas"]["Problem"]["properties"]) >= {
        "type",
        "title",
        "status",
        "detail",
    }
    ask = paths["/v1/ask"]["post"]["responses"]["200"]["content"]
    assert ask["application/json"]["schema"] == {"$ref": "#/components/schemas/Answer"}
    assert "text/event-stream" in ask
    upload = paths["/v1/documents"]["post"]["responses"]
    assert {"413", "415", "403"} <= set(upload)


def test_chat_page_and_its_assets_are_served(api: ApiEnv) -> None:
    page = api.client.get("/")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert "<script" in page.text
    assert "default-src 'self'" in page.headers["content-security-policy"]
    for asset in ("/static/app.js", "/static/style.css"):
        assert api.client.get(asset).status_code == 200, asset
