"""`GET /v1/audit`: the audit log, for unscoped admin keys."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from assistant.api.deps import AdminKey, AuditDep
from assistant.api.errors import problems
from assistant.stores.audit import AuditEntry

router = APIRouter(tags=["audit"])


@router.get(
    "/v1/audit",
    response_model=list[AuditEntry],
    summary="Read the audit log",
    responses=problems(401, 403, 422, 429),
)
def read_audit(
    admin: AdminKey,
    audit: AuditDep,
    since: Annotated[
        str | None, Query(description="ISO date or date-time (UTC unless it says otherwise)")
    ] = None,
    after_id: Annotated[
        int, Query(ge=0, le=2**63 - 1, description="Only entries with a larger id (paging)")
    ] = 0,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
) -> list[AuditEntry]:
    """Entries oldest first; page with `after_id` = the last id you received."""
    return audit.entries(since=since, limit=limit, after_id=after_id)
