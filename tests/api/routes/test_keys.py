"""`/v1/keys`: only unscoped admins manage keys; revoked keys stop working at once."""

from __future__ import annotations

import pytest

from tests.api.conftest import ApiEnv


def test_admin_creates_lists_and_revokes_keys(api: ApiEnv) -> None:
    created = api.post("/v1/keys", json={"name": "bot-9", "role": "reader", "scope": ["seeds"]})
    assert created.status_code == 201, created.text
    secret, info = created.json()["key"], created.json()["info"]
    assert info["scope"] == ["seeds"] and info["role"] == "reader"
    headers = {"Authorization": f"Bearer {secret}"}
    assert api.client.get("/v1/documents", headers=headers).status_code == 200

    listed = api.get("/v1/keys").json()
    assert any(k["id"] == info["id"] for k in listed)
    assert secret not in str(listed)

    revoked = api.delete(f"/v1/keys/{info['id']}")
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert api.client.get("/v1/documents", headers=headers).status_code == 401
    assert api.delete("/v1/keys/doesnotexist").status_code == 404


@pytest.mark.parametrize("who", ["reader", "editor", "cn_admin"])
def test_only_unscoped_admins_manage_keys(api: ApiEnv, who: str) -> None:
    assert api.get("/v1/keys", as_=who).status_code == 403
    response = api.post("/v1/keys", as_=who, json={"name": "x", "role": "admin"})
    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"


def test_bad_key_specs_are_422(api: ApiEnv) -> None:
    assert api.post("/v1/keys", json={"name": "x", "role": "root"}).status_code == 422
    assert api.post("/v1/keys", json={"name": "x", "scope": ["../etc"]}).status_code == 422
    assert api.post("/v1/keys", json={"name": ""}).status_code == 422
