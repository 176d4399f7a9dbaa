"""Lexical support across languages: an English sentence about a Chinese passage, or the reverse.

Word overlap means nothing across languages, so a translated claim is checked by *concepts*:
the entries of the bilingual glossary (`assistant.retrieval.glossary`, 出口管制 ↔ export
control) and of `LAW_NAMES` below that the claim mentions must be mentioned by the passage
too, in either language, and each shared concept must stand in the same polarity (negated or
not) and modality (must or may) on both sides. Figures and codes are compared as usual by the
verifier. What the glossary does not know cannot be checked this way: a translated sentence
whose content lies outside it is rejected for too little checkable content, and a concept
the claim gets wrong without changing any glossary word passes (an NLI model's job). Pure.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache

from assistant.evidence.cues import modality_cues
from assistant.evidence.facts import Token, claim_terms, negation_cues, tokens
from assistant.evidence.scopes import cue_reach
from assistant.retrieval.glossary import _english_pattern, load_glossary, load_laws
from ingest.normalize import detect_language

__all__ = [
    "LAW_NAMES",
    "LAW_NAMES_LIST",
    "bridge_terms",
    "concept_names",
    "Concept",
    "concept_mentions",
    "concept_mismatch",
    "language_of",
    "law_names",
    "names_missing_in_translation",
]

#: Chinese short name -> English names, from the glossary's laws table.
LAW_NAMES: dict[str, tuple[str, ...]] = {law.zh[0]: law.en for law in load_laws()}
#: `LAW_NAMES` by index, as `law_names` reports them.
LAW_NAMES_LIST = tuple(LAW_NAMES)


def language_of(text: str) -> str:
    """`zh` or `en`, decided as ingest decides a document's language."""
    return detect_language(text)


@dataclass(frozen=True)
class Concept:
    """Terms of one meaning in both languages."""

    zh: tuple[str, ...]
    en: tuple[str, ...]


@lru_cache(maxsize=1)
def _concepts() -> tuple[Concept, ...]:
    glossary = tuple(Concept(e.zh, e.en) for e in load_glossary())
    laws = tuple(Concept((zh,), en) for zh, en in LAW_NAMES.items())
    return laws + glossary


@cache  # the glossary's terms: see `glossary._english_pattern`
def _inflected(term: str) -> re.Pattern[str]:
    # The glossary's own matcher (`_english_pattern`) is exact, which suits query expansion;
    # a claim writes "suspended" and "fined" where the glossary lists "suspend" and "fine".
    base = _english_pattern(term).pattern.removesuffix(r"(?![\w-])")
    flags = 0 if term.isupper() else re.IGNORECASE
    # A name still names its entity inside a hyphenated compound ("PRC-headquartered",
    # "US-made"); a lower-case word there is part of another word ("data-driven").
    end = r"(?!\w)" if term[:1].isupper() else r"(?![\w-])"
    if _CONSONANT_Y.search(term):
        # "notify" is "notified", "notifies" too; "apply", "applied".
        return re.compile(base[:-1] + r"(?:y|ys|ies|ied|ying)" + end, flags)
    return re.compile(base + r"(?:s|es|d|ed|ing)?" + end, flags)


_CONSONANT_Y = re.compile(r"[a-z][b-df-hj-np-tv-xz]y$")
# Adjectives written with a negation character whose English has no negation cue.
_CN_NEGATIVE_ADJECTIVE = re.compile(
    r"不正当|不合理|不公平|不公正|不良|不安全|不准确|不完整|不真实|不当(?!事)|非法|无效|无偿"
)


def _find(term: str, text: str, english: bool) -> list[tuple[int, int]]:
    if english:
        return [(m.start(), m.end()) for m in _inflected(term).finditer(text)]
    return [(m.start(), m.end()) for m in re.finditer(re.escape(term), text)]


@lru_cache(maxsize=1024)
def concept_mentions(text: str, lang: str) -> tuple[tuple[int, int, int], ...]:
    """(concept index, start, end) of each concept `text` names in `lang`; longest match wins."""
    spans = list(_all_mentions(text, lang))
    spans.sort(key=lambda x: (-(x[2] - x[1]), x[1]))
    chosen: list[tuple[int, int, int]] = []
    for span in spans:
        if all(span[2] <= c[1] or span[1] >= c[2] for c in chosen):
            chosen.append(span)
    return tuple(sorted(chosen, key=lambda x: x[1]))


@lru_cache(maxsize=1024)
def _all_mentions(text: str, lang: str) -> tuple[tuple[int, int, int], ...]:
    """Every (concept index, start, end) `text` names in `lang`, the shorter terms inside a
    longer one included (承担 and 侵权责任 inside 承担侵权责任)."""
    spans: list[tuple[int, int, int]] = []
    for i, concept in enumerate(_concepts()):
        for term in concept.en if lang == "en" else concept.zh:
            spans.extend((i, s, e) for s, e in _find(term, text, lang == "en"))
    return tuple(spans)


@lru_cache(maxsize=1)
def _synonyms() -> dict[int, frozenset[int]]:
    """For each concept, the concepts that share one of its terms in either language: a
    claim's "illegal" is 非法 or 违法, whichever line of the glossary lists it first."""
    by_term: dict[tuple[str, str], set[int]] = {}
    for i, concept in enumerate(_concepts()):
        for term in concept.zh:
            by_term.setdefault(("zh", term), set()).add(i)
        for term in concept.en:
            by_term.setdefault(("en", term.lower()), set()).add(i)
    out: dict[int, set[int]] = {}
    for group in by_term.values():
        for i in group:
            out.setdefault(i, set()).update(group)
    return {i: frozenset(group) for i, group in out.items()}


def concept_names(text: str, lang: str) -> list[str]:
    """The words of `text` that name a known concept ("Nvidia", "Cybersecurity Law", "CAC")."""
    return [text[s:e] for _, s, e in concept_mentions(text, lang)]


def bridge_terms(text: str, lang: str) -> frozenset[str]:
    """Content terms of the other language's words for the concepts `text` names, so a
    translated claim can find its quote in a passage (英伟达 for "Nvidia")."""
    other = "zh" if lang == "en" else "en"
    words: list[str] = []
    for i, _, _ in concept_mentions(text, lang):
        concept = _concepts()[i]
        words.extend(concept.zh if other == "zh" else concept.en)
    return frozenset(claim_terms(" ".join(words))) if words else frozenset()


def names_missing_in_translation(claim: str, claim_lang: str, source: str) -> list[str]:
    """The claim's words for named concepts (an agency, a company, a law: glossary entries
    whose English is a proper name, "Ministry of Industry and Information Technology") that
    its source, in the other language, names in neither language: 工业和信息化部 cited to a
    passage on the Commerce Department."""
    other = "zh" if claim_lang == "en" else "en"
    stated = {i for i, _, _ in concept_mentions(source, other)}
    stated |= {i for i, _, _ in concept_mentions(source, claim_lang)}
    concepts = _concepts()
    return sorted(
        {
            claim[s:e]
            for i, s, e in concept_mentions(claim, claim_lang)
            if i not in stated and all(en[:1].isupper() for en in concepts[i].en)
        }
    )


def law_names(text: str, lang: str) -> set[int]:
    """Indexes of the `LAW_NAMES` laws `text` names in `lang`."""
    return {i for i, _, _ in concept_mentions(text, lang) if i < len(LAW_NAMES)}


def _scopes(
    text: str, toks: Sequence[Token], cues: Sequence[tuple[int, str]], window: int
) -> list[tuple[int, int, str]]:
    """Character ranges each cue governs: the next `window` tokens (`toks` are `text`'s), up to
    clause punctuation."""
    by_start = {t.start: t for t in toks}
    out: list[tuple[int, int, str]] = []
    for start, label in cues:
        tok = by_start.get(start)
        if tok is None:
            continue
        after = tok.index + 1 + cue_reach(text, start, window)
        end = toks[after].start if after < len(toks) else len(text)
        for follower in toks[tok.index + 1 : after]:
            if follower.clause_end:
                end = follower.start
                break
        out.append((start, end, label))
    return out


@lru_cache(maxsize=256)
def _cue_scopes(
    text: str, window: int
) -> tuple[tuple[tuple[int, int, str], ...], tuple[tuple[int, int, str], ...]]:
    """The ranges the negation and modal cues of `text` govern, and the negations' edges
    (twice the window): read once per text, though a source is labelled twice (plainly and
    with its nested mentions, `concept_mismatch`). A Chinese word that opens with a negation
    character but is one adjective (不正当 "improper", 非法 "illegal") negates nothing: its
    English has no cue either."""
    negs = [
        (s, "neg")
        for s in negation_cues(text, bounds=False)
        if not _CN_NEGATIVE_ADJECTIVE.match(text, s)
    ]
    modal = [(s, m) for s, m in modality_cues(text)]
    toks = tokens(text)  # read once: each scope is measured in the same tokens
    scopes = _scopes(text, toks, negs, window) + _scopes(text, toks, modal, window)
    return tuple(scopes), tuple(_scopes(text, toks, negs, 2 * window))


def _labels(text: str, lang: str, window: int, *, nested: bool = False) -> dict[int, set[str]]:
    """For each concept of `text`: `neg`/`pos` for polarity, `must`/`may` when under a modal.

    As in the same-language rule (`assistant.evidence.scopes`), `pos` means clearly not
    negated: no cue within twice the window. A concept between the two edges ("may not provide
    the content of users' transmitted information to others") has no polarity label, since
    where a negation's scope ends depends on the words between. `nested` labels, besides,
    each mention of a concept inside a longer one, when the text names that concept on its
    own elsewhere: a source's 应当承担侵权责任 states 承担 ("bear") unnegated, though the
    longest match reads it as one concept ("held liable"), and its 可以不承担 negated; a
    concept named only inside longer ones (主管部门 in 商务主管部门) is not thereby stated."""
    scopes, edges = _cue_scopes(text, window)
    out: dict[int, set[str]] = {}
    mentions = concept_mentions(text, lang)
    if nested:
        named = {concept for concept, _, _ in mentions}
        mentions = tuple(m for m in _all_mentions(text, lang) if m[0] in named)
    for concept, start, _ in mentions:
        labels = {label for a, b, label in scopes if a < start < b}
        if "neg" not in labels and not any(a < start < b for a, b, _ in edges):
            labels.add("pos")
        out.setdefault(concept, set()).update(labels)
    return out


def concept_mismatch(
    claim: str, claim_lang: str, source: str, source_lang: str, window: int = 8
) -> tuple[float, int, str]:
    """(share of the claim's concepts the source names, their count, a conflict or "").

    A conflict is a shared concept negated on one side only, or under "must" on one side and
    only under "may" on the other, e.g. "operators may keep logs" against 运营者应当留存日志.
    A concept counts as named when the source names it or a synonym (`_synonyms`); a conflict
    must hold both for the concept's own mentions and for all its mentions, synonyms and
    mentions inside longer terms included: the wider reading may clear a conflict (the
    source's 应当承担侵权责任 beside its 可以不承担), never make one.
    """
    said = _labels(claim, claim_lang, window)
    if not said:
        return 0.0, 0, ""
    stated = _labels(source, source_lang, window)
    wider = _labels(source, source_lang, window, nested=True)
    # A concept the source writes in the claim's own language counts too (codes, names).
    for concept, _, _ in concept_mentions(source, claim_lang):
        stated.setdefault(concept, {"pos"})
        wider.setdefault(concept, {"pos"})
    synonyms = _synonyms()
    shared = [c for c in said if any(s in stated for s in synonyms.get(c, {c}))]
    for c in shared:
        if c not in stated:
            continue
        labels = set().union(*(wider[s] for s in synonyms.get(c, {c}) if s in wider))
        conflict = _conflict(said[c], stated[c])
        if conflict and _conflict(said[c], labels):
            name = _concepts()[c].en[0]
            return len(shared) / len(said), len(said), f"'{name}' ({conflict})"
    return len(shared) / len(said), len(said), ""


def _conflict(said: set[str], stated: set[str]) -> str:
    """"neg/pos" or "must/may" when one side has only one label of the pair and the other
    only the other, else ""."""
    for one, other in (("neg", "pos"), ("must", "may")):
        if (one in said and other not in said and other in stated and one not in stated) or (
            other in said and one not in said and one in stated and other not in stated
        ):
            return f"{one}/{other}"
    return ""
