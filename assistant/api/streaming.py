"""Server-sent events for answers: `delta` (text), `answer` (the Answer), `error` (a Problem)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from sse_starlette import EventSourceResponse, ServerSentEvent

from assistant.api.errors import Problem
from assistant.models import Answer, AnswerDelta, AnswerDone


def json_or_sse(events: str) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entry for a 200 response that is JSON, or server-sent events with `?stream=true`."""
    return {
        200: {
            "description": f"JSON, or with `?stream=true` server-sent events: {events}",
            "content": {
                "text/event-stream": {
                    "schema": {"type": "string", "description": events},
                }
            },
        }
    }


ANSWER_EVENTS = (
    '`delta` events (`{"text": ...}`) as the answer is written, then one `answer` event '
    "with the whole Answer JSON; an `error` event with a Problem JSON if it fails"
)


def answer_events(
    events: Iterable[AnswerDelta | AnswerDone | Problem],
    on_answer: Callable[[Answer], Iterable[ServerSentEvent]] | None = None,
) -> Iterator[ServerSentEvent]:
    """Our SSE wire format for a stream of answer events; `on_answer` may add events before
    the final `answer` event."""
    for event in events:
        if isinstance(event, AnswerDelta):
            yield ServerSentEvent(data=event.model_dump_json(include={"text"}), event="delta")
        elif isinstance(event, AnswerDone):
            if on_answer is not None:
                yield from on_answer(event.answer)
            yield ServerSentEvent(data=event.answer.model_dump_json(), event="answer")
        else:
            yield ServerSentEvent(data=event.model_dump_json(exclude_none=True), event="error")
            return


def sse(events: Iterable[ServerSentEvent] | Iterator[ServerSentEvent]) -> EventSourceResponse:
    # Sync iterators run in a worker thread; the facade's stream is blocking work.
    return EventSourceResponse(iter(events), ping=15)
