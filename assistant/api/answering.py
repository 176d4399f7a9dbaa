"""Asking the facade on behalf of an API key: scope filter in, audit record out.

Shared by `/v1/ask`, `/v1/chat` and `/v1/chat/completions`, so every answer the API gives
is audited the same way and every question is asked inside the key's scope.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from assistant.api.deps import ApiState, ComplyQA, guard_doc_ids, scoped_filters
from assistant.api.errors import ApiError, Problem, problem_for_exception
from assistant.audit import AuditEntry, utc_now
from assistant.keys import ApiKey
from assistant.models import Answer, AnswerDelta, AnswerDone, Filters, Turn
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


def ask(state: ApiState, key: ApiKey, req: Question) -> Answer:
    """The facade's answer inside the key's scope; audited whether it succeeds or fails."""
    started = time.perf_counter()
    filters = scoped_filters(req.filters, key)
    try:
        qa = state.facade(req.profile)
        answer = qa.ask(
            req.question, k=req.k, filters=filters, mode=req.mode, history=tuple(req.history)
        )
        guard_scope(answer, key)
    except Exception as exc:
        _audit_failure(state, key, req, exc, started)
        raise
    _audit_answer(state, key, req, answer, started)
    return answer


def stream(
    state: ApiState, key: ApiKey, req: Question
) -> Iterator[AnswerDelta | AnswerDone | Problem]:
    """The facade's answer events inside the key's scope; a failure ends with a `Problem`.

    The final answer is audited once it is complete. Scope and profile are checked before
    the first event, so a refused request fails as a plain HTTP error, not mid-stream.
    """
    filters = scoped_filters(req.filters, key)
    qa = state.facade(req.profile)
    return _stream_events(state, key, req, qa, filters)


def _stream_events(
    state: ApiState, key: ApiKey, req: Question, qa: ComplyQA, filters: Filters
) -> Iterator[AnswerDelta | AnswerDone | Problem]:
    started = time.perf_counter()
    try:
        events = qa.stream_ask(
            req.question, k=req.k, filters=filters, mode=req.mode, history=tuple(req.history)
        )
        for event in events:
            if isinstance(event, AnswerDone):
                guard_scope(event.answer, key)
                _audit_answer(state, key, req, event.answer, started)
            yield event
    except Exception as exc:
        if not isinstance(exc, ComplyqaError | ApiError):
            log.error("answer stream failed", exc_info=exc)
        _audit_failure(state, key, req, exc, started)
        yield problem_for_exception(exc)


def guard_scope(answer: Answer, key: ApiKey) -> None:
    """Fails closed if an answer cites or carries a passage from outside the key's scope."""
    guard_doc_ids([c.doc_id for c in answer.citations] + [p.doc_id for p in answer.passages], key)


def _audit_answer(
    state: ApiState, key: ApiKey, req: Question, answer: Answer, started: float
) -> None:
    entry = AuditEntry.for_answer(
        answer,
        endpoint=req.endpoint,
        key_id=key.id,
        latency_ms=(time.perf_counter() - started) * 1000,
        conversation_id=req.conversation_id,
    )
    entry.question = req.question
    state.audit.record(entry)


def _audit_failure(
    state: ApiState, key: ApiKey, req: Question, exc: Exception, started: float
) -> None:
    p = problem_for_exception(exc)
    state.audit.record(
        AuditEntry(
            time=utc_now(),
            key_id=key.id,
            endpoint=req.endpoint,
            question=req.question,
            profile=req.profile or state.settings.profile,
            latency_ms=round((time.perf_counter() - started) * 1000, 1),
            status=p.status,
            conversation_id=req.conversation_id,
            detail=p.detail,
        )
    )
