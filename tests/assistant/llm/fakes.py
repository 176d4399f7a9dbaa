"""Test doubles for the LLM chain: a retriever over fixed passages and a recording chat model."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun, CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import BaseMessage
from langchain_core.outputs import ChatResult
from langchain_core.retrievers import BaseRetriever

from assistant.models import Passage


def to_document(passage: Passage) -> Document:
    """How the retrieval module hands passages to LangChain: fields in the metadata."""
    return Document(page_content=passage.text, metadata=passage.model_dump(exclude={"text"}))


class FakeRetriever(BaseRetriever):
    """Returns the same documents for every query and remembers the queries."""

    documents: list[Document]
    queries: list[str] = []

    @classmethod
    def of(cls, passages: Sequence[Passage]) -> FakeRetriever:
        return cls(documents=[to_document(p) for p in passages], queries=[])

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        self.queries.append(query)
        return list(self.documents)


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
