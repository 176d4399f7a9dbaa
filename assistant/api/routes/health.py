"""`/healthz` (the process answers) and `/readyz` (an index with documents is loaded)."""

from __future__ import annotations

from fastapi import APIRouter

from assistant.api.deps import QADep
from assistant.api.errors import ApiError, problems
from assistant.api.schemas import HealthStatus, ReadyStatus
from ingest.errors import ComplyqaError

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=HealthStatus, summary="Liveness")
def healthz() -> HealthStatus:
    """200 while the process is up; needs no key."""
    return HealthStatus()


@router.get(
    "/readyz", response_model=ReadyStatus, summary="Readiness", responses=problems(500, 503)
)
def readyz(qa: QADep) -> ReadyStatus:
    """200 once the index holds documents (with counts and corpus fingerprint); 503 before."""
    try:
        stats = qa.stats()
    except ComplyqaError as exc:
        raise ApiError(503, f"index not ready: {exc}") from None
    if stats.documents == 0:
        raise ApiError(
            503, "no documents are indexed yet; ingest some (complyqa ingest, POST /v1/documents)"
        )
    return ReadyStatus(
        documents=stats.documents,
        chunks=stats.chunks,
        fingerprint=stats.fingerprint,
        embedding_model=stats.embedding_model,
    )
