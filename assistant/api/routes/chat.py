"""`POST /v1/chat`: questions in a conversation that remembers earlier turns."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Annotated

from fastapi import APIRouter, Query
from sse_starlette import ServerSentEvent
from starlette.responses import Response

from assistant.api import answering
from assistant.api.deps import (
    ConversationsDep,
    ReaderKey,
    RecordDep,
    SettingsDep,
    StateDep,
    check_question,
)
from assistant.api.errors import problems
from assistant.api.schemas import ChatBody, ChatResponse, ConversationView, with_as_of
from assistant.api.streaming import ANSWER_EVENTS, answer_events, json_or_sse, sse
from assistant.conversation import turn_of
from assistant.models import Answer, Turn
from assistant.stores.conversations import ConversationStore
from assistant.stores.keys import ApiKey

router = APIRouter(tags=["answers"])


@router.post(
    "/v1/chat",
    response_model=ChatResponse,
    summary="Ask within a conversation",
    responses={
        **json_or_sse(
            ANSWER_EVENTS + '; a `conversation` event (`{"conversation_id": ...}`) comes '
            "just before the `answer` event"
        ),
        **problems(401, 403, 404, 409, 422, 429, 500, 503),
    },
)
def chat(
    body: ChatBody,
    key: ReaderKey,
    state: StateDep,
    settings: SettingsDep,
    conversations: ConversationsDep,
    record: RecordDep,
    stream: Annotated[bool, Query(description="Stream server-sent events")] = False,
) -> ChatResponse | Response:
    """Answers a question, reading follow-ups in the light of the conversation's earlier turns.

    Omit `conversation_id` to start a conversation; the response gives its id. A
    conversation belongs to the key that started it.
    """
    question_text = check_question(body.question, settings)
    history: list[Turn] = []
    is_new = body.conversation_id is None
    if body.conversation_id is not None:
        history = conversations.get(
            body.conversation_id, key.id, last=answering.HISTORY_TURNS
        ).turns
    # A new conversation gets its id now (so the audit entry names it), but is stored only
    # once its first answer exists.
    conversation_id = body.conversation_id or conversations.new_id()
    question = answering.Question(
        endpoint="/v1/chat",
        question=question_text,
        filters=with_as_of(body.filters, body.as_of),
        k=body.k,
        history=history,
        conversation_id=conversation_id,
    )
    if stream:

        def saved(answer: Answer) -> Iterator[ServerSentEvent]:
            _save_turn(conversations, key, conversation_id, is_new, answer)
            yield ServerSentEvent(
                data=json.dumps({"conversation_id": conversation_id}), event="conversation"
            )

        return sse(answer_events(answering.stream(state, key, question, record), on_answer=saved))
    answer = answering.ask(state, key, question, record)
    _save_turn(conversations, key, conversation_id, is_new, answer)
    return ChatResponse(conversation_id=conversation_id, answer=answer)


@router.get(
    "/v1/chat/{conversation_id}",
    response_model=ConversationView,
    summary="Read a conversation",
    responses=problems(401, 403, 404, 429),
)
def conversation(
    conversation_id: str, key: ReaderKey, conversations: ConversationsDep
) -> ConversationView:
    """The turns of one of this key's conversations, oldest first."""
    conv = conversations.get(conversation_id, key.id)
    return ConversationView(conversation_id=conv.id, created_at=conv.created_at, turns=conv.turns)


def _save_turn(
    conversations: ConversationStore,
    key: ApiKey,
    conversation_id: str,
    is_new: bool,
    answer: Answer,
) -> None:
    if is_new:
        conversations.create(key.id, conversation_id)
    conversations.append(conversation_id, turn_of(answer))
