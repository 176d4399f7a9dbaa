"""Domain types of the answering side: what a question gets back."""

from __future__ import annotations

from pydantic import BaseModel, Field


class Passage(BaseModel):
    """A retrieved chunk with the scores that ranked it."""

    chunk_id: str
    doc_id: str
    title: str
    section: str | None = None
    text: str
    start: int
    end: int
    score: float = Field(description="Fused score (reciprocal-rank fusion)")
    dense_score: float | None = Field(default=None, description="Cosine similarity, if retrieved densely")
    lexical_score: float | None = Field(default=None, description="BM25 score, if retrieved lexically")
    language: str | None = None
    date: str | None = None
    jurisdiction: str | None = None
    group: str | None = None


class Citation(BaseModel):
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


class Answer(BaseModel):
    """The whole result of one question; every claim in `text` carries a `[n]` marker."""

    question: str
    text: str
    citations: list[Citation] = []
    passages: list[Passage] = []
    abstained: bool = False
    mode: str = "extractive"
    profile: str = "default"
    model_id: str | None = None
    prompt_version: str | None = None
    corpus_fingerprint: str | None = None
    unverified: list[UnverifiedSentence] = []
    verification: dict[str, int] = Field(
        default_factory=dict,
        description="Counts from citation verification: sentences, supported, removed",
    )
    timings: Timings = Timings()
