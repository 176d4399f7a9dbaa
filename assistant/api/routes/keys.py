"""`/v1/keys`: create, list and revoke API keys (unscoped admin keys only)."""

from __future__ import annotations

from fastapi import APIRouter

from assistant.api.deps import AdminKey, KeysDep, RecordDep
from assistant.api.errors import problems
from assistant.api.schemas import CreatedKey, CreateKeyBody
from assistant.stores.keys import ApiKey

router = APIRouter(tags=["keys"])


@router.get(
    "/v1/keys", response_model=list[ApiKey], summary="List keys", responses=problems(401, 403, 429)
)
def list_keys(admin: AdminKey, keys: KeysDep) -> list[ApiKey]:
    """Every key, revoked ones included (never the secrets: they are not stored)."""
    return keys.list()


@router.post(
    "/v1/keys",
    response_model=CreatedKey,
    status_code=201,
    summary="Create a key",
    responses=problems(401, 403, 422, 429),
)
def create_key(
    body: CreateKeyBody, admin: AdminKey, keys: KeysDep, record: RecordDep
) -> CreatedKey:
    """A new key; the secret is in this response only."""
    secret, info = keys.create(
        body.name, body.role, body.scope, trust_user_headers=body.trust_user_headers
    )
    record.note(detail=f"created {info.describe()}")
    return CreatedKey(key=secret, info=info)


@router.delete(
    "/v1/keys/{key_id}",
    response_model=ApiKey,
    summary="Revoke a key",
    responses=problems(401, 403, 404, 429),
)
def revoke_key(key_id: str, admin: AdminKey, keys: KeysDep, record: RecordDep) -> ApiKey:
    """Revokes the key at once; it stays listed with its revocation time."""
    info = keys.revoke(key_id)
    record.note(detail=f"revoked {info.describe()}")
    return info
