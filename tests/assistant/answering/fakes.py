"""Test doubles for the LLM chain: a chat model that records what it was asked."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import BaseMessage
from langchain_core.outputs import ChatResult


class RecordingChatModel(GenericFakeChatModel):
    """GenericFakeChatModel that keeps the messages of every call (streaming included)."""

    calls: list[list[BaseMessage]] = []

    @classmethod
    def replying(cls, *replies: str) -> RecordingChatModel:
        return cls(messages=iter(replies), calls=[])

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        self.calls.append(list(messages))
        return super()._generate(messages, stop=stop, run_manager=run_manager, **kwargs)

    def prompt_text(self, call: int = -1) -> str:
        return "\n".join(str(m.content) for m in self.calls[call])


def events(iterator: Iterator[Any]) -> list[Any]:
    return list(iterator)
