"""Words a one-word edit turns into their opposite: approval and denial, maximum and minimum,
export and import, 境内 and 境外.

"Applications are reviewed with a presumption of approval" cited to "… a presumption of
denial" holds every other word of its quote and no negation: only the pair says it is false.
A claim that names one side of a pair, and not the other, is contradicted by a supporting
quote that names the other side and not the claim's. Each side is spelled in both languages,
so an English claim is read against a Chinese quote too. Pure.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Side:
    name: str
    en: re.Pattern[str]
    zh: re.Pattern[str]

    def said(self, text: str) -> bool:
        return bool(self.en.search(text) or self.zh.search(text))


def _side(name: str, en: str, zh: str) -> Side:
    return Side(name, re.compile(rf"\b(?:{en})\b", re.IGNORECASE), re.compile(zh))


PAIRS: tuple[tuple[Side, Side], ...] = (
    (
        _side("approval", r"approv(?:al|als|e|es|ed|ing)", r"批准"),
        _side("denial", r"den(?:ial|ials|y|ies|ied|ying)", r"推定拒绝|拒绝批准|不予批准"),
    ),
    (
        _side("maximum", r"maximum|highest|upper limit|at most", r"最高|上限"),
        _side("minimum", r"minimum|lowest|lower limit|at least", r"最低|下限"),
    ),
    (
        _side("export", r"export(?:s|ed|ing|er|ers)?", r"出口"),
        _side("import", r"import(?:s|ed|ing|er|ers)?", r"进口"),
    ),
    (
        _side("within China", r"within China|inside China|domestic(?:ally)?", r"境内"),
        _side("abroad", r"abroad|overseas|outside China|offshore", r"境外"),
    ),
)


def opposite_named(claim: str, quotes: Sequence[str]) -> str:
    """"approval/denial" when `claim` names one side of a pair and not the other while no
    quote names the claim's side and some quote names the other; "" if none."""
    if not quotes:
        return ""
    for first, second in PAIRS:
        for mine, theirs in ((first, second), (second, first)):
            if not mine.said(claim) or theirs.said(claim):
                continue
            if any(mine.said(q) for q in quotes):
                continue
            if any(theirs.said(q) for q in quotes):
                return f"{mine.name}/{theirs.name}"
    return ""
