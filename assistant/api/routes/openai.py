"""OpenAI-compatible `POST /v1/chat/completions` and `GET /v1/models`, for OpenAI clients and
Open WebUI. The answer text carries `[n]` markers and ends with a "Sources:" list; the
structured citations ride along in an extra top-level `citations` field."""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Iterator

from fastapi import APIRouter
from sse_starlette import ServerSentEvent
from starlette.responses import Response

from assistant.api import answering
from assistant.api.deps import ReaderKey, RecordDep, SettingsDep, StateDep, check_question
from assistant.api.errors import ApiError, Problem, problems
from assistant.api.schemas import (
    AssistantMessage,
    ChatCompletion,
    ChatCompletionBody,
    ChatMessage,
    Choice,
    ModelCard,
    ModelList,
    completion_chunk,
)
from assistant.api.streaming import sse
from assistant.models import Answer, AnswerDelta, AnswerDone, Citation, Turn

router = APIRouter(tags=["openai"])

MODEL_ID = "complyqa"
SOURCES_HEADING = "Sources:"
_STARTED = int(time.time())


@router.get(
    "/v1/models",
    response_model=ModelList,
    summary="List models (OpenAI-compatible)",
    responses=problems(401, 429),
)
def models(key: ReaderKey) -> ModelList:
    """One model, `complyqa`: the cited-answer pipeline over the indexed sources."""
    return ModelList(data=[ModelCard(id=MODEL_ID, created=_STARTED)])


@router.post(
    "/v1/chat/completions",
    response_model=ChatCompletion,
    summary="Chat completion (OpenAI-compatible)",
    responses={
        200: {
            "description": "A chat completion, or with `stream: true` `chat.completion.chunk` "
            "server-sent events ending with `data: [DONE]`",
            "content": {"text/event-stream": {"schema": {"type": "string"}}},
        },
        **problems(401, 403, 409, 422, 429, 500, 503),
    },
)
def chat_completions(
    body: ChatCompletionBody,
    key: ReaderKey,
    state: StateDep,
    settings: SettingsDep,
    record: RecordDep,
) -> ChatCompletion | Response:
    """The last user message is the question; earlier user/assistant turns are the history.

    Sampling options (`temperature`, `max_tokens`, ...) are accepted and ignored: the
    answer comes from the sources, verified, not sampled.
    """
    question_text, history = split_messages(body.messages)
    question = answering.Question(
        endpoint="/v1/chat/completions",
        question=check_question(question_text, settings),
        filters=body.filters,
        k=body.k,
        history=history,
    )
    completion_id = "chatcmpl-" + secrets.token_hex(12)
    created = int(time.time())
    if body.stream:
        events = answering.stream(state, key, question, record)
        return sse(_chunks(events, completion_id, created))
    answer = answering.ask(state, key, question, record)
    return ChatCompletion(
        id=completion_id,
        created=created,
        model=MODEL_ID,
        choices=[Choice(message=AssistantMessage(content=answer.text + sources_block(answer)))],
        citations=answer.citations,
        abstained=answer.abstained,
    )


def split_messages(messages: list[ChatMessage]) -> tuple[str, list[Turn]]:
    """The question (last user message) and the conversation before it, as turns."""
    last_user = max((i for i, m in enumerate(messages) if m.role == "user"), default=None)
    if last_user is None:
        raise ApiError(422, "messages has no user message: the last user message is the question")
    turns: list[Turn] = []
    for message in messages[:last_user]:
        if message.role == "user":
            turns.append(Turn(question=message.text()))
        elif message.role == "assistant" and turns and not turns[-1].answer:
            turns[-1] = turns[-1].model_copy(update={"answer": strip_sources(message.text())})
    return messages[last_user].text(), [t for t in turns if t.question.strip()]


def strip_sources(text: str) -> str:
    """An earlier answer without the "Sources:" list this endpoint appended to it."""
    head, sep, _ = text.rpartition("\n\n" + SOURCES_HEADING + "\n")
    return head if sep else text


def format_source(c: Citation) -> str:
    """`[n] title — section (date): "quote"`."""
    where = c.title + (f" — {c.section}" if c.section else "") + (f" ({c.date})" if c.date else "")
    quote = " ".join(c.quote.split())
    return f'[{c.marker}] {where}: "{quote}"'


def sources_block(answer: Answer) -> str:
    if not answer.citations:
        return ""
    return "\n\n" + SOURCES_HEADING + "\n" + "\n".join(format_source(c) for c in answer.citations)


def _chunks(
    events: Iterator[AnswerDelta | AnswerDone | Problem], completion_id: str, created: int
) -> Iterator[ServerSentEvent]:
    def chunk(
        delta: dict[str, object], finish: str | None = None, **extra: object
    ) -> ServerSentEvent:
        body = completion_chunk(completion_id, created, MODEL_ID, delta, finish, **extra)
        return ServerSentEvent(data=json.dumps(body, ensure_ascii=False))

    yield chunk({"role": "assistant", "content": ""})
    streamed = ""
    for event in events:
        if isinstance(event, AnswerDelta):
            streamed += event.text
            yield chunk({"content": event.text})
        elif isinstance(event, AnswerDone):
            answer = event.answer
            # Verification may drop sentences the model streamed; say what survived.
            tail = (
                answer.text[len(streamed) :]
                if answer.text.startswith(streamed)
                else ("\n\nVerified answer:\n" + answer.text)
            )
            yield chunk({"content": tail + sources_block(answer)})
            yield chunk(
                {},
                "stop",
                citations=[c.model_dump() for c in answer.citations],
                abstained=answer.abstained,
            )
        else:
            error = {"message": event.detail, "type": event.title, "code": event.status}
            yield ServerSentEvent(data=json.dumps({"error": error}, ensure_ascii=False))
            break
    yield ServerSentEvent(data="[DONE]")
