"""LangChain face of complyqa's hybrid retrieval, so LangChain chains compose with it.

Kept apart from `assistant.retrieval.hybrid` because importing LangChain's retriever machinery
costs about a second, which a cold `complyqa ask` in extractive mode does not need to pay.
"""

from __future__ import annotations

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LCDocument
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from assistant.models import Filters, Passage
from assistant.retrieval.hybrid import HybridSearch


def to_document(passage: Passage) -> LCDocument:
    return LCDocument(page_content=passage.text, metadata=passage.model_dump(exclude={"text"}))


def to_passage(doc: LCDocument) -> Passage:
    return Passage(text=doc.page_content, **doc.metadata)


class HybridRetriever(BaseRetriever):
    """LangChain face of `HybridSearch`, so chains compose with complyqa's retrieval."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    search: HybridSearch
    filters: Filters | None = None
    k: int | None = None

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[LCDocument]:
        passages = self.search.search(self.search.prepare(query), k=self.k, filters=self.filters)
        return [to_document(p) for p in passages]
