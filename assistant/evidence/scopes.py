"""Scoped cues: whether a sentence and its source agree on negation and modality.

A negation ("not", 不得) or a modal ("must", 可以) governs the words after it up to clause
punctuation. Two rules compare a claim with its supporting quotes: term by term (a shared
term negated, or under "may", on one side only) and clause by clause (a claim clause and the
source clauses that say the same disagree on negation or modality). Used by
`assistant.evidence.verify.LexicalVerifier`; pure.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from functools import lru_cache
from typing import TypeVar

from assistant.evidence.cues import modality_cues
from assistant.evidence.facts import (
    Token,
    bound_ends,
    chinese_cue_length,
    extract_facts,
    negation_cues,
    tokens,
)

__all__ = [
    "answer_contradicts_its_rule",
    "clause_polarity_mismatch",
    "cue_reach",
    "modality_mismatch",
    "negation_mismatch",
    "sentence_modality_mismatch",
]


def modality_mismatch(
    claim: str, quotes: Sequence[str], shared: frozenset[str], window: int
) -> str:
    """A shared term under "may" on one side and only under "must" on the other ("" if none).

    Sentences without a modal are not compared: "operators keep logs" summarises "operators
    shall keep logs" well enough; "operators may keep logs" does not.
    """
    in_claim = _modal_scopes(claim, shared, window)
    in_quotes: dict[str, set[str]] = {}
    for quote in quotes:
        for term, modes in _modal_scopes(quote, shared, window).items():
            in_quotes.setdefault(term, set()).update(modes)
    for term in sorted(in_claim):
        said, source = in_claim[term] - {_FREE}, in_quotes.get(term, set())
        # The source must put the term under the other modality only: a term it also
        # states freely, or under the same modal, is not evidence of a change.
        if len(said) == 1 and len(source) == 1 and said != source and _FREE not in source:
            return f"'{next(iter(said))}' where the source says '{next(iter(source))}' ({term})"
    return _clause_modality_mismatch(claim, quotes)


def negation_mismatch(
    claim: str, quotes: Sequence[str], shared: frozenset[str], window: int
) -> str:
    """A shared term clearly negated on one side and clearly not on the other ("" if none).

    "Clearly negated": within `window` tokens of a cue and nowhere else. "Clearly not": no
    cue within twice that. Where a scope ends depends on the words between cue and term
    ("involves no direct export or transfer of the technology" and "does not involve the
    direct export or transfer of the technology"), so a term near the edge on one side is
    not evidence of a flip.
    """
    c_neg, c_pos = _polarity(claim, shared, window)
    e_neg: set[str] = set()
    e_pos: set[str] = set()
    for quote in quotes:
        neg, pos = _polarity(quote, shared, window, source=True)
        e_neg |= neg
        e_pos |= pos
    for term in sorted(shared):
        if (term in c_neg and term in e_pos) or (term in c_pos and term in e_neg):
            return term
    return ""


def _polarity(
    text: str, shared: frozenset[str], window: int, *, source: bool = False
) -> tuple[set[str], set[str]]:
    """The shared terms of `text` that stand only in a negated scope (`window` tokens after a
    cue), and those that stand only far from any cue (beyond twice `window`).

    In a `source`, a Chinese prohibition may govern past a comma (不得在个人明确表示不同意后，
    频繁征求同意): the rest of its sentence is neither clearly negated nor clearly not."""
    toks = tokens(text)
    cue_starts = set(negation_cues(text))
    bounds = bound_ends(text)
    distance: dict[int, int] = {}
    for tok in toks:
        if tok.start in cue_starts:
            reach = cue_reach(text, tok.start, window)
            for step, follower in enumerate(toks[tok.index + 1 : tok.index + 1 + 2 * reach]):
                if follower.clause_end or follower.start >= bounds.get(tok.start, len(text)):
                    if (
                        source
                        and text[follower.start] in _COMMAS
                        and _PROHIBITION.match(text, tok.start)
                    ):
                        _blur_sentence(text, toks, follower.index, window, distance)
                    break
                scaled = step * window // reach
                distance[follower.index] = min(distance.get(follower.index, scaled), scaled)
    # A word shortly before "not" in its own clause is not clearly un-negated: "access is
    # not banned" says what "do not ban access" says. (A negating verb, "ban access", is
    # read forward only.)
    before_cue: set[int] = set()
    for tok in toks:
        if tok.start in cue_starts and _AUXILIARY_NOT.match(text, tok.start):
            for back in reversed(toks[max(0, tok.index - window) : tok.index]):
                if back.clause_end:
                    break
                before_cue.add(back.index)
    near: dict[str, list[int | None]] = {}
    free: dict[str, bool] = {}
    for t in toks:
        if t.term and t.term in shared and not _part_of_cue(text, t.start, cue_starts):
            near.setdefault(t.term, []).append(distance.get(t.index))
            free[t.term] = free.get(t.term, True) and t.index not in before_cue
    neg = {term for term, ds in near.items() if all(d is not None and d < window for d in ds)}
    pos = {term for term, ds in near.items() if all(d is None for d in ds) and free[term]}
    return neg, pos


def _part_of_cue(text: str, start: int, cue_starts: set[int]) -> bool:
    """A Chinese bigram that holds part of a negation word (不足; 得不 in 所得不足; 有违 in
    没有违法): its polarity is the cue's own, which the clause rules compare, not a word's."""
    if not "\u3400" <= text[start] <= "\u9fff":
        return False
    if start in cue_starts or start + 1 in cue_starts:
        return True
    return start - 1 in cue_starts and chinese_cue_length(text, start - 1) > 1


_COMMAS = frozenset(",，")
_AUXILIARY_NOT = re.compile(r"(?:not|[a-z]+n['’]t)\b", re.IGNORECASE)
#: Chinese cues that forbid: 不得 X，Y forbids Y too, where 不是 X，Y does not negate Y.
_FORBIDDING = r"不得|禁止|严禁|不准|不能|不可|不应"
_FORBIDS = re.compile(_FORBIDDING)
#: ... and those that forbid or exempt: 不需要 (need not), like 不得, governs its whole clause
#: (不需要将其作为重要数据申报数据出境安全评估), but an exemption does not contradict a "yes".
_PROHIBITION = re.compile(_FORBIDDING + r"|不需|无需|无须|不必")


def _blur_sentence(
    text: str, toks: Sequence[Token], start: int, window: int, distance: dict[int, int]
) -> None:
    """Mark the tokens after `start` up to the sentence's end as near a cue, not in its scope."""
    for follower in toks[start + 1 :]:
        if follower.clause_end and text[follower.start] in _SENTENCE_ENDS:
            break
        distance.setdefault(follower.index, window)


_SENTENCE_ENDS = frozenset("。；;.!?！？")


#: How many times `window` a Chinese cue reaches: a Chinese token is one character, about
#: half an English word, and 应当 or 不得 governs its whole clause.
CJK_REACH = 2


def cue_reach(text: str, start: int, window: int) -> int:
    """How many tokens the cue at `start` governs (up to clause punctuation, which ends it
    sooner): `window` words in English, `CJK_REACH` times as many characters in Chinese;
    "insufficient", "lack (of)" and "without" negate only the noun phrase after them
    (`NOUN_REACH`), as 未经 negates only the approval it names."""
    if "\u3400" <= text[start] <= "\u9fff":
        unapproved = _WITHOUT_APPROVAL.match(text, start)
        if unapproved:
            # 未经主管机关批准向外国…提供数据 = "providing data to foreign … without
            # approval": 未经 negates the approval, not what is done without it.
            return unapproved.end() - start - 1
        if _PROHIBITION.match(text, start):
            # 不得擅自向他人提供电信用户使用电信网络所传输信息的内容: the prohibition governs
            # every word up to the clause's punctuation, however long the verb phrase is.
            return CLAUSE_REACH
        return window * CJK_REACH
    if _NOUN_NEGATOR.match(text, start):
        return NOUN_REACH
    return window


#: 未经 / 非经 and the approval it lacks (未经主管机关批准, 未经许可): the whole of its reach.
_WITHOUT_APPROVAL = re.compile(r"(?:未经|非经)[^，。；、,;]{0,12}?(?:批准|许可|同意|授权|审批|核准|认可)")

#: The reach of a Chinese prohibition, in tokens: all of its clause (clause punctuation ends it).
CLAUSE_REACH = 1_000

#: Words "insufficient computing power", "a lack of subjective fault", "without approval"
#: negate.
NOUN_REACH = 3
_NOUN_NEGATOR = re.compile(r"(?:insufficient|lack(?:s|ed|ing)?|without)\b", re.IGNORECASE)


T = TypeVar("T")
_CLAUSE = re.compile(r"[^,;:.!?，；：。！？]+")
_SENTENCE = re.compile(r"[^.!?。！？]+[.!?。！？]*")
#: Share of a claim clause's terms a source clause must hold to be "the same clause".
SAME_CLAUSE = 0.7
#: For the modality rule, a source clause that holds this share of a claim clause's terms
#: says the same however long it is: 应当 governs 进行安全评估 across 22 characters.
CONTAINED = 0.85


# Characters that carry polarity, modality or no meaning: left out when matching clauses, so
# "不得少于两人" and "得以少于2人" are recognisably the same clause.
_CLAUSE_NOISE = frozenset("不未无非没否勿禁止严得以可应当须需的了着是在和与及或之其")
_CN_NUMERALS = frozenset("零〇一二三四五六七八九十百千万亿两")


def _clause_terms(text: str) -> frozenset[str]:
    """English stems and single Chinese characters of a clause, for matching clauses."""
    english = {t for t in extract_facts(text).terms if t.isascii()}
    chinese = {
        ch
        for ch in text
        if "\u3400" <= ch <= "\u9fff" and ch not in _CLAUSE_NOISE and ch not in _CN_NUMERALS
    }
    return frozenset(english | chinese)


def _same_clauses(
    claim: str,
    quotes: Sequence[str],
    label: Callable[[str, str], T],
    contained: float | None = None,
    whole_sentences: bool = False,
) -> Iterator[tuple[str, T, list[T]]]:
    """Each claim clause (3+ terms) with its label and the labels of the source clauses that
    say the same: most of each side's terms are in the other (a long source clause may
    hold a negation or a modal about something else), or, given `contained`, that share
    of the claim clause's terms (a modal far from its verb in a long source clause).
    `label(clause, sentence)` sees the sentence the clause stands in too. With
    `whole_sentences`, a source sentence counts as one clause as well: a claim clause that
    sums up a list (…制定…、采取…、留存…) says what the list's sentence says, item by item."""
    evidence = [
        (_clause_terms(c), label(c, sentence))
        for quote in quotes
        for sentence in _SENTENCE.findall(quote)
        for c in _CLAUSE.findall(sentence) + ([sentence] if whole_sentences else [])
    ]
    for part in _CLAUSE.findall(claim):
        terms = _clause_terms(part)
        if len(terms) < 3:
            continue
        same = [
            lab
            for t, lab in evidence
            if len(terms & t) >= SAME_CLAUSE * len(terms)
            and (
                len(terms & t) >= len(t) / 2
                or (contained is not None and len(terms & t) >= contained * len(terms))
            )
        ]
        yield part.strip(), label(part, claim), same


def _negated(clause: str, sentence: str) -> bool:
    """Whether a cue of `sentence` stands in `clause` (read in its sentence: the two halves
    of 非经批准，不得提供 cancel out, and neither clause alone shows that)."""
    start = sentence.find(clause)
    if start < 0:
        return bool(negation_cues(clause))
    return any(start <= cue < start + len(clause) for cue in _sentence_cues(sentence))


@lru_cache(maxsize=256)
def _sentence_cues(sentence: str) -> tuple[int, ...]:
    # Every clause of a sentence asks for the same cues: read them once.
    return tuple(negation_cues(sentence))


def clause_polarity_mismatch(claim: str, quotes: Sequence[str]) -> str:
    """A claim clause negated where every source clause that says the same is not (or the
    reverse); "" when polarity agrees.

    The term-level rule cannot see a negation added to a clause whose words also stand,
    un-negated, elsewhere in the claim ("处…罚款，对主管人员不处…罚款"); whole clauses can.
    """
    for part, negated, same in _same_clauses(claim, quotes, _negated):
        if same and all(neg != negated for neg in same):
            return part
    # A Chinese prohibition governs its whole clause however long it is, so a claim clause
    # it contains says the same ("执法人员得以少于2人" in "进行监督检查、案件调查的执法人员不得
    # 少于2人"); an English clause may hold a "not" about something else.
    for clause, (lifted, _), held in _same_clauses(claim, quotes, _forbidden, CONTAINED):
        if not lifted and held and all(neg and forbids for neg, forbids in held):
            return clause
    return ""


def _forbidden(clause: str, sentence: str) -> tuple[bool, bool]:
    """Whether `clause` is negated (read in `sentence`: 非经批准，不得 is a condition) and
    whether it holds a Chinese prohibition."""
    return _negated(clause, sentence), bool(_FORBIDS.search(clause))


_FREE = "-"  # a term outside every modal scope


def _modal_scopes(text: str, shared: frozenset[str], window: int) -> dict[str, set[str]]:
    """For each shared term of `text`: the modalities whose scope it stands in, `_FREE` for
    an occurrence outside every modal scope."""
    toks = tokens(text)
    cues = dict(modality_cues(text))
    scoped: dict[int, set[str]] = {}
    for tok in toks:
        mode = cues.get(tok.start)
        if mode is None:
            continue
        for follower in toks[tok.index + 1 : tok.index + 1 + cue_reach(text, tok.start, window)]:
            if follower.clause_end:
                break
            scoped.setdefault(follower.index, set()).add(mode)
    out: dict[str, set[str]] = {}
    for tok in toks:
        if tok.term and tok.term in shared:
            out.setdefault(tok.term, set()).update(scoped.get(tok.index, {_FREE}))
    return out


def _clause_modality_mismatch(claim: str, quotes: Sequence[str]) -> str:
    """A claim clause under "may" where every source clause that says the same is under
    "must" only (or the reverse); "" when they agree or cannot be matched.

    A clause without a modal takes its sentence's: in "运营者应当履行下列义务：…；留存日志…。"
    应当 governs every item of the list."""
    clauses = _same_clauses(
        claim, quotes, lambda c, s: _modes(c) or _modes(s), CONTAINED, whole_sentences=True
    )
    for part, mode, same in clauses:
        if len(mode) == 1 and same and all(len(m) == 1 and m != mode for m in same):
            return f"'{next(iter(mode))}' where the source says '{next(iter(same[0]))}' ({part})"
    return ""


def sentence_modality_mismatch(claim: str, quotes: Sequence[str]) -> str:
    """The claim states one modality only and its quotes only the other ("must" in a claim
    whose quotes say only 可以): for translations, whose words the scopes cannot line up."""
    said = _modes(claim)
    stated = frozenset().union(*(_modes(q) for q in quotes)) if quotes else frozenset()
    if len(said) == 1 and len(stated) == 1 and said != stated:
        return f"'{next(iter(said))}' where the source says only '{next(iter(stated))}'"
    return ""


def _modes(text: str) -> frozenset[str]:
    return frozenset(m for _, m in modality_cues(text))


def answer_contradicts_its_rule(claim: str) -> bool:
    """A Chinese answer that opens "yes, it may" (能，/ 可以，/ 能实施X：) and then states a rule
    forbidding what it allowed: "能，条例禁止在个人明确表示不同意后频繁征求同意。" The opening
    echoes the question's verb, so the rule that follows decides it; no source can support
    both halves. A "but" or "unless" (可以，但不得超出…) makes the prohibition a condition."""
    m = _PERMITTING_ANSWER.match(claim)
    if not m or _CONDITION.search(claim):
        return False
    body = claim[m.end() :]
    forbids = [p.end() for p in _FORBIDS.finditer(body)]
    if not forbids:
        return False
    allowed = m.group(1)
    if not allowed.strip():
        return True  # a bare particle: whatever was asked, the rule forbids it
    forbidden = body[forbids[0] :]
    return any(allowed[i : i + 2] in forbidden for i in range(len(allowed) - 1))


# An opening that grants: 能 / 可以 / 允许, bare or with what it allows, before a comma or colon.
_PERMITTING_ANSWER = re.compile(
    r"\s*(?:能|可以|可|允许|准许)(?![否不])([^，,：:。；;]{0,30})[，,：:]"
)
_CONDITION = re.compile(r"但|除非|除外|不过|只要|只有|前提是")
