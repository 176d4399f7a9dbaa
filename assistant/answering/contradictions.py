"""Where the passages an answer cites disagree: on a figure, on whether something is required,
or on whether it is allowed.

An answer that quotes both "a permit is needed" and a planted "no licence is required" must
not read as if the sources agreed; the reader is told which markers disagree and on what.
The rule is pure and deliberately conservative: two quotes are compared only when they are
about the same thing (they share content terms), and only on explicit cues.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import cache
from itertools import combinations
from typing import Literal

from assistant.evidence.figures import figures
from assistant.models import Citation, Conflict
from ingest.tokenize import content_terms

__all__ = ["conflict_note", "find_conflicts", "polarity", "quantities"]

#: Shared content terms (besides the cue words themselves) that make two quotes comparable:
#: at least this many, and this share of the shorter quote's terms.
MIN_SHARED_TERMS = 2
MIN_SHARED_SHARE = 0.3

# Negative cues are read first and blanked, so "not required" never also counts as "required".
_REQUIRED_NOT = re.compile(
    r"\b(?:need not|needn[’']t|(?:is|are|be) not (?:required|necessary|needed|mandatory)|"
    r"(?:does|do|did) not (?:need|require)|don[’']t (?:need|require)|"
    r"doesn[’']t (?:need|require)|no (?:[\w-]+ ){0,3}(?:is|are) (?:required|needed|necessary)|"
    r"not required|not needed|needs? no|requires? no|exempt(?:ed)? from|without (?:a|any) "
    r"(?:[\w-]+ ){0,2}(?:permit|licen[cs]e|approval))\b"
    r"|不需要|无需|无须|不必|不须|不用|免于|免除",
    re.IGNORECASE,
)
_REQUIRED = re.compile(
    r"\b(?:must|shall|required|requires?|need|needs|needed|mandatory|obliged|obligated|"
    r"has to|have to)\b|应当|应该|必须|需要|需取得|需经",
    re.IGNORECASE,
)
_PERMITTED_NOT = re.compile(
    r"\b(?:prohibited|forbidden|banned|illegal|unlawful|not (?:permitted|allowed|legal|"
    r"lawful)|may not|must not|shall not|cannot|can[’']t)\b|禁止|严禁|不得|不允许|不准",
    re.IGNORECASE,
)
_PERMITTED = re.compile(
    r"\b(?:permitted|allowed|legal|lawful)\b|允许|准许|合法",
    re.IGNORECASE,
)
#: (kind, negative cues, positive cues) of each yes/no a quote can state.
_AXES: tuple[tuple[Literal["requirement", "permission"], re.Pattern[str], re.Pattern[str]], ...] = (
    ("requirement", _REQUIRED_NOT, _REQUIRED),
    ("permission", _PERMITTED_NOT, _PERMITTED),
)
_CUE_WORDS = (
    "must shall required require need needs mandatory obliged prohibited forbidden "
    "permitted allowed legal lawful illegal unlawful may not no exempt 应当 必须 需要 "
    "不需要 无需 禁止 不得 允许 可以 合法 违法 非法 不"
)


@cache
def _cue_terms() -> frozenset[str]:
    """The cue words as terms. Computed on first use, not at import: tokenizing the Chinese
    cues loads jieba's dictionary (~1 s), which an English-only ask never needs."""
    return frozenset(content_terms(_CUE_WORDS))


# A figure followed by its unit; the unit names the kind of quantity, `figures` reads the value.
_NUM = r"(?:[\d][\d,.]*|[零〇一二三四五六七八九十百千万两]+|[a-z]+(?:-[a-z]+)?)"
_UNIT_PATTERNS = (
    (re.compile(rf"{_NUM}\s*(?:calendar |working |business )?(days?)\b", re.I), "days"),
    (re.compile(rf"{_NUM}\s*(?:calendar )?(months?)\b", re.I), "months"),
    (re.compile(rf"{_NUM}\s*(years?)\b", re.I), "years"),
    (re.compile(rf"{_NUM}\s*(hours?)\b", re.I), "hours"),
    (
        re.compile(
            # Not a calendar day: "2022年3月1日" is a date, not a period of one day.
            r"(?<![月\d零〇一二三四五六七八九十百千两])"
            r"[\d零〇一二三四五六七八九十百千两]+\s*(?:个)?(?:工作日|日|天)(?![内前后]?[起])"
        ),
        "days",
    ),
    (re.compile(r"[\d零〇一二三四五六七八九十百千两]+\s*个月"), "months"),
    (
        re.compile(r"[\d零〇一二三四五六七八九十百千两]+\s*年(?![\d〇零一二三四五六七八九十]+月)"),
        "years",
    ),
    (re.compile(r"[\d零〇一二三四五六七八九十百千两]+\s*(?:个)?小时"), "hours"),
    (re.compile(r"(?:US\$|\$|USD\s?)[\d,.]+(?:\s*(?:thousand|million|billion))?", re.I), "USD"),
    (re.compile(r"[\d,.零〇一二三四五六七八九十百千两]+\s*(?:万|亿)?元"), "CNY"),
    (re.compile(r"(?:RMB|CNY)\s?[\d,.]+(?:\s*(?:thousand|million|billion))?", re.I), "CNY"),
)
_PERCENT_UNIT = "percent"


def polarity(text: str) -> dict[str, bool]:
    """Which yes/no statements `text` makes: kind → True (required / permitted) or False.

    A text that says both (a rule and its exception) states neither, so it cannot conflict.
    """
    found: dict[str, bool] = {}
    for kind, negative, positive in _AXES:
        no = bool(negative.search(text))
        yes = bool(positive.search(negative.sub(" ", text)))
        if no != yes:
            found[kind] = yes
    return found


def quantities(text: str) -> dict[str, frozenset[str]]:
    """The amounts `text` states, by kind of quantity (days, months, years, hours, USD, CNY,
    percent) → their values as `figures` reads them."""
    found: dict[str, set[str]] = {}
    for pattern, unit in _UNIT_PATTERNS:
        for m in pattern.finditer(text):
            values = {f for f in figures(m.group()) if f.startswith("num:")}
            found.setdefault(unit, set()).update(values)
    percents = {f for f in figures(text) if f.startswith("pct:")}
    if percents:
        found[_PERCENT_UNIT] = percents
    return {unit: frozenset(v) for unit, v in found.items() if v}


def find_conflicts(citations: Sequence[Citation]) -> list[Conflict]:
    """Pairs of cited quotes about the same thing that state different amounts of one kind,
    or opposite answers to "is it required?" / "is it allowed?".

    Only quotes of different documents: within one text, different figures are its tiers
    (a fine up to 1 million yuan, up to 50 million when serious) or a rule and its exception,
    not sources that disagree.
    """
    quotes = _by_marker(citations)
    doc_of = {c.marker: c.doc_id for c in citations}
    conflicts: list[Conflict] = []
    for (m1, q1), (m2, q2) in combinations(quotes, 2):
        if doc_of[m1] == doc_of[m2] or not _same_subject(q1, q2):
            continue
        p1, p2 = polarity(q1), polarity(q2)
        for kind in (k for k, _, _ in _AXES):
            if kind in p1 and kind in p2 and p1[kind] != p2[kind]:
                conflicts.append(Conflict(first=m1, second=m2, kind=kind))
        a1, a2 = quantities(q1), quantities(q2)
        for unit in sorted(a1.keys() & a2.keys()):
            if a1[unit].isdisjoint(a2[unit]):
                conflicts.append(Conflict(first=m1, second=m2, kind="amount", unit=unit))
    return conflicts


def conflict_note(conflicts: Iterable[Conflict]) -> str:
    """One line per disagreement, for the end of the answer text."""
    lines = []
    for c in conflicts:
        what = {
            "requirement": "whether it is required",
            "permission": "whether it is allowed",
        }.get(c.kind, f"the amount ({c.unit})")
        lines.append(
            f"Note: sources [{c.first}] and [{c.second}] disagree on {what}; "
            "check both before relying on either."
        )
    return "\n".join(lines)


def _by_marker(citations: Sequence[Citation]) -> list[tuple[int, str]]:
    """Each marker's quotes joined: one marker may cite several spans of one passage."""
    joined: dict[int, list[str]] = {}
    for c in citations:
        joined.setdefault(c.marker, []).append(c.quote)
    return sorted((m, " ".join(q)) for m, q in joined.items())


def _same_subject(a: str, b: str) -> bool:
    cues = _cue_terms()
    terms_a = {t for t in content_terms(a) - cues if not t.isdigit()}
    terms_b = {t for t in content_terms(b) - cues if not t.isdigit()}
    shared = len(terms_a & terms_b)
    return shared >= max(MIN_SHARED_TERMS, MIN_SHARED_SHARE * min(len(terms_a), len(terms_b)))
