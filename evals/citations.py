"""Citation and answer-text scoring, in the style of ALCE (Gao et al., 2023).

An answer is split into sentences; each `[n]` marker ties a sentence to a citation. A citation
*supports* its sentence when its quote overlaps a gold quote, or when every key term, number
and date of the sentence appears in the quoted span (answers are built from passages, so a
supported claim repeats the passage's words). No model judges support: the checks are lexical,
cheap and reproducible.

The `[n]` marker reading, `key_terms` and the stopwords here are this judge's own copies, not
`assistant.evidence.markers`, `assistant.evidence.facts.claim_terms` or `ingest.tokenize`, on
purpose: an evaluator that shared the code it judges would score that code's mistakes as right.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from assistant.answering.contradictions import conflict_note
from assistant.models import Answer, Citation
from evals.metrics import GoldSpan
from ingest.errors import ComplyqaError
from ingest.sentences import split_sentences

_MARKER = re.compile(r"\[(\d+(?:\s*[,，]\s*\d+)*)\]")
# Markers written after the sentence's closing punctuation (and quotes) belong to that sentence.
_TRAILING_MARKERS = re.compile(
    r"([。！？；.!?]+[\"'”’」』）)]*)([ \t]*)((?:\[\d+(?:\s*[,，]\s*\d+)*\][ \t]*)+)"
)
_LEADING_MARKERS = re.compile(r"^(?:\s*\[\d+(?:\s*[,，]\s*\d+)*\])+")
_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TOKEN = re.compile(rf"[{_CJK}]|[^\W{_CJK}]+", re.UNICODE)
_NUMBER = re.compile(r"\d+(?:[.,:/-]\d+)*|[零〇一二三四五六七八九十百千万亿两]{2,}")
_DATE = re.compile(
    r"\d{4}\s*年\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?|\d{4}-\d{1,2}-\d{1,2}"
    r"|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2},?\s+\d{4}",
    re.IGNORECASE,
)
_EN_WORD = re.compile(r"[A-Za-z][A-Za-z'-]{2,}")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_EN_STOPWORDS = _words(
    """the and for are but not you all any can had her was one our out has have him his how
    its may new now own say she who why yes yet from that this with they them then than there
    these those what when where which while will would shall should must could into onto upon
    such each other only also more most some been being were does did doing under over about
    after before above below between through during without within against among per
    according whether either neither both same very just your their his hers its itself
    section sections part paragraph article articles rule rules"""
)
_ZH_STOPWORDS = _words(
    "的 了 和 与 及 或 是 在 对 由 为 以 应当 应 可以 不得 其 该 本 等 中 上 下 有 无 并 "
    "依照 按照 根据 规定 有关 相关 进行 之 者 所 将 被 于 从 向 如 若 则"
)


def strip_markers(text: str) -> str:
    """The answer text without `[n]` markers."""
    return _MARKER.sub("", text)


@dataclass(frozen=True)
class CitedSentence:
    """One sentence of an answer and the citation markers it carries."""

    text: str  # without markers
    markers: tuple[int, ...]


def _marker_numbers(text: str) -> tuple[int, ...]:
    return tuple(int(n) for group in _MARKER.findall(text) for n in re.split(r"\s*[,，]\s*", group))


def cited_sentences(answer_text: str) -> list[CitedSentence]:
    """Split an answer into sentences, each with the `[n]` markers that cite it.

    Markers written after a sentence's closing punctuation belong to that sentence, and a
    marker group cites every sentence written since the previous group: an extractive answer
    quotes a provision with its list items (one sentence per line) and cites it once, at the end.
    """
    moved = _TRAILING_MARKERS.sub(
        lambda m: f"{m.group(3).strip()}{m.group(1)}{m.group(2)}", answer_text
    )
    raw: list[tuple[str, tuple[int, ...]]] = []
    for span in split_sentences(moved):
        text = span.text
        leading = _LEADING_MARKERS.match(text)
        if leading and raw:  # markers that open a sentence close the one before it
            prev_text, prev_markers = raw[-1]
            raw[-1] = (prev_text, prev_markers + _marker_numbers(leading.group()))
            text = text[leading.end() :]
        raw.append((text, _marker_numbers(text)))
    out: list[CitedSentence] = []
    uncited: list[str] = []
    for text, markers in raw:
        clean = strip_markers(text).strip()
        if not any(ch.isalnum() for ch in clean):
            continue
        if not markers:
            uncited.append(clean)
            continue
        unique = tuple(dict.fromkeys(markers))
        out.extend(CitedSentence(t, unique) for t in uncited)
        out.append(CitedSentence(clean, unique))
        uncited = []
    out.extend(CitedSentence(t, ()) for t in uncited)
    return out


def _norm(text: str) -> str:
    """Case-folded NFKC text without whitespace: containment ignores layout and width."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).casefold()


@lru_cache(maxsize=1)
def _jieba() -> Any:
    import jieba

    jieba.setLogLevel(60)
    return jieba


def key_terms(sentence: str) -> set[str]:
    """Content words, numbers and dates a supporting span must repeat (normalized)."""
    text = unicodedata.normalize("NFKC", sentence)
    terms = {_norm(m.group()) for m in _DATE.finditer(text)}
    terms |= {m.group() for m in _NUMBER.finditer(text)}
    terms |= {w.lower() for w in _EN_WORD.findall(text) if w.lower() not in _EN_STOPWORDS}
    for run in re.findall(rf"[{_CJK}]+", text):
        for word in _jieba().cut(run):
            if len(word) >= 2 and word not in _ZH_STOPWORDS:
                terms.add(word)
    return terms


def terms_supported(sentence: str, span_text: str) -> bool:
    """Every key term of `sentence` occurs in `span_text` (a sentence with none is not)."""
    terms = key_terms(sentence)
    if not terms:
        return False
    haystack = _norm(span_text)
    return all(_norm(t) in haystack for t in terms)


def quote_matches_gold(
    citation: Citation, gold_quotes: Sequence[str], spans: Sequence[GoldSpan]
) -> bool:
    """The cited span overlaps a gold quote's occurrence, or one text contains the other."""
    if any(
        s.doc_id == citation.doc_id and citation.start < s.end and s.start < citation.end
        for s in spans
    ):
        return True
    quote = _norm(citation.quote)
    return bool(quote) and any(
        (g := _norm(gold)) and (g in quote or quote in g) for gold in gold_quotes
    )


@dataclass
class CitationScores:
    """Per-answer citation counts; rates are None when there is nothing to rate."""

    sentences: int = 0
    supported_sentences: int = 0
    citation_pairs: int = 0  # (sentence, citation) pairs, ALCE's unit for precision
    supporting_pairs: int = 0
    citations: int = 0
    exact_quotes: int = 0
    unsupported: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float | None:
        return self.supporting_pairs / self.citation_pairs if self.citation_pairs else None

    @property
    def recall(self) -> float | None:
        return self.supported_sentences / self.sentences if self.sentences else None

    @property
    def quote_exact_rate(self) -> float | None:
        return self.exact_quotes / self.citations if self.citations else None


def claimed_text(answer: Answer) -> str:
    """The answer's own sentences: the note on disagreeing sources that the service appends
    for the reader ("Note: sources [1] and [2] disagree …") claims nothing about the law."""
    if answer.conflicts:
        return answer.text.removesuffix("\n\n" + conflict_note(answer.conflicts))
    return answer.text


def score_citations(
    answer: Answer,
    gold_quotes: Sequence[str],
    gold_spans: Sequence[GoldSpan],
    document_text: Callable[[str], str | None],
) -> CitationScores:
    """Support of every (sentence, citation) pair and exactness of every citation's quote."""
    scores = CitationScores(citations=len(answer.citations))
    for c in answer.citations:
        text = document_text(c.doc_id)
        if text is not None and text[c.start : c.end] == c.quote:
            scores.exact_quotes += 1
    if answer.abstained:
        return scores
    by_marker = {c.marker: c for c in answer.citations}
    for sentence in cited_sentences(claimed_text(answer)):
        scores.sentences += 1
        supported = False
        for marker in dict.fromkeys(sentence.markers):
            citation = by_marker.get(marker)
            scores.citation_pairs += 1
            if citation is not None and (
                quote_matches_gold(citation, gold_quotes, gold_spans)
                or terms_supported(sentence.text, citation.quote)
            ):
                scores.supporting_pairs += 1
                supported = True
        if supported:
            scores.supported_sentences += 1
        else:
            scores.unsupported.append(sentence.text)
    return scores


def tokens(text: str) -> list[str]:
    """Chinese by characters, other scripts by lower-cased words; punctuation dropped."""
    return [t.lower() for t in _TOKEN.findall(unicodedata.normalize("NFKC", text))]


def token_f1(prediction: str, reference: str) -> float:
    """SQuAD-style bag-of-tokens F1 between an answer and a reference answer."""
    pred, ref = tokens(prediction), tokens(reference)
    if not pred or not ref:
        return float(pred == ref)
    common = sum((Counter(pred) & Counter(ref)).values())
    if common == 0:
        return 0.0
    precision, recall = common / len(pred), common / len(ref)
    return 2 * precision * recall / (precision + recall)


def lead_text(answer_text: str) -> str:
    """The answer's first line: extractive answers put each quote on a line of its own, so
    this is the quote a reader sees first (the answering sentence, when selection is right)."""
    return answer_text.strip().split("\n", 1)[0]


def gold_quote_containment(answer_text: str, gold_quotes: Sequence[str]) -> float | None:
    """Share of gold quotes found verbatim (ignoring whitespace and markers) in the answer."""
    quotes = [q for q in gold_quotes if q.strip()]
    if not quotes:
        return None
    text = _norm(strip_markers(answer_text))
    return sum(_norm(q) in text for q in quotes) / len(quotes)


class DocumentTexts:
    """Document texts fetched once each (through the facade) and kept for the whole run."""

    def __init__(self, fetch: Callable[[str], str]) -> None:
        self._fetch = fetch
        self._cache: dict[str, str | None] = {}

    def __call__(self, doc_id: str) -> str | None:
        if doc_id not in self._cache:
            try:
                self._cache[doc_id] = self._fetch(doc_id)
            except ComplyqaError:  # e.g. DocumentNotFound: the citation cannot be exact
                self._cache[doc_id] = None
        return self._cache[doc_id]

    def get(self, doc_id: str) -> str | None:
        return self(doc_id)
