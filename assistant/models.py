"""Domain types of the answering side: what a question gets back."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field, computed_field

# Re-exported: the ingest report is part of the answering side's public types too.
from ingest.report import FailedFile, IngestReport  # noqa: F401

_STATUS_DOC = (
    "Where the text stands today: in_force, superseded, repealed, amended_not_in_corpus "
    "(a newer text exists but is not indexed) or not_yet_in_force; None for a document "
    "without version information (an article, a report)"
)
_VALIDITY_DOC = (
    "The status and period in words, for display, e.g. 'superseded · text in force "
    "2013-01-01 to 2021-03-01'"
)

#: Shown next to every citation, so a reader sees when a passage is not the law itself.
_SOURCE_DOC = "'corpus' (ingested from the corpus folder) or 'upload by <key name>'"


class VersionFields(BaseModel):
    """Which version of an instrument a text is, and whether it is the one in force today."""

    instrument: str | None = Field(
        default=None, description="The instrument this text is a version of"
    )
    status: str | None = Field(default=None, description=_STATUS_DOC)
    effective_from: str | None = Field(default=None, description="Day the text took effect")
    effective_to: str | None = Field(
        default=None, description="Day the text stopped being the current one, if it did"
    )
    status_note: str | None = Field(
        default=None, description="What the document's metadata says about its status"
    )
    superseded_by: str | None = Field(
        default=None, description="The newer version (a document id when it is indexed)"
    )
    validity: str | None = Field(default=None, description=_VALIDITY_DOC)

    @computed_field(  # type: ignore[prop-decorator]
        description="Whether this is the text in force today with nothing said against it; "
        "false means show `validity` as a warning; None without version information"
    )
    @property
    def current(self) -> bool | None:
        # The one rule every interface (CLI, API clients, the page) uses to warn.
        if self.status is None:
            return None
        return self.status == "in_force" and not self.status_note


class Passage(VersionFields):
    """A retrieved chunk with the scores that ranked it."""

    chunk_id: str
    doc_id: str
    key: str = Field(
        default="", description="Chunk key within the document (e.g. a source passage id)"
    )
    title: str
    section: str | None = None
    text: str
    start: int
    end: int
    score: float = Field(description="Fused score (reciprocal-rank fusion)")
    dense_score: float | None = Field(
        default=None, description="Cosine similarity, if retrieved densely"
    )
    lexical_score: float | None = Field(
        default=None, description="BM25 score, if retrieved lexically"
    )
    language: str | None = None
    date: str | None = None
    jurisdiction: str | None = None
    group: str | None = None
    publisher: str | None = Field(
        default=None,
        description="Who published the document (its metadata's `publisher`, e.g. a newspaper)",
    )
    source: str = Field(default="corpus", description=_SOURCE_DOC)
    relevance: float | None = Field(
        default=None,
        description="Probability (0-1) that the passage answers the question, from the "
        "relevance model; None when the passage was not reranked",
    )


class Citation(VersionFields):
    """A pointer a reader can follow: `quote == document_text[start:end]`."""

    marker: int = Field(description="The [n] number used in the answer text")
    doc_id: str
    title: str
    section: str | None = None
    start: int
    end: int
    quote: str
    date: str | None = None
    chunk_id: str | None = None
    source: str = Field(default="corpus", description=_SOURCE_DOC)

    @classmethod
    def of_span(cls, marker: int, passage: Passage, start: int, end: int) -> Citation:
        """Cite `passage.text[start:end]`; offsets become document offsets, so the quote is
        the document text at them by construction."""
        return cls(
            marker=marker,
            doc_id=passage.doc_id,
            title=passage.title,
            section=passage.section,
            start=passage.start + start,
            end=passage.start + end,
            quote=passage.text[start:end],
            date=passage.date,
            chunk_id=passage.chunk_id,
            source=passage.source,
            **passage.model_dump(include=set(VersionFields.model_fields)),
        )


class Timings(BaseModel):
    """Milliseconds spent per stage."""

    retrieve_ms: float = 0.0
    answer_ms: float = 0.0
    verify_ms: float = 0.0
    total_ms: float = 0.0


class UnverifiedSentence(BaseModel):
    """A sentence the model wrote that the cited passages do not support."""

    text: str
    reason: str


class Conflict(BaseModel):
    """Two cited passages that disagree: the answer says so rather than pick one silently."""

    first: int = Field(description="The [n] marker of one passage")
    second: int = Field(description="The [n] marker of the passage that disagrees with it")
    kind: Literal["amount", "requirement", "permission"] = Field(
        description="amount: different figures for one kind of quantity; requirement: "
        "required vs not required; permission: allowed vs prohibited"
    )
    unit: str | None = Field(
        default=None, description="For an amount: days, months, years, hours, USD, CNY, percent"
    )


class Answer(BaseModel):
    """The whole result of one question; every claim in `text` carries a `[n]` marker."""

    question: str
    text: str
    citations: list[Citation] = []
    passages: list[Passage] = []
    abstained: bool = False
    evidence: float | None = Field(
        default=None,
        description="Strength of the best passage's evidence (0–1): its relevance-model "
        "probability (or lexical evidence with the model off); below the profile's threshold "
        "the assistant abstains",
    )
    mode: str = "extractive"
    profile: str = "default"
    relevance_model: str | None = Field(
        default=None, description="Version (content hash) of the relevance model, if used"
    )
    model_id: str | None = None
    prompt_version: str | None = None
    corpus_fingerprint: str | None = None
    unverified: list[UnverifiedSentence] = []
    conflicts: list[Conflict] = Field(
        default_factory=list,
        description="Cited passages that contradict each other; the text ends with a note",
    )
    verification: dict[str, int] = Field(
        default_factory=dict,
        description="Counts from citation verification: sentences, supported, removed",
    )
    timings: Timings = Timings()


class Filters(BaseModel):
    """Restricts retrieval; every field narrows, and all are applied inside the index query."""

    doc_ids: list[str] | None = None
    groups: list[str] | None = Field(
        default=None, description="First path component, e.g. 'cn-regulations'"
    )
    languages: list[str] | None = None
    jurisdictions: list[str] | None = None
    as_of: dt.date | None = Field(
        default=None,
        description="Answer from the texts in force on this day (YYYY-MM-DD); today by default",
    )

    def narrowed_to_groups(self, groups: list[str] | None) -> Filters:
        """This filter further limited to `groups` (an API key's scope); None means no limit."""
        if groups is None:
            return self
        wanted = groups if self.groups is None else [g for g in self.groups if g in groups]
        return self.model_copy(update={"groups": wanted})


class Turn(BaseModel):
    """One earlier exchange of a conversation, used to understand follow-up questions."""

    question: str
    answer: str = ""
    doc_ids: list[str] = []


class AnswerDelta(BaseModel):
    type: Literal["delta"] = "delta"
    text: str


class AnswerDone(BaseModel):
    type: Literal["answer"] = "answer"
    answer: Answer


AnswerEvent = AnswerDelta | AnswerDone


class DocumentInfo(VersionFields):
    doc_id: str
    title: str
    language: str
    group: str
    date: str | None = None
    jurisdiction: str | None = None
    content_hash: str
    n_chunks: int
    chars: int = 0
    source: str = Field(default="corpus", description=_SOURCE_DOC)


class DocumentRecord(DocumentInfo):
    text: str


class IndexStats(BaseModel):
    documents: int
    chunks: int
    fingerprint: str
    embedding_model: str
