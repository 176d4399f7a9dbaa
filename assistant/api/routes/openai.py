"""OpenAI-compatible `POST /v1/chat/completions` and `GET /v1/models`, for OpenAI clients and
Open WebUI. The answer text carries `[n]` markers and (unless turned off) ends with a
"Sources:" list; the structured citations ride along in an extra top-level `citations` field,
and a stream carries one Open WebUI `source` event per citation, with a signed link that opens
the quote in complyqa's chat page. Open WebUI's background `### Task:` prompts get cheap JSON
replies, outside the rate limit and without an answer in the audit row."""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field
from sse_starlette import ServerSentEvent
from starlette.responses import Response

from assistant.api import answering
from assistant.api.citation_links import PassageLink, link_secret, passage_url
from assistant.api.deps import (
    ApiState,
    ReaderKey,
    RecordDep,
    SettingsDep,
    StateDep,
    check_question,
    rate_bucket,
    scoped_filters,
)
from assistant.api.errors import ApiError, Problem, problems
from assistant.api.forwarded import forwarded_user
from assistant.api.openwebui import (
    Task,
    cited_doc_ids,
    quoted_sentences,
    source_events,
    task_content,
    task_of,
)
from assistant.api.schemas import (
    AssistantMessage,
    ChatCompletion,
    ChatCompletionBody,
    ChatMessage,
    Choice,
    ModelCard,
    ModelList,
    Usage,
    completion_chunk,
)
from assistant.api.streaming import sse
from assistant.models import Answer, AnswerDelta, AnswerDone, Citation, Turn
from assistant.stores.keys import ApiKey
from ingest.tokenize import tokenize

router = APIRouter(tags=["openai"])

MODEL_ID = "complyqa"
OWNER = "complyqa"
#: `created` of the model card: fixed, so every worker and every restart lists the same model.
MODEL_CREATED = 1767225600  # 2026-01-01T00:00:00Z
SOURCES_HEADING = "Sources:"


class StreamOptions(BaseModel):
    include_usage: bool = False


class CompletionBody(ChatCompletionBody):
    stream_options: StreamOptions | None = None
    sources_block: bool | None = Field(
        default=None,
        description='complyqa: end the reply with a plain "Sources:" list (default: the '
        "server's api.sources_block)",
    )


@router.get(
    "/v1/models",
    response_model=ModelList,
    summary="List models (OpenAI-compatible)",
    responses=problems(401, 429),
)
def models(key: ReaderKey) -> ModelList:
    """One model, `complyqa`: the cited-answer pipeline over the indexed sources."""
    return ModelList(data=[ModelCard(id=MODEL_ID, created=MODEL_CREATED, owned_by=OWNER)])


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
    body: CompletionBody,
    request: Request,
    key: ReaderKey,
    state: StateDep,
    settings: SettingsDep,
    record: RecordDep,
) -> ChatCompletion | Response:
    """The last user message is the question; earlier user/assistant turns are the history.

    Sampling options (`temperature`, `max_tokens`, ...) and `tools` are accepted and
    ignored: the answer comes from the sources, verified, not sampled.
    """
    reply = _Reply(
        completion_id="chatcmpl-" + secrets.token_hex(12),
        created=int(time.time()),
        sources_block=settings.api.sources_block
        if body.sources_block is None
        else body.sources_block,
        include_usage=bool(body.stream_options and body.stream_options.include_usage),
        prompt_tokens=sum(_count_tokens(m.text()) for m in body.messages),
    )
    last_user = _last_user_text(body.messages)
    task = task_of(last_user)
    if task is not None:
        # Not a question: no rate-limit token, no answer in the audit row.
        state.limiter.refund(rate_bucket(key, forwarded_user(request.headers, key)))
        record.note(detail=f"Open WebUI background task ({task.kind.value}); not answered")
        return _task_reply(task, reply, body.stream)
    titles = _titles(state, key) if _has_sources(body.messages) else {}
    question_text, history = split_messages(body.messages, titles)
    if history and not history[-1].doc_ids and history[-1].answer:
        history[-1] = history[-1].model_copy(
            update={"doc_ids": _quoted_documents(state, key, history[-1].answer)}
        )
    question = answering.Question(
        endpoint="/v1/chat/completions",
        question=check_question(question_text, settings),
        filters=body.filters,
        k=body.k,
        history=history,
    )
    url_of = _citation_links(state, request)
    if body.stream:
        events = answering.stream(state, key, question, record)
        return sse(_chunks(events, reply, url_of))
    answer = answering.ask(state, key, question, record)
    content = answer.text + (sources_block(answer) if reply.sources_block else "")
    return reply.completion(content, answer.citations, abstained=answer.abstained)


@dataclass(frozen=True)
class _Reply:
    """How this completion is written back."""

    completion_id: str
    created: int
    sources_block: bool
    include_usage: bool
    prompt_tokens: int

    def usage(self, completion: str) -> Usage:
        done = _count_tokens(completion)
        return Usage(
            prompt_tokens=self.prompt_tokens,
            completion_tokens=done,
            total_tokens=self.prompt_tokens + done,
        )

    def completion(
        self, content: str, citations: list[Citation], abstained: bool
    ) -> ChatCompletion:
        """The whole reply at once (no `stream`), with complyqa's citations alongside."""
        return ChatCompletion(
            id=self.completion_id,
            created=self.created,
            model=MODEL_ID,
            choices=[Choice(message=AssistantMessage(content=content))],
            usage=self.usage(content),
            citations=citations,
            abstained=abstained,
        )

    def chunk(
        self, delta: dict[str, object], finish: str | None = None, **extra: object
    ) -> ServerSentEvent:
        body = completion_chunk(self.completion_id, self.created, MODEL_ID, delta, finish, **extra)
        return ServerSentEvent(data=json.dumps(body, ensure_ascii=False))


def _count_tokens(text: str) -> int:
    """Tokens as complyqa's own tokenizer counts them (words; CJK words by jieba): there is
    no model vocabulary to count by, and clients only need a consistent size."""
    return len(tokenize(text, drop_stopwords=False))


def _last_user_text(messages: list[ChatMessage]) -> str:
    return next((m.text() for m in reversed(messages) if m.role == "user"), "")


def _task_reply(task: Task, reply: _Reply, stream: bool) -> ChatCompletion | Response:
    content = task_content(task)
    if not stream:
        return reply.completion(content, [], abstained=False)

    def events() -> Iterator[ServerSentEvent]:
        yield reply.chunk({"role": "assistant", "content": content})
        yield reply.chunk({}, "stop")
        if reply.include_usage:
            yield _usage_chunk(reply, content)
        yield ServerSentEvent(data="[DONE]")

    return sse(events())


def _has_sources(messages: list[ChatMessage]) -> bool:
    marker = "\n" + SOURCES_HEADING + "\n"
    return any(m.role == "assistant" and marker in m.text() for m in messages)


def _titles(state: ApiState, key: ApiKey) -> dict[str, str]:
    """Title → doc id of the documents this key may see, to read earlier answers' sources."""
    documents = state.facade().documents(scoped_filters(None, key))
    return {d.title: d.doc_id for d in documents}


def _quoted_documents(state: ApiState, key: ApiKey, answer_text: str) -> list[str]:
    """The documents an earlier answer quoted, found again by its sentences when it came
    back without a "Sources:" list: a sentence counts only where a passage holds it word for
    word, searched inside the key's scope."""
    qa = state.facade()
    filters = scoped_filters(None, key)
    found: list[str] = []
    for sentence in quoted_sentences(answer_text):
        for passage in qa.search(sentence, k=3, filters=filters):
            if sentence in passage.text:
                found.append(passage.doc_id)
                break
    return list(dict.fromkeys(found))


def _citation_links(state: ApiState, request: Request) -> Callable[[Citation], str]:
    """Signed links to the chat page for each citation, valid `api.citation_link_hours`."""
    settings = state.settings.api
    base = settings.public_url or str(request.base_url)
    secret = link_secret(state.settings.data_dir)
    expires = int(time.time()) + settings.citation_link_hours * 3600

    def url_of(c: Citation) -> str:
        return passage_url(base, PassageLink(c.doc_id, c.start, c.end, expires), secret)

    return url_of


def split_messages(
    messages: list[ChatMessage], titles: Mapping[str, str] | None = None
) -> tuple[str, list[Turn]]:
    """The question (last user message) and the conversation before it, as turns.

    An earlier answer comes back as text only: the documents it cited are read from its
    "Sources:" list (`titles` maps visible documents' titles to their ids).
    """
    last_user = max((i for i, m in enumerate(messages) if m.role == "user"), default=None)
    if last_user is None:
        raise ApiError(422, "messages has no user message: the last user message is the question")
    turns: list[Turn] = []
    for message in messages[:last_user]:
        if message.role == "user":
            turns.append(Turn(question=message.text()))
        elif message.role == "assistant" and turns and not turns[-1].answer:
            text = message.text()
            doc_ids = cited_doc_ids(text, titles or {}, SOURCES_HEADING)
            turns[-1] = turns[-1].model_copy(
                update={"answer": strip_sources(text), "doc_ids": doc_ids}
            )
    return messages[last_user].text(), [t for t in turns if t.question.strip()]


def strip_sources(text: str) -> str:
    """An earlier answer without the "Sources:" list this endpoint appended to it."""
    head, sep, _ = text.rpartition("\n\n" + SOURCES_HEADING + "\n")
    return head if sep else text


def format_source(c: Citation) -> str:
    """`[n] title — section (date) [status, if not the text in force] (source): "quote"`."""
    where = c.title + (f" — {c.section}" if c.section else "") + (f" ({c.date})" if c.date else "")
    if c.current is False:
        where += f" [{c.validity}]"
    where += f" ({c.source})"
    quote = " ".join(c.quote.split())
    return f'[{c.marker}] {where}: "{quote}"'


def sources_block(answer: Answer) -> str:
    if not answer.citations:
        return ""
    return "\n\n" + SOURCES_HEADING + "\n" + "\n".join(format_source(c) for c in answer.citations)


def _usage_chunk(reply: _Reply, completion: str) -> ServerSentEvent:
    body = completion_chunk(reply.completion_id, reply.created, MODEL_ID, {}, None)
    body["choices"] = []
    body["usage"] = reply.usage(completion).model_dump()
    return ServerSentEvent(data=json.dumps(body, ensure_ascii=False))


def _event_chunk(reply: _Reply, event: dict[str, object]) -> ServerSentEvent:
    """A chunk without choices carrying an Open WebUI event (OpenAI clients skip it)."""
    body = completion_chunk(reply.completion_id, reply.created, MODEL_ID, {}, None)
    body["choices"] = []
    body["event"] = event
    return ServerSentEvent(data=json.dumps(body, ensure_ascii=False))


def _chunks(
    events: Iterator[AnswerDelta | AnswerDone | Problem],
    reply: _Reply,
    url_of: Callable[[Citation], str],
) -> Iterator[ServerSentEvent]:
    yield reply.chunk({"role": "assistant", "content": ""})
    streamed = ""
    for event in events:
        if isinstance(event, AnswerDelta):
            streamed += event.text
            yield reply.chunk({"content": event.text})
        elif isinstance(event, AnswerDone):
            answer = event.answer
            # One event per citation once the answer is final (verified), in marker order.
            for source in source_events(answer.citations, url_of):
                yield _event_chunk(reply, source)
            # Verification may drop sentences the model streamed; say what survived.
            tail = (
                answer.text[len(streamed) :]
                if answer.text.startswith(streamed)
                else ("\n\nVerified answer:\n" + answer.text)
            )
            tail += sources_block(answer) if reply.sources_block else ""
            yield reply.chunk({"content": tail})
            yield reply.chunk(
                {},
                "stop",
                citations=[c.model_dump() for c in answer.citations],
                abstained=answer.abstained,
            )
            if reply.include_usage:
                yield _usage_chunk(reply, streamed + tail)
        else:
            error = {"message": event.detail, "type": event.title, "code": event.status}
            yield ServerSentEvent(data=json.dumps({"error": error}, ensure_ascii=False))
            break
    yield ServerSentEvent(data="[DONE]")
