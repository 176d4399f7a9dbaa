"""Request parameters the framework does not check alone: name lengths, unknown filter keys."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.api.conftest import ApiEnv

LONG = "g" * 500


def _is_422(response: object, *words: str) -> None:
    assert response.status_code == 422, response.text  # type: ignore[attr-defined]
    assert response.headers["content-type"] == "application/problem+json"  # type: ignore[attr-defined]
    detail = response.json()["detail"]  # type: ignore[attr-defined]
    assert all(w in detail for w in words), detail


def test_long_group_and_scope_names_are_422(make_api: Callable[..., ApiEnv]) -> None:
    env = make_api()
    upload = env.post(
        "/v1/documents", as_="editor", files=[("files", ("a.txt", b"text"))], data={"group": LONG}
    )
    _is_422(upload, "group")
    _is_422(env.post("/v1/keys", json={"name": "x", "scope": [LONG]}), "at most 100 characters")
    _is_422(env.post("/v1/ask", json={"question": "q", "filters": {"groups": [LONG]}}), "groups")
    _is_422(env.get("/v1/search", params={"q": "q", "group": LONG}), "filters.groups")
    _is_422(env.get("/v1/documents", params={"group": LONG}), "filters.groups")
    assert not (env.settings.data_dir / "uploads").exists()


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/v1/ask", {"question": "q", "filters": {"group": ["us-ear"]}}),
        ("/v1/chat", {"question": "q", "filters": {"groups": ["us-ear"], "lang": ["en"]}}),
        (
            "/v1/chat/completions",
            {"messages": [{"role": "user", "content": "q"}], "filters": {"group": ["us-ear"]}},
        ),
    ],
)
def test_unknown_filter_keys_are_422(api: ApiEnv, path: str, body: dict[str, object]) -> None:
    response = api.post(path, as_="reader", json=body)
    _is_422(response, "filters", "Extra inputs are not permitted")
