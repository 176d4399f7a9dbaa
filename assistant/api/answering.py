"""Asking the facade on behalf of an API key: scope filter in, audit details out.

Shared by `/v1/ask`, `/v1/chat` and `/v1/chat/completions`, so every answer the API gives
is audited the same way (on its request's audit row) and every question is asked inside the
key's scope.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from assistant.api.audit_trail import RequestAudit
from assistant.api.deps import ApiState, ComplyQA, guard_doc_ids, scoped_filters
from assistant.api.errors import ApiError, Problem, problem_for_exception
from assistant.models import Answer, AnswerDelta, AnswerDone, Filters, Turn
from assistant.stores.keys import ApiKey
from ingest.errors import ComplyqaError

log = logging.getLogger(__name__)

#: How many earlier turns of a conversation go to the facade with a follow-up question.
HISTORY_TURNS = 6


@dataclass(frozen=True)
class Question:
    """One question as the API received it, already validated."""

    endpoint: str
    question: str
    filters: Filters | None = None
    k: int | None = None
    mode: str | None = None
    profile: str | None = None
    history: Sequence[Turn] = ()
    conversation_id: str | None = None


def ask(state: ApiState, key: ApiKey, req: Question, record: RequestAudit) -> Answer:
    """The facade's answer inside the key's scope; audited whether it succeeds or fails."""
    _audit_question(state, req, record)
    filters = scoped_filters(req.filters, key)
    qa = state.facade(req.profile)
    answer = qa.ask(
        req.question, k=req.k, filters=filters, mode=req.mode, history=tuple(req.history)
    )
    guard_scope(answer, key)
    record.answer(answer, req.question, req.conversation_id)
    return answer


def stream(
    state: ApiState, key: ApiKey, req: Question, record: RequestAudit
) -> Iterator[AnswerDelta | AnswerDone | Problem]:
    """The facade's answer events inside the key's scope; a failure ends with a `Problem`.

    The final answer is audited once it is complete. Scope and profile are checked before
    the first event, so a refused request fails as a plain HTTP error, not mid-stream.
    """
    _audit_question(state, req, record)
    filters = scoped_filters(req.filters, key)
    qa = state.facade(req.profile)
    return _stream_events(key, req, qa, filters, record)


def _stream_events(
    key: ApiKey, req: Question, qa: ComplyQA, filters: Filters, record: RequestAudit
) -> Iterator[AnswerDelta | AnswerDone | Problem]:
    try:
        events = qa.stream_ask(
            req.question, k=req.k, filters=filters, mode=req.mode, history=tuple(req.history)
        )
        for event in events:
            if isinstance(event, AnswerDone):
                guard_scope(event.answer, key)
                record.answer(event.answer, req.question, req.conversation_id)
            yield event
    except Exception as exc:
        if not isinstance(exc, ComplyqaError | ApiError):
            log.error("answer stream failed", exc_info=exc)
        p = problem_for_exception(exc)
        # The response said 200 before the failure: the audit row says what happened.
        record.note(status=p.status, detail=p.detail)
        yield p


def guard_scope(answer: Answer, key: ApiKey) -> None:
    """Fails closed if an answer cites or carries a passage from outside the key's scope."""
    guard_doc_ids([c.doc_id for c in answer.citations] + [p.doc_id for p in answer.passages], key)


def _audit_question(state: ApiState, req: Question, record: RequestAudit) -> None:
    """What is known before answering, so a failed answer is audited with its question."""
    record.note(
        question=req.question,
        profile=req.profile or state.settings.profile,
        conversation_id=req.conversation_id,
    )
