"""What the MCP tools do, independent of the transport: scope in, audit row out.

Each call runs as a `Principal` (an API key, or the local user of a stdio server started
without one), inside that key's scope — the same `scoped_filters` and document checks the
HTTP API applies — and writes one audit row, whether it succeeds or is refused.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel, Field

from assistant.api.deps import check_document_access, guard_doc_ids, scoped_filters
from assistant.api.errors import ApiError
from assistant.models import Citation, Filters
from assistant.stores.audit import AuditEntry, AuditLog, answer_fields, utc_now
from assistant.stores.keys import ApiKey
from ingest.errors import ComplyqaError, DocumentNotFound

if TYPE_CHECKING:
    from assistant.service import ComplyQA

__all__ = [
    "AskResult",
    "PassageText",
    "Principal",
    "SearchResult",
    "ToolRefused",
    "Toolbox",
]

#: Longest span `get_passage` returns: a passage, not a whole code of law.
MAX_PASSAGE_CHARS = 20_000
T = TypeVar("T")


class ToolRefused(Exception):
    """A call the caller may not make or got wrong; the message says what to do."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Principal:
    """Who is calling: the API key (with its scope) and how the audit log names the caller."""

    key: ApiKey


class SourcePassage(BaseModel):
    """What a search hit shows the client: the `Passage` fields named here, read off it."""

    doc_id: str
    title: str
    section: str | None = None
    start: int = Field(description="Offset of the passage in the document's normalized text")
    end: int
    text: str
    score: float


class SearchResult(BaseModel):
    query: str
    passages: list[SourcePassage] = Field(description="Best first")


class AskResult(BaseModel):
    answer: str = Field(description="The answer with [n] markers, or the abstention sentence")
    abstained: bool = Field(description="True when the indexed sources do not answer it")
    citations: list[Citation] = Field(
        description="By marker: quote == document text[start:end] (check with get_passage)"
    )


class PassageText(BaseModel):
    doc_id: str
    title: str
    start: int
    end: int
    text: str = Field(description="Exactly the document's normalized text[start:end]")


class Toolbox:
    """The tools, over one facade and audit log; every method takes the caller first."""

    def __init__(self, facade: Callable[[], ComplyQA], audit: AuditLog) -> None:
        self._facade = facade
        self._audit = audit

    def search_sources(
        self, who: Principal, query: str, k: int = 8, groups: list[str] | None = None
    ) -> SearchResult:
        def run(note: dict[str, Any]) -> SearchResult:
            filters = scoped_filters(Filters(groups=groups) if groups else None, who.key)
            passages = self._facade().search(query, k=max(1, min(k, 50)), filters=filters)
            guard_doc_ids([p.doc_id for p in passages], who.key)
            note["detail"] = f"{len(passages)} passage(s)"
            return SearchResult(
                query=query,
                passages=[SourcePassage.model_validate(p, from_attributes=True) for p in passages],
            )

        return self._audited(who, "mcp:search_sources", query, run)

    def ask(
        self, who: Principal, question: str, groups: list[str] | None = None, k: int | None = None
    ) -> AskResult:
        def run(note: dict[str, Any]) -> AskResult:
            filters = scoped_filters(Filters(groups=groups) if groups else None, who.key)
            answer = self._facade().ask(question, k=k, filters=filters)
            guard_doc_ids(
                [c.doc_id for c in answer.citations] + [p.doc_id for p in answer.passages],
                who.key,
            )
            note["answer"] = answer
            return AskResult(
                answer=answer.text, abstained=answer.abstained, citations=answer.citations
            )

        return self._audited(who, "mcp:ask", question, run)

    def get_passage(self, who: Principal, doc_id: str, start: int, end: int) -> PassageText:
        def run(note: dict[str, Any]) -> PassageText:
            if not 0 <= start < end or end - start > MAX_PASSAGE_CHARS:
                raise ToolRefused(
                    422,
                    f"start and end must satisfy 0 <= start < end and end - start <= "
                    f"{MAX_PASSAGE_CHARS}",
                )
            check_document_access(doc_id, who.key)
            record = self._facade().document(doc_id, scoped_filters(None, who.key))
            if end > len(record.text):
                raise ToolRefused(
                    422, f"end {end} is past the document's end ({len(record.text)} characters)"
                )
            note["detail"] = f"{doc_id} [{start}:{end}]"
            return PassageText(
                doc_id=doc_id, title=record.title, start=start, end=end, text=record.text[start:end]
            )

        return self._audited(who, "mcp:get_passage", None, run)

    def _audited(
        self,
        who: Principal,
        endpoint: str,
        question: str | None,
        run: Callable[[dict[str, Any]], T],
    ) -> T:
        """Runs one tool call and writes its audit row; errors become `ToolRefused`."""
        started = time.perf_counter()
        note: dict[str, Any] = {}
        status, detail = 200, None
        try:
            return run(note)
        except ToolRefused as exc:
            status, detail = exc.status, str(exc)
            raise
        except ApiError as exc:
            status, detail = exc.status, exc.detail
            raise ToolRefused(exc.status, exc.detail) from None
        except DocumentNotFound as exc:
            status, detail = 404, str(exc)
            raise ToolRefused(404, str(exc)) from None
        except ComplyqaError as exc:
            status, detail = 422, str(exc)
            raise ToolRefused(422, str(exc)) from None
        except Exception:
            status, detail = 500, "internal error"
            raise
        finally:
            self._audit.record(
                _entry(who, endpoint, question, note, status, detail or note.get("detail"), started)
            )


def _entry(
    who: Principal,
    endpoint: str,
    question: str | None,
    note: dict[str, Any],
    status: int,
    detail: str | None,
    started: float,
) -> AuditEntry:
    answer = note.get("answer")
    return AuditEntry(
        time=utc_now(),
        key_id=who.key.id,
        endpoint=endpoint,
        method="MCP",
        question=question,
        latency_ms=round((time.perf_counter() - started) * 1000, 1),
        status=status,
        detail=detail,
        **(answer_fields(answer) if answer is not None else {}),
    )
