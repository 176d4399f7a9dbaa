"""LLM mode: an OpenAI-compatible chat model writes the answer, verification keeps it honest.

The service hands over the passages it retrieved; the LCEL chain is prompt (numbered, fenced
sources) → chat model → `StrOutputParser`, then verify → cite. The model only proposes;
`assistant.evidence.verify` decides what the user sees. When too little of the model's answer
survives, the extractive answerer answers instead.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any
from urllib.parse import urlparse

import openai
from langchain_core.language_models import BaseChatModel
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.runnables import Runnable

from assistant.answering.answerer import ExtractiveAnswerer, final_answer
from assistant.answering.prompts import format_sources, load_prompt
from assistant.evidence.markers import ABSTENTION
from assistant.evidence.verify import (
    LexicalVerifier,
    Verifier,
    needs_fallback,
    verify_answer,
)
from assistant.models import Answer, AnswerDelta, AnswerDone, AnswerEvent, Passage, Timings
from assistant.retrieval.query import PreparedQuery
from assistant.settings import LLMSettings, Settings
from ingest.errors import ComplyqaError

__all__ = ["Fallback", "LLMAnswerer", "LLMUnavailable", "build_chat_model"]

log = logging.getLogger(__name__)

#: Answers the prepared question from the passages without the model (the extractive answer).
Fallback = Callable[[PreparedQuery, Sequence[Passage]], Answer]

#: Characters of passage text the prompt may carry; keeps a small model's context (4,096
#: tokens for the small test models) from overflowing. Passages beyond the budget are not shown.
MAX_SOURCE_CHARS = 6000


class LLMUnavailable(ComplyqaError):
    """The chat endpoint did not answer; the message says which one and what to do."""


def build_chat_model(settings: LLMSettings) -> BaseChatModel:
    """A `ChatOpenAI` client for the configured OpenAI-compatible endpoint."""
    from langchain_openai import ChatOpenAI

    host = urlparse(settings.base_url or "").hostname or ""
    # langchain-openai sends `max_completion_tokens`; servers such as llama-cpp-python only
    # read `max_tokens`, and without it generate until the context is full.
    extra = {} if host.endswith("openai.com") else {"max_tokens": settings.max_tokens}
    return ChatOpenAI(
        base_url=settings.base_url,
        model=settings.model,
        api_key=settings.api_key,
        temperature=settings.temperature,
        max_completion_tokens=settings.max_tokens,
        timeout=settings.timeout,
        max_retries=settings.retries,
        extra_body=extra or None,
    )


class LLMAnswerer:
    """The LLM mode's `Answerer`: the model drafts from the passages, verification decides.

    Built once per service and kept (chat client, prompt template, verifier). It never
    retrieves: the service prepares the question, retrieves, reranks and decides answerability
    once for both modes, and hands over the passages.
    """

    mode = "llm"

    def __init__(
        self,
        settings: Settings,
        fallback: Fallback | None = None,
        chat_model: BaseChatModel | None = None,
        *,
        verifier: Verifier | None = None,
        max_source_chars: int = MAX_SOURCE_CHARS,
    ) -> None:
        self.settings = settings
        self._model_id = settings.llm.model if chat_model is None else _model_name(chat_model)
        self.chat_model = chat_model or build_chat_model(settings.llm)
        self.verifier = verifier or LexicalVerifier(min_overlap=settings.llm.min_overlap)
        self.fallback: Fallback = fallback or ExtractiveAnswerer(settings.answer).answer
        self.max_source_chars = max_source_chars
        self.answer_prompt = load_prompt("answer")
        self.generate_chain: Runnable[dict[str, Any], str] = (
            ChatPromptTemplate.from_messages(self.answer_prompt.messages).partial(
                abstention=ABSTENTION, max_sentences=str(settings.answer.max_sentences)
            )
            | self.chat_model
            | StrOutputParser()
        )

    @property
    def model_id(self) -> str:
        return self._model_id

    def stream(self, prepared: PreparedQuery, passages: Sequence[Passage]) -> Iterator[AnswerEvent]:
        """The model's text as it streams (`AnswerDelta`), then the verified `AnswerDone`.

        The streamed text is the model's raw draft: verification may still remove sentences
        from it, so clients must replace it with the final answer's text. The prompt carries
        the question made self-contained by the conversation (`prepared.standalone`); when
        too few of the draft's sentences are supported, `fallback` answers from the passages
        the prompt showed, over the same prepared question.
        """
        started = time.perf_counter()
        shown = self._shown(passages)
        parts: list[str] = []
        if shown:
            inputs = {"sources": format_sources(shown), "question": prepared.standalone}
            stream = self.generate_chain.stream(inputs)
            while True:
                try:
                    chunk = self._call(lambda: next(stream, None))
                except ValueError as exc:
                    # langchain-core raises this when a server streams no content at all (seen
                    # with llama.cpp); an empty draft is simply an unsupported one.
                    if "No generation chunks" not in str(exc):
                        raise
                    chunk = None
                if chunk is None:
                    break
                if chunk:
                    parts.append(chunk)
                    yield AnswerDelta(text=chunk)
        drafted = time.perf_counter()
        answer = self._finish(prepared, shown, "".join(parts))
        done = time.perf_counter()
        # Retrieval happened before (the service times it); this is the draft and its check.
        answer.timings = Timings(
            answer_ms=_ms(started, drafted),
            verify_ms=_ms(drafted, done),
            total_ms=_ms(started, done),
        )
        yield AnswerDone(answer=answer)

    def answer(self, prepared: PreparedQuery, passages: Sequence[Passage]) -> Answer:
        """The verified answer, without the draft's deltas."""
        return final_answer(self.stream(prepared, passages))

    # -- steps -------------------------------------------------------------------------

    def _shown(self, candidates: Sequence[Passage]) -> list[Passage]:
        """The passages the model will see (numbered in this order), within the budget."""
        passages: list[Passage] = []
        used = 0
        for passage in candidates[: self.settings.answer.passages_considered]:
            if passages and used + len(passage.text) > self.max_source_chars:
                break
            passages.append(passage)
            used += len(passage.text)
        return passages

    def _finish(self, prepared: PreparedQuery, passages: list[Passage], raw: str) -> Answer:
        """Verify the model's draft and turn it into the final `Answer`."""
        question = prepared.question
        llm = self.settings.llm
        result = verify_answer(raw, passages, verifier=self.verifier, unsupported=llm.unsupported)
        counts = dict(result.counts)
        if result.abstained or not passages:
            answer = Answer(question=question, text=ABSTENTION, abstained=True, passages=passages)
        elif needs_fallback(result, llm.min_supported_ratio):
            log.info(
                "LLM answer kept %d of %d sentences; answering extractively instead",
                counts["supported"],
                counts["sentences"],
            )
            counts["fallback"] = 1
            answer = self.fallback(prepared, passages)
            answer.question = question
        else:
            answer = Answer(
                question=question, text=result.text, citations=result.citations, passages=passages
            )
        answer.mode = "llm"
        answer.profile = self.settings.profile
        answer.model_id = self.model_id
        answer.prompt_version = self.answer_prompt.version
        answer.unverified = result.unverified
        answer.verification = counts
        return answer

    def _call(self, step: Callable[[], Any]) -> Any:
        try:
            return step()
        except openai.APIError as exc:
            raise LLMUnavailable(
                f"the LLM endpoint {self.settings.llm.base_url or '(injected model)'} failed "
                f"({type(exc).__name__}: {exc}); check that the server runs and "
                "COMPLYQA_LLM_BASE_URL / COMPLYQA_LLM_MODEL point at it, or use --mode extractive"
            ) from exc


def _ms(start: float, end: float) -> float:
    return round((end - start) * 1000, 2)


def _model_name(model: BaseChatModel) -> str:
    for attr in ("model_name", "model", "model_id"):
        value = getattr(model, attr, None)
        if isinstance(value, str) and value:
            return value
    return model._llm_type
