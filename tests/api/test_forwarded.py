"""Open WebUI's forwarded user headers: audited and rate-limited per user for a trusted key,
ignored for any other."""

from __future__ import annotations

from collections.abc import Callable

from assistant.api.forwarded import forwarded_user
from assistant.stores.keys import ApiKey, Role
from tests.api.conftest import ApiEnv


def _user(user_id: str, name: str = "Ann Lee") -> dict[str, str]:
    return {
        "X-OpenWebUI-User-Id": user_id,
        "X-OpenWebUI-User-Name": name,
        "X-OpenWebUI-User-Email": f"{user_id}@example.com",
        "X-OpenWebUI-User-Role": "user",
    }


def _webui_key(env: ApiEnv, trusted: bool) -> dict[str, str]:
    created = env.post(
        "/v1/keys", json={"name": "open-webui", "role": "reader", "trust_user_headers": trusted}
    )
    assert created.status_code == 201, created.text
    assert created.json()["info"]["trust_user_headers"] is trusted
    return {"Authorization": f"Bearer {created.json()['key']}"}


def test_a_trusted_key_records_the_user_in_the_audit_row(make_api: Callable[..., ApiEnv]) -> None:
    env = make_api()
    auth = _webui_key(env, trusted=True)
    response = env.client.post(
        "/v1/chat/completions",
        headers=auth | _user("u-17"),
        json={"messages": [{"role": "user", "content": "What needs an export licence?"}]},
    )
    assert response.status_code == 200
    row = env.state.audit.entries()[-1]
    assert row.endpoint == "/v1/chat/completions" and row.question
    assert (row.user_id, row.user_name, row.user_email, row.user_role) == (
        "u-17",
        "Ann Lee",
        "u-17@example.com",
        "user",
    )


def test_an_untrusted_key_gets_no_user_recorded(make_api: Callable[..., ApiEnv]) -> None:
    env = make_api()
    auth = _webui_key(env, trusted=False)
    assert env.client.get("/v1/models", headers=auth | _user("u-17")).status_code == 200
    row = env.state.audit.entries()[-1]
    assert row.user_id is None and row.user_name is None


def test_a_trusted_key_rate_limits_each_user_on_their_own(
    make_api: Callable[..., ApiEnv],
) -> None:
    env = make_api(rate_limit_per_minute=2)
    auth = _webui_key(env, trusted=True)
    for _ in range(2):
        assert env.client.get("/v1/models", headers=auth | _user("ann")).status_code == 200
    limited = env.client.get("/v1/models", headers=auth | _user("ann"))
    assert limited.status_code == 429 and "user 'ann'" in limited.json()["detail"]
    assert env.state.audit.entries()[-1].user_id == "ann"
    assert env.client.get("/v1/models", headers=auth | _user("bob")).status_code == 200


def test_an_untrusted_key_shares_one_bucket_whatever_users_it_names(
    make_api: Callable[..., ApiEnv],
) -> None:
    env = make_api(rate_limit_per_minute=2)
    auth = _webui_key(env, trusted=False)
    for user in ("ann", "bob"):
        assert env.client.get("/v1/models", headers=auth | _user(user)).status_code == 200
    assert env.client.get("/v1/models", headers=auth | _user("carl")).status_code == 429


def test_header_values_are_cleaned() -> None:
    trusted = ApiKey(id="k", name="w", role=Role.reader, trust_user_headers=True)
    plain = trusted.model_copy(update={"trust_user_headers": False})
    headers = {"x-openwebui-user-id": " u\x00-1 ", "x-openwebui-user-name": "x" * 500}
    user = forwarded_user(headers, trusted)
    assert user is not None and user.id == "u-1" and user.name == "x" * 200
    assert forwarded_user(headers, plain) is None and forwarded_user(headers, None) is None
    assert forwarded_user({"x-openwebui-user-role": "admin"}, trusted) is None  # no one named
