"""`ComplyQA`: the one object every interface (CLI, API, evals) talks to.

It wires settings, index, retrieval and answerers together and keeps timing and provenance
(profile, corpus fingerprint, model, prompt version) on every answer.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from assistant import uploads
from assistant.access import document_matches, select_documents
from assistant.answering.answerer import Answerer, ExtractiveAnswerer, final_answer
from assistant.answering.contradictions import conflict_note, find_conflicts
from assistant.conversation import condense
from assistant.evidence.markers import ABSTENTION
from assistant.models import (
    Answer,
    AnswerDelta,
    AnswerDone,
    AnswerEvent,
    DocumentInfo,
    DocumentRecord,
    Filters,
    IndexStats,
    IngestReport,
    Passage,
    Turn,
)
from assistant.provenance import source_status
from assistant.relevance.model import load_model
from assistant.relevance.rerank import Reranker
from assistant.retrieval.hybrid import HybridSearch, named_documents, version_fields, without_names
from assistant.retrieval.index import Index
from assistant.retrieval.query import PreparedQuery
from assistant.settings import RelevanceSettings, Settings
from ingest.embeddings import Embedder
from ingest.errors import ConfigurationError, DocumentNotFound, InvalidQuestion
from ingest.models import Document
from ingest.records import Metadata
from ingest.tokenize import content_terms

if TYPE_CHECKING:
    from assistant.answering.llm import LLMAnswerer
    from assistant.retrieval.langchain import HybridRetriever

log = logging.getLogger(__name__)

MODES = ("extractive", "llm")


class ComplyQA:
    """Lazy: nothing heavy loads until the first call that needs it."""

    def __init__(
        self, settings: Settings | None = None, *, embedder: Embedder | None = None
    ) -> None:
        self.settings = settings or Settings.load()
        self.index = Index(self.settings.ingest, embedder)
        self.reranker = _reranker(self.settings.relevance)
        self.search_engine = HybridSearch(self.index, self.settings.retrieval, self.reranker)
        self.extractive = ExtractiveAnswerer(
            self.settings.answer,
            self.settings.relevance,
            idf=self.idf,
            reranker=self.reranker,
            dense_reliable=lambda language: self.search_engine.dense_weight(language) > 0,
        )
        self._llm: LLMAnswerer | None = None

    # -- ingest -------------------------------------------------------------------------
    def ingest(
        self, paths: Sequence[Path], root: Path | None = None, *, progress: bool = False
    ) -> IngestReport:
        try:
            return self.index.indexer.ingest_paths(paths, root, progress=progress)
        finally:
            self.index.invalidate()

    def ingest_documents(
        self, documents: Sequence[Document], *, progress: bool = False
    ) -> IngestReport:
        try:
            return self.index.indexer.ingest_documents(documents, progress=progress)
        finally:
            self.index.invalidate()

    def add_files(
        self,
        uploads_root: Path,
        group: str,
        files: Sequence[uploads.UploadedFile],
        max_bytes: int,
        *,
        uploaded_by: str,
        replaces: str | None = None,
        pending_review: bool = False,
    ) -> uploads.UploadReport:
        """Stores uploaded files under `uploads_root/group/` and ingests them, keeping no file
        the index does not hold (see `assistant.uploads.add_files` for the rules and errors)."""
        return uploads.add_files(
            self,
            uploads_root,
            group,
            files,
            max_bytes,
            uploaded_by=uploaded_by,
            replaces=replaces,
            pending_review=pending_review,
        )

    def delete_document(self, doc_id: str) -> bool:
        if doc_id not in self.index.manifest(fresh=True):
            return False
        self.index.store.delete_document(doc_id)
        self.index.invalidate()
        return True

    # -- reading ------------------------------------------------------------------------
    def search(
        self, query: str, *, k: int | None = None, filters: Filters | None = None
    ) -> list[Passage]:
        query = self._check_question(query)
        engine = self.search_engine
        return engine.search(engine.prepare(query), k=k, filters=filters)

    def retriever(self, filters: Filters | None = None, k: int | None = None) -> HybridRetriever:
        from assistant.retrieval.langchain import HybridRetriever

        return HybridRetriever(search=self.search_engine, filters=filters, k=k)

    def documents(self, filters: Filters | None = None) -> list[DocumentInfo]:
        manifest = self.index.manifest(fresh=True)
        return [_info(d, manifest[d]) for d in select_documents(manifest, filters)]

    def document(self, doc_id: str, filters: Filters | None = None) -> DocumentRecord:
        meta = self.index.manifest(fresh=True).get(doc_id)
        allowed = meta is not None and document_matches(doc_id, meta, filters)
        text = self.index.store.document_text(doc_id) if allowed else None
        if meta is None or text is None:
            raise DocumentNotFound(
                f"no indexed document {doc_id!r}; list them with `complyqa sources`"
            )
        return DocumentRecord(**_info(doc_id, meta).model_dump(), text=text)

    def stats(self) -> IndexStats:
        manifest = self.index.manifest(fresh=True)
        return IndexStats(
            documents=len(manifest),
            chunks=self.index.store.count_chunks(),
            fingerprint=self.index.fingerprint(),
            embedding_model=self.settings.embedding.model,
        )

    def idf(self, term: str) -> float:
        return self.index.lexical().idf(term)

    # -- answering ----------------------------------------------------------------------
    def ask(
        self,
        question: str,
        *,
        k: int | None = None,
        filters: Filters | None = None,
        mode: str | None = None,
        history: Sequence[Turn] = (),
    ) -> Answer:
        return final_answer(
            self.stream_ask(question, k=k, filters=filters, mode=mode, history=history)
        )

    def stream_ask(
        self,
        question: str,
        *,
        k: int | None = None,
        filters: Filters | None = None,
        mode: str | None = None,
        history: Sequence[Turn] = (),
    ) -> Iterator[AnswerEvent]:
        """Text deltas as they are produced, then the final, verified `Answer`.

        One path for both modes: prepare the question once → retrieve (fused, reranked) →
        answerability → answerer (extractive, or the LLM, built once) → verify → cite.
        """
        question = self._check_question(question)
        mode = mode or ("llm" if self.settings.llm.base_url else "extractive")
        if mode not in MODES:
            raise InvalidQuestion(f"unknown mode {mode!r}; use one of {', '.join(MODES)}")
        # The LLM answerer is built (and its endpoint checked) before any work.
        answerer = self._answerer(mode)
        started = time.perf_counter()
        prepared, context = self._prepare(question, history)
        passages = self.search_engine.search(
            prepared,
            k=k,
            filters=filters,
            context_doc_ids=context,
            rerank_depth=self.settings.relevance.answer_depth,
        )
        retrieved = time.perf_counter()
        if self._nothing_answers(prepared, passages, answerer):
            # Say so without asking any model to write from these passages.
            answer = Answer(
                question=question,
                text=abstention_text(prepared.absent),
                abstained=True,
                passages=passages,
                evidence=_top_relevance(passages),
                mode=mode,
            )
            yield AnswerDelta(text=answer.text)
        else:
            final: Answer | None = None
            for event in answerer.stream(prepared, passages):
                if isinstance(event, AnswerDone):
                    final = event.answer
                else:
                    yield event
            assert final is not None
            answer = final
        answer.timings.retrieve_ms = (retrieved - started) * 1000
        if answer.mode != "llm":
            answer.timings.answer_ms = (time.perf_counter() - retrieved) * 1000
        answer.timings.total_ms = (time.perf_counter() - started) * 1000
        answer.profile = self.settings.profile
        answer.corpus_fingerprint = self.index.fingerprint()
        answer.relevance_model = self.reranker.version if self.reranker else None
        answer.conflicts = find_conflicts(answer.citations)
        if answer.conflicts:
            # Said in the text itself, so every interface (and a streamed reply) shows it.
            note = AnswerDelta(text="\n\n" + conflict_note(answer.conflicts))
            answer.text += note.text
            yield note
        yield AnswerDone(answer=answer)

    def _prepare(
        self, question: str, history: Sequence[Turn]
    ) -> tuple[PreparedQuery, tuple[str, ...]]:
        """The question ready for retrieval, and the documents the conversation is about."""
        condensed = condense(question, history)
        context: tuple[str, ...] = ()
        if condensed.used_history:
            # The law the earlier question named, else the one its answer cited first.
            manifest = self.index.manifest()
            context = (
                named_documents(history[-1].question, manifest) or condensed.context_doc_ids[:1]
            )
        prepared = self.search_engine.prepare(question, condensed.query)
        # A follow-up's answer must cover the earlier question's subject too (conversation.py).
        terms = f"{prepared.answer_terms} {condensed.subject}".strip()
        prepared = dataclasses.replace(prepared, answer_terms=terms)
        return self._focus(prepared), context

    def _focus(self, prepared: PreparedQuery) -> PreparedQuery:
        """The answer terms without the names of the laws the question names: every passage
        of the Personal Information Protection Law matches "个人信息保护法", so only the rest
        ("fine" → 罚款) can pick its answering sentence. Evidence still counts the names."""
        if not prepared.named:
            return prepared
        manifest = self.index.manifest()
        metas = [manifest[d] | {"doc_id": d} for d in prepared.named if d in manifest]
        terms = without_names(prepared.answer_terms, metas)
        if not content_terms(terms):
            return prepared
        alternate = without_names(prepared.alternate, metas) if prepared.alternate else ""
        return dataclasses.replace(prepared, focus_terms=terms, focus_alternate=alternate)

    def _nothing_answers(
        self, prepared: PreparedQuery, passages: Sequence[Passage], answerer: Answerer
    ) -> bool:
        """No passage answers: the question names what no source holds, the relevance model
        (when the profile lets it decide) finds no passage answering, or the extractive
        answerer would abstain (evidence below `min_evidence`, a value asked for that no
        sentence states). The extractive answerer applies its own rules itself; any other
        answerer, such as an LLM, is spared the call, so both modes abstain alike."""
        if prepared.absent:
            return True
        if self._model_decides_answerability() and not _answerable(
            passages, self.settings.relevance
        ):
            return True
        return answerer is not self.extractive and self.extractive.nothing_answers(
            prepared, passages
        )

    def _model_decides_answerability(self) -> bool:
        return self.reranker is not None and self.settings.relevance.decide_answerability

    def _answerer(self, mode: str) -> Answerer:
        return self._llm_answerer() if mode == "llm" else self.extractive

    def _llm_answerer(self) -> LLMAnswerer:
        """Built once and kept: the chat client and prompt templates are reused."""
        if not self.settings.llm.base_url:
            raise ConfigurationError(
                "LLM mode needs an OpenAI-compatible endpoint: set COMPLYQA_LLM_BASE_URL "
                "(and COMPLYQA_LLM_MODEL), or use --mode extractive"
            )
        if self._llm is None:
            from assistant.answering.llm import LLMAnswerer

            self._llm = LLMAnswerer(self.settings, fallback=self.extractive.answer)
        return self._llm

    def _check_question(self, question: str) -> str:
        question = (question or "").strip()
        limit = self.settings.answer.max_question_chars
        if not question:
            raise InvalidQuestion(
                "the question is empty; type a question about the indexed documents"
            )
        if len(question) > limit:
            raise InvalidQuestion(
                f"the question has {len(question)} characters; the limit is {limit} "
                "(COMPLYQA_ANSWER__MAX_QUESTION_CHARS)"
            )
        return question


def _reranker(settings: RelevanceSettings) -> Reranker | None:
    if not settings.enabled:
        return None
    model = load_model(settings.model_dir) if settings.model_dir else load_model()
    return Reranker(model, settings.rerank_depth, settings.fused_prior, settings.max_windows)


def _top_relevance(passages: Sequence[Passage]) -> float:
    return max((p.relevance or 0.0 for p in passages), default=0.0)


def abstention_text(absent: Sequence[str]) -> str:
    """The abstention, saying which names the question gives that no source holds."""
    if not absent:
        return ABSTENTION
    return f"{ABSTENTION} They do not include {', '.join(absent)}."


def _answerable(passages: Sequence[Passage], settings: RelevanceSettings) -> bool:
    """Some passage answers: its relevance reaches the calibrated threshold."""
    return _top_relevance(passages) >= settings.min_relevance


def _info(doc_id: str, meta: Metadata) -> DocumentInfo:
    def opt(key: str) -> str | None:
        value = meta.get(key)
        return None if value is None else str(value)

    return DocumentInfo(
        doc_id=doc_id,
        title=str(meta.get("title", doc_id)),
        language=str(meta.get("language", "")),
        group=str(meta.get("group", "")),
        date=opt("date"),
        jurisdiction=opt("jurisdiction"),
        content_hash=str(meta.get("content_hash", "")),
        n_chunks=int(meta.get("n_chunks", 0)),
        chars=int(meta.get("chars", 0)),
        source=source_status(meta),
        **version_fields(meta),
    )
