"""Request and response bodies of the HTTP API that are not domain types of their own."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from assistant.models import Answer, Citation, Filters, Passage, Turn
from assistant.stores.keys import ApiKey, Role

_QUESTION_DOC = (
    "The question; not empty, at most `answer.max_question_chars` characters (4000 by default)"
)


class FiltersBody(Filters):
    """`Filters` as a request sends them: unknown keys are an error, not silently ignored
    (a misspelt `group` would otherwise search everything)."""

    model_config = ConfigDict(extra="forbid")


_AS_OF_DOC = (
    "Answer from the texts in force on this day (YYYY-MM-DD); today by default. Citations "
    "still say whether their text is the one in force today"
)


def with_as_of(filters: Filters | None, as_of: dt.date | None) -> Filters | None:
    """The request's filters with its top-level `as_of` (which wins over `filters.as_of`)."""
    if as_of is None:
        return filters
    return (filters or Filters()).model_copy(update={"as_of": as_of})


class AskBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: str = Field(min_length=1, description=_QUESTION_DOC)
    filters: FiltersBody | None = Field(default=None, description="Narrow retrieval (all optional)")
    as_of: dt.date | None = Field(default=None, description=_AS_OF_DOC)
    k: int | None = Field(default=None, ge=1, le=100, description="Passages to retrieve")
    profile: str | None = Field(
        default=None,
        max_length=100,
        description="Settings profile, e.g. 'fast'; the server's own by default",
    )
    mode: str | None = Field(
        default=None,
        max_length=100,
        description="Answerer, e.g. 'extractive' or 'llm'; the profile's by default",
    )


class ChatBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    conversation_id: str | None = Field(
        default=None,
        max_length=200,
        description="Continue this conversation; omit to start a new one",
    )
    question: str = Field(min_length=1, description=_QUESTION_DOC)
    filters: FiltersBody | None = None
    as_of: dt.date | None = Field(default=None, description=_AS_OF_DOC)
    k: int | None = Field(default=None, ge=1, le=100)


class ChatResponse(BaseModel):
    conversation_id: str
    answer: Answer


class ConversationView(BaseModel):
    conversation_id: str
    created_at: str
    turns: list[Turn]


class SearchResponse(BaseModel):
    query: str
    passages: list[Passage] = Field(description="Best first")


class DeleteResult(BaseModel):
    doc_id: str
    deleted: bool = True
    file_removed: bool = Field(description="An uploaded file was removed from the data dir too")


class HealthStatus(BaseModel):
    status: Literal["ok"] = "ok"


class ReadyStatus(BaseModel):
    status: Literal["ready"] = "ready"
    documents: int
    chunks: int
    fingerprint: str
    embedding_model: str


class CreateKeyBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    role: Role = Role.reader
    scope: list[str] | None = Field(
        default=None, max_length=1000, description="Document groups the key may see; omit for all"
    )
    trust_user_headers: bool = Field(
        default=False,
        description="For a front end that signs in its own users (Open WebUI with "
        "ENABLE_FORWARD_USER_INFO_HEADERS=true): audit and rate-limit the user named in "
        "X-OpenWebUI-User-* headers",
    )


class CreatedKey(BaseModel):
    key: str = Field(description="The secret; shown only in this response")
    info: ApiKey


# --- OpenAI-compatible chat completions -------------------------------------------------


class ContentPart(BaseModel):
    model_config = ConfigDict(extra="allow")

    type: str
    text: str | None = None


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")

    role: Literal["system", "developer", "user", "assistant", "tool", "function"]
    content: str | list[ContentPart] | None = None

    def text(self) -> str:
        if self.content is None:
            return ""
        if isinstance(self.content, str):
            return self.content
        return "".join(p.text or "" for p in self.content if p.type == "text")


class ChatCompletionBody(BaseModel):
    """OpenAI chat-completions request; sampling options are accepted and ignored."""

    model_config = ConfigDict(extra="allow")

    model: str = "complyqa"
    messages: list[ChatMessage] = Field(min_length=1)
    stream: bool = False
    k: int | None = Field(default=None, ge=1, le=100, description="complyqa: passages to retrieve")
    filters: FiltersBody | None = Field(default=None, description="complyqa: narrow retrieval")


class AssistantMessage(BaseModel):
    role: Literal["assistant"] = "assistant"
    content: str


class Choice(BaseModel):
    index: int = 0
    message: AssistantMessage
    finish_reason: Literal["stop"] = "stop"


class Usage(BaseModel):
    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0


class ChatCompletion(BaseModel):
    id: str
    object: Literal["chat.completion"] = "chat.completion"
    created: int
    model: str
    choices: list[Choice]
    usage: Usage = Usage()
    citations: list[Citation] = Field(description="complyqa: the answer's citations, by marker")
    abstained: bool = Field(description="complyqa: the sources do not answer the question")


class ModelCard(BaseModel):
    id: str
    object: Literal["model"] = "model"
    created: int
    owned_by: str = "complyqa"


class ModelList(BaseModel):
    object: Literal["list"] = "list"
    data: list[ModelCard]


def completion_chunk(
    completion_id: str,
    created: int,
    model: str,
    delta: dict[str, Any],
    finish_reason: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """One `chat.completion.chunk` event body."""
    return {
        "id": completion_id,
        "object": "chat.completion.chunk",
        "created": created,
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}],
        **extra,
    }
