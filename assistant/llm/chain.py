"""LLM mode: an OpenAI-compatible chat model writes the answer, verification keeps it honest.

The LCEL chain: condense the question with the conversation (only when there is one) →
retrieve → prompt with numbered, fenced sources → chat model → `StrOutputParser` → verify →
cite. The model only proposes; `assistant.evidence.verify` decides what the user sees. When
too little of the model's answer survives, the extractive answerer answers instead.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Sequence
from operator import itemgetter
from typing import Any
from urllib.parse import urlparse

import openai
from langchain_core.documents import Document
from langchain_core.language_models import BaseChatModel
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.retrievers import BaseRetriever
from langchain_core.runnables import Runnable, RunnableBranch, RunnableLambda, RunnablePassthrough

from assistant.evidence.verify import (
    LexicalVerifier,
    Verifier,
    needs_fallback,
    verify_answer,
)
from assistant.models import Answer, AnswerDelta, AnswerDone, AnswerEvent, Passage, Timings, Turn
from assistant.prompts import (
    ABSTENTION,
    PromptTemplate,
    format_history,
    format_sources,
    load_prompt,
)
from assistant.settings import AnswerSettings, LLMSettings, Settings
from ingest.errors import ComplyqaError, InvalidQuestion

__all__ = ["Fallback", "LLMAnswerer", "LLMUnavailable", "build_chat_model", "to_passage"]

log = logging.getLogger(__name__)

#: Answers the question without the model: `answer_extractively`'s signature.
Fallback = Callable[[str, Sequence[Passage], AnswerSettings], Answer]

#: Characters of passage text the prompt may carry; keeps a small model's context (4,096
#: tokens for SmolLM2) from overflowing. Passages beyond the budget are not shown.
MAX_SOURCE_CHARS = 6000
#: Earlier turns the condense prompt sees.
MAX_HISTORY_TURNS = 4


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


def to_passage(doc: Document) -> Passage:
    """A retrieved LangChain document back as a `Passage` (its metadata holds the fields)."""
    meta = {k: v for k, v in doc.metadata.items() if k in Passage.model_fields and k != "text"}
    meta.setdefault("chunk_id", doc.id or f"{meta.get('doc_id', '')}::{meta.get('key', '')}")
    meta.setdefault("score", 0.0)
    return Passage(text=doc.page_content, **meta)


def _extractive(question: str, passages: Sequence[Passage], settings: AnswerSettings) -> Answer:
    from assistant.extractive import answer_extractively

    return answer_extractively(question, passages, settings)


def _chat_prompt(template: PromptTemplate) -> ChatPromptTemplate:
    return ChatPromptTemplate.from_messages(template.messages)


class LLMAnswerer:
    """Answers questions in LLM mode; `answer` and `stream` return verified answers."""

    def __init__(
        self,
        settings: Settings,
        retriever: BaseRetriever,
        chat_model: BaseChatModel | None = None,
        *,
        verifier: Verifier | None = None,
        fallback: Fallback | None = None,
        max_source_chars: int = MAX_SOURCE_CHARS,
    ) -> None:
        self.settings = settings
        self.retriever = retriever
        self._model_id = settings.llm.model if chat_model is None else _model_name(chat_model)
        self.chat_model = chat_model or build_chat_model(settings.llm)
        self.verifier = verifier or LexicalVerifier(min_overlap=settings.llm.min_overlap)
        self.fallback: Fallback = fallback or _extractive
        self.max_source_chars = max_source_chars
        self.answer_prompt = load_prompt("answer")
        self.condense_prompt = load_prompt("condense")

        parser = StrOutputParser()
        self.condense_chain: Runnable[dict[str, Any], str] = (
            _chat_prompt(self.condense_prompt) | self.chat_model | parser
        )
        self.generate_chain: Runnable[dict[str, Any], str] = (
            _chat_prompt(self.answer_prompt).partial(
                abstention=ABSTENTION, max_sentences=str(settings.answer.max_sentences)
            )
            | self.chat_model
            | parser
        )
        query = RunnableBranch(
            (lambda x: bool(x["history"]), RunnableLambda(_condense_inputs) | self.condense_chain),
            itemgetter("question"),
        )
        # question, history -> + query, passages, sources (and stage clocks for the timings)
        self.prepare_chain: Runnable[dict[str, Any], dict[str, Any]] = (
            RunnablePassthrough.assign(t_start=_clock)
            | RunnablePassthrough.assign(query=query)
            | RunnablePassthrough.assign(documents=itemgetter("query") | self.retriever)
            | RunnableLambda(self._select_passages)
            | RunnablePassthrough.assign(t_retrieved=_clock)
        )
        # The whole chain for one non-streaming answer: question, history -> Answer.
        self.chain: Runnable[dict[str, Any], Answer] = (
            self.prepare_chain
            | RunnablePassthrough.assign(raw=RunnableLambda(self._generate))
            | RunnablePassthrough.assign(t_answered=_clock)
            | RunnableLambda(self._finish)
        )

    @property
    def model_id(self) -> str:
        return self._model_id

    def answer(self, question: str, history: Sequence[Turn] = ()) -> Answer:
        """The verified answer to `question`, read in the light of `history`."""
        return self._call(lambda: self.chain.invoke(self._inputs(question, history)))

    def stream(self, question: str, history: Sequence[Turn] = ()) -> Iterator[AnswerEvent]:
        """The model's text as it streams (`AnswerDelta`), then the verified `AnswerDone`.

        The streamed text is the model's raw draft: verification may still remove sentences
        from it, so clients must replace it with the final answer's text.
        """
        state = self._call(lambda: self.prepare_chain.invoke(self._inputs(question, history)))
        yield from self._stream_state(state)

    def stream_passages(
        self,
        question: str,
        passages: Sequence[Passage],
        history: Sequence[Turn] = (),
        *,
        fallback: Callable[[Sequence[Passage]], Answer] | None = None,
    ) -> Iterator[AnswerEvent]:
        """Like `stream`, from passages the caller already retrieved and reranked.

        This is complyqa's own answering path: the service prepares the question, retrieves,
        reranks and decides answerability once, for both modes; the model only writes.
        `fallback` answers from the passages the prompt showed when too few of the model's
        sentences are supported (default: the answerer's own, from the question text): the
        service passes its extractive answerer over the question it already prepared.
        """
        state = {**self._inputs(question, history), "query": question, "fallback": fallback}
        state["t_start"] = time.perf_counter()
        state = self._budget(state, list(passages))
        state["t_retrieved"] = time.perf_counter()
        yield from self._stream_state(state)

    def _stream_state(self, state: dict[str, Any]) -> Iterator[AnswerEvent]:
        parts: list[str] = []
        if state["passages"]:
            stream = self.generate_chain.stream(state)
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
        state["raw"] = "".join(parts)
        state["t_answered"] = time.perf_counter()
        yield AnswerDone(answer=self._finish(state))

    # -- steps -------------------------------------------------------------------------

    def _inputs(self, question: str, history: Sequence[Turn]) -> dict[str, Any]:
        question = (question or "").strip()
        if not question:
            raise InvalidQuestion(
                "the question is empty; type a question about the indexed documents"
            )
        return {"question": question, "history": list(history)[-MAX_HISTORY_TURNS:]}

    def _select_passages(self, state: dict[str, Any]) -> dict[str, Any]:
        return self._budget(state, [to_passage(doc) for doc in state["documents"]])

    def _budget(self, state: dict[str, Any], candidates: list[Passage]) -> dict[str, Any]:
        """Number the passages the model will see, within the source budget."""
        passages: list[Passage] = []
        used = 0
        for passage in candidates[: self.settings.answer.passages_considered]:
            if passages and used + len(passage.text) > self.max_source_chars:
                break
            passages.append(passage)
            used += len(passage.text)
        return {**state, "passages": passages, "sources": format_sources(passages)}

    def _generate(self, state: dict[str, Any]) -> str:
        if not state["passages"]:
            return ""  # nothing to answer from: no need to ask the model
        return self.generate_chain.invoke(state)

    def _finish(self, state: dict[str, Any]) -> Answer:
        """Verify the model's draft and turn it into the final `Answer`."""
        started = time.perf_counter()
        question, passages, raw = state["question"], state["passages"], state["raw"]
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
            prepared_fallback = state.get("fallback")
            if prepared_fallback is not None:
                answer = prepared_fallback(passages)
            else:
                answer = self.fallback(state["query"], passages, self.settings.answer)
            answer.question = question
        else:
            answer = Answer(
                question=question, text=result.text, citations=result.citations, passages=passages
            )
        answer.mode = "llm"
        answer.profile = self.settings.profile
        answer.model_id = self.model_id
        answer.prompt_version = self._prompt_version(bool(state["history"]))
        answer.unverified = result.unverified
        answer.verification = counts
        done = time.perf_counter()
        answer.timings = Timings(
            retrieve_ms=_ms(state["t_start"], state["t_retrieved"]),
            answer_ms=_ms(state["t_retrieved"], state["t_answered"]),
            verify_ms=_ms(started, done),
            total_ms=_ms(state["t_start"], done),
        )
        return answer

    def _prompt_version(self, condensed: bool) -> str:
        version = self.answer_prompt.version
        return f"{version}+{self.condense_prompt.version}" if condensed else version

    def _call(self, step: Callable[[], Any]) -> Any:
        try:
            return step()
        except openai.APIError as exc:
            raise LLMUnavailable(
                f"the LLM endpoint {self.settings.llm.base_url or '(injected model)'} failed "
                f"({type(exc).__name__}: {exc}); check that the server runs and "
                "COMPLYQA_LLM_BASE_URL / COMPLYQA_LLM_MODEL point at it, or use --mode extractive"
            ) from exc


def _condense_inputs(state: dict[str, Any]) -> dict[str, str]:
    return {"history": format_history(state["history"]), "question": state["question"]}


def _clock(_: Any) -> float:
    return time.perf_counter()


def _ms(start: float, end: float) -> float:
    return round((end - start) * 1000, 2)


def _model_name(model: BaseChatModel) -> str:
    for attr in ("model_name", "model", "model_id"):
        value = getattr(model, attr, None)
        if isinstance(value, str) and value:
            return value
    return model._llm_type
