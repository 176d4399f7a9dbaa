"""`POST /v1/ask`: one question, one cited answer (JSON, or streamed as server-sent events)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.responses import Response

from assistant.api import answering
from assistant.api.deps import ReaderKey, RecordDep, SettingsDep, StateDep, check_question
from assistant.api.errors import problems
from assistant.api.schemas import AskBody, with_as_of
from assistant.api.streaming import ANSWER_EVENTS, answer_events, json_or_sse, sse
from assistant.models import Answer

router = APIRouter(tags=["answers"])


@router.post(
    "/v1/ask",
    response_model=Answer,
    summary="Answer a question with citations",
    responses={**json_or_sse(ANSWER_EVENTS), **problems(401, 403, 409, 422, 429, 500, 503)},
)
def ask(
    body: AskBody,
    key: ReaderKey,
    state: StateDep,
    settings: SettingsDep,
    record: RecordDep,
    stream: Annotated[bool, Query(description="Stream server-sent events")] = False,
) -> Answer | Response:
    """Answers from the indexed sources the key may see; abstains when they do not answer.

    Every claim in `text` carries a `[n]` marker; `citations[n-1]` points at the exact
    passage (`quote == document text[start:end]`).
    """
    question = answering.Question(
        endpoint="/v1/ask",
        question=check_question(body.question, settings),
        filters=with_as_of(body.filters, body.as_of),
        k=body.k,
        mode=body.mode,
        profile=body.profile,
    )
    if stream:
        return sse(answer_events(answering.stream(state, key, question, record)))
    return answering.ask(state, key, question, record)
