"""`GET /v1/search`: ranked passages for a query, without answering."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query

from assistant.api.deps import (
    QADep,
    ReaderKey,
    RecordDep,
    SettingsDep,
    check_question,
    guard_doc_ids,
    scoped_filters,
)
from assistant.api.errors import problems
from assistant.api.schemas import SearchResponse
from assistant.models import Filters

router = APIRouter(tags=["search"])


@router.get(
    "/v1/search",
    response_model=SearchResponse,
    summary="Search passages",
    responses=problems(401, 403, 409, 422, 429, 500, 503),
)
def search(
    key: ReaderKey,
    qa: QADep,
    settings: SettingsDep,
    record: RecordDep,
    q: Annotated[str, Query(min_length=1, description="The query")],
    k: Annotated[int | None, Query(ge=1, le=100, description="How many passages")] = None,
    group: Annotated[list[str] | None, Query(description="Only these document groups")] = None,
    language: Annotated[
        list[str] | None, Query(description="Only these languages (zh, en)")
    ] = None,
    doc_id: Annotated[list[str] | None, Query(description="Only these documents")] = None,
    as_of: Annotated[
        dt.date | None,
        Query(description="Only texts in force on this day (YYYY-MM-DD); today by default"),
    ] = None,
) -> SearchResponse:
    """Passages ranked by hybrid retrieval (dense + BM25, fused), from groups the key may see."""
    query = check_question(q, settings, what="query")
    record.note(question=query, profile=settings.profile)
    filters = scoped_filters(
        Filters(groups=group, languages=language, doc_ids=doc_id, as_of=as_of), key
    )
    passages = qa.search(query, k=k, filters=filters)
    guard_doc_ids([p.doc_id for p in passages], key)
    record.note(
        detail=f"{len(passages)} passages: " + ", ".join(dict.fromkeys(p.doc_id for p in passages))
    )
    return SearchResponse(query=query, passages=passages)
