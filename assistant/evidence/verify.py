"""Check an LLM's answer sentence by sentence against the passages it cites.

The model writes sentences ending in `[n]` markers that point into the numbered passage list
it was shown (read by `assistant.evidence.markers`). A sentence survives only when a cited
passage supports it (`Verifier`); markers that point nowhere are dropped and never shown.
Every surviving sentence gets citations to the exact supporting quote with document offsets,
numbered in order of first appearance. Unsupported sentences are removed, or kept visibly
marked, and reported with a reason.

`LexicalVerifier` is the default check (rules below); an NLI model can replace it later by
implementing `Verifier`. Everything here is pure: no model, disk or network.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal, Protocol

from assistant.evidence.bounds import bound_mismatch
from assistant.evidence.citations import CitationBook, supporting_span
from assistant.evidence.crosslingual import (
    LAW_NAMES_LIST,
    bridge_terms,
    concept_mismatch,
    language_of,
    law_names,
    names_missing_in_translation,
)
from assistant.evidence.cues import (
    law_titles,
    roles,
    roles_missing_in_translation,
    source_roles,
)
from assistant.evidence.facts import (
    Facts,
    evidence_facts,
    extract_facts,
    negation_cues,
    opening_word,
    stem,
)
from assistant.evidence.markers import ClaimSentence, is_abstention, parse_answer, with_markers
from assistant.evidence.names import (
    missing_names,
    missing_names_translated,
    passage_context,
    word_stems,
)
from assistant.evidence.opposites import opposite_named
from assistant.evidence.scopes import (
    answer_contradicts_its_rule,
    clause_polarity_mismatch,
    modality_mismatch,
    negation_mismatch,
    sentence_modality_mismatch,
)
from assistant.models import Citation, Passage, UnverifiedSentence

__all__ = [
    "DEFAULT_MIN_OVERLAP",
    "UNVERIFIED_MARK",
    "LexicalVerifier",
    "SentenceVerdict",
    "VerifiedAnswer",
    "Verdict",
    "Verifier",
    "needs_fallback",
    "verify_answer",
]

#: Share of a sentence's content terms that the supporting quote must contain. Chosen on the
#: bundled corpus (docs/llm.md, "Calibration"): supported sentences and close paraphrases
#: score 0.7–1.0; sentences cited to a wrong passage of the same law mostly score below 0.5.
DEFAULT_MIN_OVERLAP = 0.6
#: Prefix of an unsupported sentence kept in the text (`LLMSettings.unsupported == "mark"`).
UNVERIFIED_MARK = "[unverified]"


@dataclass(frozen=True)
class Verdict:
    supported: bool
    reason: str = ""
    overlap: float = 0.0


class Verifier(Protocol):
    """Decides whether passages support a claim (lexical rules today, an NLI model later)."""

    def verify(self, claim: str, passages: Sequence[Passage]) -> Verdict: ...


@dataclass(frozen=True)
class SentenceVerdict:
    sentence: ClaimSentence
    supported: bool
    reason: str
    passages: tuple[int, ...] = ()  # 1-based numbers of the passages that support it


@dataclass
class VerifiedAnswer:
    """The answer text after verification, with its citations and what was taken out."""

    text: str
    citations: list[Citation]
    unverified: list[UnverifiedSentence]
    verdicts: list[SentenceVerdict]
    counts: dict[str, int] = field(default_factory=dict)
    abstained: bool = False


@dataclass(frozen=True)
class LexicalVerifier:
    """Support by surface evidence, with no model.

    A claim is supported by passages when (1) every figure (number, amount, percentage, date,
    article or section number) and every name (capitalized names, acronyms, codes, a name
    opening the sentence), party (operator, 提供者 …) and 《law》 in it appears in them, title
    and section included, and no figure is bounded on the other side than the source bounds
    it (`assistant.evidence.bounds`: "less than" against 不少于); (2) the best supporting
    quote contains at least `min_overlap` of the claim's content terms; and (3) negation and
    modality agree with the quote, term by term and clause by clause
    (`assistant.evidence.scopes`; cues govern `window` tokens in the same clause). A claim in
    the other language than every cited passage is compared by glossary concepts instead of
    words (`assistant.evidence.crosslingual`). docs/llm.md has the rules and their measured
    effect.
    """

    min_overlap: float = DEFAULT_MIN_OVERLAP
    window: int = 8

    def verify(self, claim: str, passages: Sequence[Passage]) -> Verdict:
        facts = extract_facts(claim)
        lang = language_of(claim)
        other = {language_of(p.text) for p in passages} - {lang}
        translated = len(other) == 1 and all(language_of(p.text) != lang for p in passages)
        if not translated and len(facts.terms) + len(facts.figures) + len(facts.entities) < 2:
            return Verdict(False, "too little content to check against a source")
        whole = [_evidence(passage_context(p)) for p in passages]
        figures = frozenset().union(*(w.figures for w in whole))
        missing = sorted(facts.figures - figures)
        if missing:
            shown = ", ".join(f.partition(":")[2] for f in missing)
            return Verdict(False, f"figure not in the cited passage: {shown}")
        if answer_contradicts_its_rule(claim):
            return Verdict(False, "it answers 'may' and then states a rule that forbids it")
        flipped_bound = bound_mismatch(claim, "\n".join(p.text for p in passages))
        if flipped_bound:
            return Verdict(False, f"the cited passage bounds {flipped_bound} on the other side")
        if translated:
            return self._verify_translation(claim, lang, other.pop(), facts, passages)
        contexts = "\n".join(passage_context(p) for p in passages)
        absent = missing_names(claim, facts.entities, contexts, lang)
        if absent:
            return Verdict(False, f"name not in the cited passage: {', '.join(absent)}")
        opener = opening_word(claim)
        if opener and stem(opener) not in word_stems(contexts):
            return Verdict(False, f"name not in the cited passage: {opener}")
        others = sorted(roles(claim) - source_roles(contexts))
        if others:
            return Verdict(False, f"party not in the cited passage: {', '.join(others)}")
        laws = sorted(t for t in law_titles(claim) if t not in contexts)
        if laws:
            shown = ", ".join(f"《{t}》" for t in laws)
            return Verdict(False, f"law not in the cited passage: {shown}")
        # A law named without 《》 ("数据安全法第二十四条", "the Data Security Law") too.
        unnamed = _laws_not_named(claim, lang, contexts)
        if unnamed:
            return Verdict(False, f"law not in the cited passage: {unnamed}")
        spans = [s for p in passages if (s := supporting_span(facts, p.text)) is not None]
        covered = frozenset().union(*(s.covered_terms for s in spans))
        # Every figure is in the passage by now (checked above): each counts as a word found.
        found = len(covered) + len(facts.figures)
        overlap = found / (len(facts.terms) + len(facts.figures)) if facts.terms else 1.0
        if overlap < self.min_overlap:
            return Verdict(
                False,
                f"only {overlap:.0%} of its words are in the cited passage "
                f"(needs {self.min_overlap:.0%})",
                overlap,
            )
        quotes = [p.text[s.start : s.end] for p, s in zip(passages, spans, strict=False)]
        opposite = opposite_named(claim, quotes)
        if opposite:
            return Verdict(False, f"says the opposite of the cited passage ({opposite})", overlap)
        flipped = negation_mismatch(claim, quotes, covered, self.window)
        if flipped:
            return Verdict(
                False, f"negation differs from the cited passage near '{flipped}'", overlap
            )
        if _negated_only_in_claim(claim, quotes):
            return Verdict(False, "negation the cited passage does not have", overlap)
        clause = clause_polarity_mismatch(claim, quotes)
        if clause:
            return Verdict(False, f"negation differs from the cited passage in '{clause}'", overlap)
        modal = modality_mismatch(claim, quotes, covered, self.window)
        if modal:
            return Verdict(False, f"obligation differs from the cited passage: {modal}", overlap)
        return Verdict(True, "", overlap)

    def _verify_translation(
        self, claim: str, lang: str, source_lang: str, facts: Facts, passages: Sequence[Passage]
    ) -> Verdict:
        """A claim in one language, passages in the other: compare concepts (crosslingual)."""
        contexts = "\n".join(passage_context(p) for p in passages)
        absent = missing_names_translated(claim, facts.entities, contexts, lang)
        if absent:
            return Verdict(False, f"name not in the cited passage: {', '.join(absent)}")
        unnamed = _laws_not_named(claim, lang, contexts)
        if unnamed:
            return Verdict(False, f"law not in the cited passage: {unnamed}")
        agencies = names_missing_in_translation(claim, lang, contexts)
        if agencies:
            return Verdict(False, f"name not in the cited passage: {', '.join(agencies)}")
        others = sorted(roles_missing_in_translation(claim, lang, contexts))
        if others:
            return Verdict(False, f"party not in the cited passage: {', '.join(others)}")
        coverage, count, conflict = concept_mismatch(
            claim, lang, contexts, source_lang, self.window
        )
        if count + len(facts.figures) + len(facts.entities) < 2 or count < 1:
            return Verdict(False, "too little in the glossary to check a translation")
        if coverage < self.min_overlap:
            return Verdict(
                False,
                f"only {coverage:.0%} of its concepts are in the cited passage "
                f"(needs {self.min_overlap:.0%})",
                coverage,
            )
        if conflict:
            return Verdict(False, f"negation or obligation differs near {conflict}", coverage)
        # Across languages the quote is located by glossary words only, so a negation is
        # looked for in the whole passage: one the passage lacks entirely is the claim's own.
        if _negated_only_in_claim(claim, [contexts]):
            return Verdict(False, "negation the cited passage does not have", coverage)
        quotes = [
            p.text[s.start : s.end]
            for p in passages
            if (s := supporting_span(_quote_facts(claim, p), p.text)) is not None
        ]
        opposite = opposite_named(claim, quotes)
        if opposite:
            return Verdict(False, f"says the opposite of the cited passage ({opposite})", coverage)
        modal = sentence_modality_mismatch(claim, quotes)
        if modal:
            return Verdict(False, f"obligation differs from the cited passage: {modal}", coverage)
        return Verdict(True, "", coverage)


# A passage is checked against every sentence that cites it: read its facts once.
_evidence = lru_cache(maxsize=1024)(evidence_facts)


def _negated_only_in_claim(claim: str, quotes: Sequence[str]) -> bool:
    """A claim that negates something where its supporting quotes negate nothing at all."""
    return bool(negation_cues(claim)) and not any(negation_cues(q) for q in quotes)


def _laws_not_named(claim: str, lang: str, contexts: str) -> str:
    """The glossary's laws `claim` names (in `lang`) that `contexts` name in neither language,
    listed ("" if none)."""
    laws = law_names(claim, lang) - law_names(contexts, "zh") - law_names(contexts, "en")
    return ", ".join(LAW_NAMES_LIST[i] for i in sorted(laws))


def verify_answer(
    raw: str,
    passages: Sequence[Passage],
    *,
    verifier: Verifier | None = None,
    unsupported: Literal["remove", "mark"] = "remove",
) -> VerifiedAnswer:
    """Keep the sentences the cited passages support, cite their quotes, report the rest."""
    verifier = verifier or LexicalVerifier()
    sentences = parse_answer(raw)
    counts = {
        "sentences": len(sentences),
        "supported": 0,
        "removed": 0,
        "marked": 0,
        "unsupported_before": 0,
        "uncited": 0,
        "invalid_citations": 0,
        "unsupported_citations": 0,
    }
    if any(is_abstention(s.claim) for s in sentences) or (not sentences and is_abstention(raw)):
        counts["model_abstained"] = 1
        return VerifiedAnswer("", [], [], [], counts, abstained=True)

    verdicts: list[SentenceVerdict] = []
    for sentence in sentences:
        valid = tuple(n for n in sentence.markers if 1 <= n <= len(passages))
        counts["invalid_citations"] += len(sentence.markers) - len(valid)
        verdict = _judge(sentence, valid, passages, verifier)
        if verdict.supported:
            counts["unsupported_citations"] += len(valid) - len(verdict.passages)
        if not valid:
            counts["uncited"] += 1
        verdicts.append(verdict)

    book = CitationBook()
    parts: list[str] = []
    unverified: list[UnverifiedSentence] = []
    newline = False  # a line break stood before this sentence or a removed one before it
    for verdict in verdicts:
        sentence = verdict.sentence
        newline = newline or "\n" in sentence.gap
        sep = ("\n" if newline else " ") if parts else ""
        markers: list[int] = []
        if verdict.supported:
            for n in verdict.passages:
                marker = book.cite(_quote_facts(sentence.claim, passages[n - 1]), passages[n - 1])
                if marker is not None and marker not in markers:
                    markers.append(marker)
        if markers:
            counts["supported"] += 1
            parts.append(sep + with_markers(sentence.claim, markers))
            newline = False
            continue
        reason = verdict.reason or "no quote in the cited passage supports it"
        counts["unsupported_before"] += 1
        unverified.append(UnverifiedSentence(text=sentence.claim, reason=reason))
        if unsupported == "mark":
            counts["marked"] += 1
            parts.append(f"{sep}{UNVERIFIED_MARK} {sentence.claim}")
            newline = False
        else:
            counts["removed"] += 1
    return VerifiedAnswer("".join(parts).strip(), book.citations, unverified, verdicts, counts)


def _quote_facts(claim: str, passage: Passage) -> Facts:
    """The claim's facts for finding its quote; across languages, with the glossary's words."""
    facts = extract_facts(claim)
    lang = language_of(claim)
    if language_of(passage.text) == lang:
        return facts
    return Facts(facts.figures, facts.entities, facts.terms | bridge_terms(claim, lang))


def _judge(
    sentence: ClaimSentence, valid: tuple[int, ...], passages: Sequence[Passage], verifier: Verifier
) -> SentenceVerdict:
    if not valid:
        reason = (
            "cites only passages that do not exist: "
            + ", ".join(f"[{n}]" for n in sentence.markers)
            if sentence.markers
            else "no citation"
        )
        return SentenceVerdict(sentence, False, reason)
    single = [(n, verifier.verify(sentence.claim, [passages[n - 1]])) for n in valid]
    supporting = tuple(n for n, v in single if v.supported)
    contradicted = _contradicted_across(sentence.claim, [passages[n - 1] for n in valid])
    if supporting and contradicted:
        return SentenceVerdict(sentence, False, contradicted)
    if supporting:
        return SentenceVerdict(sentence, True, "", supporting)
    if len(valid) > 1:
        # One sentence may join facts from two passages: check them together. Their joint
        # verdict is the reason to report: a figure one passage lacks may be in the other.
        joint = verifier.verify(sentence.claim, [passages[n - 1] for n in valid])
        if joint.supported:
            return SentenceVerdict(sentence, True, "", valid)
        return SentenceVerdict(
            sentence, False, joint.reason or "not supported by the cited passages"
        )
    best = single[0][1]
    return SentenceVerdict(sentence, False, best.reason or "not supported by the cited passage")


def _contradicted_across(claim: str, cited: Sequence[Passage]) -> str:
    """Why a cited passage in the other language than `claim` contradicts it ("" if none): an
    English summary cited beside the Chinese article it summarises must not drop the
    article's 不得 because the English briefing it also cites leaves the duty unqualified."""
    lang = language_of(claim)
    foreign = [passage_context(p) for p in cited if language_of(p.text) != lang]
    if not foreign or len(foreign) == len(cited):
        return ""
    other = "zh" if lang == "en" else "en"
    _, _, conflict = concept_mismatch(claim, lang, "\n".join(foreign), other)
    return f"negation or obligation differs near {conflict}" if conflict else ""


def needs_fallback(result: VerifiedAnswer, min_supported_ratio: float) -> bool:
    """Whether too little of the model's answer survived to show it (abstentions excepted)."""
    if result.abstained:
        return False
    total, supported = result.counts["sentences"], result.counts["supported"]
    return supported == 0 or supported / total < min_supported_ratio
