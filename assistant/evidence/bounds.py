"""Which side of a figure a sentence puts a value on: "at least six months" or "less than".

不少于六个月 and 少于六个月 hold the same figure, so the figure check passes both, and the
term-by-term negation rule (`assistant.evidence.scopes`) sees the bound words only as
neighbours. A bound read here is a direction: a floor ("at least", "more than", 不少于, 超过,
五十万元以上) or a ceiling ("up to", "less than", "within", 不超过, 少于, 以下, 三十日内).
"At least" and "more than" differ by one unit and paraphrase each other in answers, so both
are floors; what a careful writer never does is turn a floor into a ceiling. The verifier
(`assistant.evidence.verify`) removes a sentence that bounds a figure on one side where its
source bounds it only on the other. Pure.
"""

from __future__ import annotations

import re
from functools import lru_cache

from assistant.evidence.figures import figure_spans

__all__ = ["FLOOR", "CEILING", "bound_mismatch", "figure_bounds"]

FLOOR = "floor"
CEILING = "ceiling"
_OPPOSITE = {FLOOR: CEILING, CEILING: FLOOR}

# Longest first: "not less than" is a floor, "less than" a ceiling.
_EN_BEFORE = {
    FLOOR: ["not less than", "no less than", "not fewer than", "no fewer than", "at least",
            "a minimum of", "minimum of", "more than", "greater than", "exceeding", "exceeds",
            "in excess of", "over", "above"],
    CEILING: ["not more than", "no more than", "not exceeding", "not to exceed", "at most",
              "a maximum of", "maximum of", "up to", "less than", "fewer than", "under",
              "below", "within", "no later than", "not later than"],
}  # fmt: skip
_ZH_BEFORE = {
    FLOOR: ["不少于", "不低于", "不得少于", "不得低于", "不应少于", "至少", "超过", "多于",
            "高于", "大于", "逾"],
    CEILING: ["不超过", "不多于", "不高于", "不得超过", "不应超过", "不大于", "最长", "最多",
              "少于", "低于", "小于", "不足", "未满", "不满", "未达到"],
}  # fmt: skip
_ZH_AFTER = {FLOOR: ["及以上", "以上"], CEILING: ["以下", "以内", "之内", "内"]}
_EN_AFTER = {
    FLOOR: ["or more", "or above", "or greater"],
    CEILING: ["or less", "or fewer", "or below"],
}


def _alternation(words: dict[str, list[str]], tag: str) -> str:
    """One named group a cue, named after its side (`floor_en3`), longest cue first."""
    pairs = sorted(((w, side) for side, ws in words.items() for w in ws), key=lambda p: -len(p[0]))
    return "|".join(f"(?P<{side}_{tag}{i}>{re.escape(w)})" for i, (w, side) in enumerate(pairs))


# A cue ends right before the figure, or before a currency word that opens it.
_BEFORE = re.compile(
    rf"(?:\b(?:{_alternation(_EN_BEFORE, 'en')})\s+(?:(?:RMB|CNY|USD|US\$|EUR|the|a|an)\s*)?\$?"
    rf"|(?:{_alternation(_ZH_BEFORE, 'zh')})\s*(?:人民币|美元)?)$",
    re.IGNORECASE,
)
# A cue follows the figure's unit: 五十万元以上, 三个工作日内, "50 employees or more".
_AFTER = re.compile(
    rf"^(?:\s*[个工作日小时年月天周次人名家项元万亿倍分钟秒件台套份]{{0,4}}(?:{_alternation(_ZH_AFTER, 'zh')})"
    rf"|\s+(?:[a-z]+\s+)?(?:{_alternation(_EN_AFTER, 'en')})\b)",
    re.IGNORECASE,
)
_REACH = 24  # characters looked at on each side of a figure


def _side(m: re.Match[str] | None) -> str | None:
    if m is None:
        return None
    name = next(k for k, v in m.groupdict().items() if v is not None)
    return FLOOR if name.startswith(FLOOR) else CEILING


def figure_bounds(text: str) -> dict[str, set[str | None]]:
    """Each amount, count or percentage of `text` with the directions it is bounded in
    (`FLOOR`, `CEILING`, or None where one occurrence stands unbounded). Dates and article
    numbers are left out: "before 2025" is a time, not an amount."""
    out: dict[str, set[str | None]] = {}
    for key, start, end in figure_spans(text):
        if not key.startswith(("num:", "pct:")):
            continue
        before = _side(_BEFORE.search(text[max(0, start - _REACH) : start]))
        after = _side(_AFTER.match(text[end : end + _REACH]))
        out.setdefault(key, set()).add(before or after)
    return out


@lru_cache(maxsize=1024)
def _stated_bounds(source: str) -> dict[str, frozenset[str | None]]:
    """`figure_bounds` of a source, read once: every sentence citing a passage asks again."""
    return {key: frozenset(sides) for key, sides in figure_bounds(source).items()}


def bound_mismatch(claim: str, source: str) -> str:
    """A figure the claim bounds on one side where the source bounds it only on the other
    ("" if none): 少于六个月 against 不少于六个月. A source that also states the figure
    unbounded, or on both sides, is not evidence of a flip."""
    said = figure_bounds(claim)
    stated = _stated_bounds(source)
    for key in sorted(said):
        sides = stated.get(key)
        if not sides:
            continue
        for side in said[key]:
            if side is not None and sides == {_OPPOSITE[side]}:
                return key.partition(":")[2]
    return ""
