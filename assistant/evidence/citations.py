"""Where in a passage a claim is supported, and the `Citation`s that point there.

A citation is useful only if a reader can open the document and find the quoted words at the
cited place, so every quote is a slice of the passage text and its offsets are document
offsets: `passage.start + offset_in_passage` (the passage text is the document text between
`passage.start` and `passage.end`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from assistant.evidence.facts import Facts, evidence_facts, name_text
from assistant.models import Citation, Passage
from ingest.sentences import split_sentences

__all__ = [
    "MAX_SPAN_SENTENCES",
    "Span",
    "CitationBook",
    "addresses_the_assistant",
    "supporting_span",
]

#: A supporting quote is at most this many consecutive passage sentences: enough for a claim
#: that sums up a whole list (a lead-in and its five items), which three sentences cut short.
#: The quote still grows only while a sentence adds something the claim says.
MAX_SPAN_SENTENCES = 8


@dataclass(frozen=True)
class Span:
    """A run of passage sentences and the part of a claim it covers (offsets into the passage)."""

    start: int
    end: int
    facts: Facts  # of the span itself (terms and implied figures)
    covered_terms: frozenset[str]
    covered_facts: int  # claim figures and names found in the span

    @property
    def score(self) -> tuple[int, int]:
        return (self.covered_facts, len(self.covered_terms))


# Text in a source that speaks to the model instead of stating a rule: a prompt injection.
# Such a sentence can never support a claim, so obeying it cannot produce a "cited" sentence.
_INSTRUCTION = re.compile(
    r"\b(?:ignore|disregard|forget|override)\b[^.!?\n]{0,60}"
    r"\b(?:instructions?|rules|prompts?|above|previous|prior|earlier)\b"
    r"|\b(?:system prompt|you are now|new instructions?|as an ai)\b"
    r"|^\W*(?:please\s+)?(?:say|answer|reply|respond|output|print)\s+(?:that|only|with|exactly)\b"
    r"|(?:忽略|无视|忘记)[^。！？\n]{0,20}(?:指令|指示|规则|提示|要求)|系统提示",
    re.IGNORECASE,
)


def addresses_the_assistant(sentence: str) -> bool:
    """Whether a source sentence gives the assistant orders ("ignore previous instructions")."""
    return bool(_INSTRUCTION.search(sentence))


@dataclass(frozen=True)
class _Sentence:
    start: int
    end: int
    facts: Facts
    names: str  # entity lookup text of the sentence
    instruction: bool  # speaks to the assistant: never evidence


@lru_cache(maxsize=512)
def _sentences(text: str) -> tuple[_Sentence, ...]:
    return tuple(
        _Sentence(
            s.start,
            s.end,
            evidence_facts(s.text),
            name_text(s.text),
            addresses_the_assistant(s.text),
        )
        for s in split_sentences(text)
    )


def _cover(claim: Facts, run: Sequence[_Sentence]) -> Span:
    terms = frozenset().union(*(s.facts.terms for s in run))
    figures = frozenset().union(*(s.facts.figures for s in run))
    names = " ".join(s.names for s in run)
    facts = Facts(figures, frozenset(), terms)
    covered = len(claim.figures & figures) + sum(1 for e in claim.entities if e in names)
    return Span(run[0].start, run[-1].end, facts, claim.terms & terms, covered)


def supporting_span(
    claim: Facts, text: str, max_sentences: int = MAX_SPAN_SENTENCES
) -> Span | None:
    """The consecutive passage sentences that cover the most of `claim`.

    Starts from the single best sentence (figures and names first, then content terms) and
    grows by a neighbouring sentence only while that covers something more, so the quote
    stays as short as the claim allows. None when the passage has no text.
    """
    sentences = _sentences(text)
    if not sentences:
        return None
    scored = [(_cover(claim, [s]), i) for i, s in enumerate(sentences) if not s.instruction]
    if not scored:
        return None
    best, first = max(scored, key=lambda pair: (pair[0].score, -pair[1]))
    last = first
    while last - first + 1 < max_sentences:
        options = []
        if first > 0:
            options.append((first - 1, last))
        if last + 1 < len(sentences):
            options.append((first, last + 1))
        grown = [(_cover(claim, sentences[a : b + 1]), a, b) for a, b in options]
        grown = [
            g
            for g in grown
            if g[0].score > best.score
            and not any(s.instruction for s in sentences[g[1] : g[2] + 1])
        ]
        if not grown:
            break
        best, first, last = max(grown, key=lambda g: (g[0].score, -g[1]))
    return best


class CitationBook:
    """Numbers supporting quotes in order of first use; one marker per distinct quote."""

    def __init__(self) -> None:
        self.citations: list[Citation] = []
        self._markers: dict[tuple[str, int, int], int] = {}

    def cite(self, claim: Facts, passage: Passage) -> int | None:
        """The marker for the part of `passage` that supports `claim` (None: nothing does)."""
        span = supporting_span(claim, passage.text)
        if span is None or span.score == (0, 0):
            return None
        key = (passage.chunk_id, span.start, span.end)
        if key not in self._markers:
            marker = len(self.citations) + 1
            self._markers[key] = marker
            self.citations.append(Citation.of_span(marker, passage, span.start, span.end))
        return self._markers[key]
