"""Figures in a sentence as typed keys, so that different spellings of one value meet.

The verifier rejects a sentence whose figure its source does not state (a wrong fine, date or
article), so numbers, amounts, percentages, dates, and article and section numbers are read
here into keys two texts can be compared by: `27,996` and `27996` are `num:27996`;
`$10 million` and `$10,000,000` are `num:10000000`; `2024-04-04`, `April 4, 2024` and
`2024年4月4日` are `date:2024-04-04`; `第二十一条` and `Article 21` are `ref:21` (through
`ingest.legal_refs`, which the splitter uses too). English number words and Chinese numerals
count as well. This is the part of reading a sentence's facts that knows how values are
written in two languages, and it needs nothing from the rest (names and words,
`assistant.evidence.facts`). All functions are pure.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation

from ingest.legal_refs import chinese_numeral_to_int, find_article_refs

__all__ = [
    "MONTHS",
    "evidence_figures",
    "figure_spans",
    "figures",
    "implied_figures",
    "read_figures",
]

#: Month names and abbreviations (lower case) to month numbers; capitalized, none is a name.
MONTHS = {
    name: i
    for i, names in enumerate(
        [("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
         ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
         ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"),
         ("december", "dec")],
        start=1,
    )
    for name in names
}  # fmt: skip
# Capitalized only, so the verb "may" and the word "march" are not months.
_MONTH = r"(?P<month>" + "|".join(sorted((m.capitalize() for m in MONTHS), key=len)[::-1]) + r")\.?"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>\d{4})"
_DATE_PATTERNS = [
    re.compile(rf"(?<![\d.]){_YEAR}[-/.](?P<m>\d{{1,2}})[-/.](?P<d>\d{{1,2}})(?![\d.]\d)"),
    re.compile(rf"{_YEAR}\s*年\s*(?P<m>\d{{1,2}})\s*月(?:\s*(?P<d>\d{{1,2}})\s*日)?"),
    re.compile(r"(?<!\d)(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日"),
    re.compile(rf"\b{_MONTH}\s+{_DAY},?\s+{_YEAR}\b"),
    re.compile(rf"\b{_DAY}\s+{_MONTH},?\s+{_YEAR}\b"),
    re.compile(rf"\b{_MONTH},?\s+{_YEAR}\b"),
    re.compile(rf"\b{_MONTH}\s+{_DAY}\b"),
]
_NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
# Digits may follow a Chinese character directly ("营业额5%", "用户5000万"): only ASCII
# letters and digits before a number make it part of a code.
_PERCENT = re.compile(
    rf"(?<![A-Za-z0-9.])({_NUMBER})\s*(?:%|％|percent\b|per\s+cent\b)", re.IGNORECASE
)
_CN_PERCENT = re.compile(r"百分之([零〇一二三四五六七八九十百千两点]+|\d+(?:\.\d+)?)")
_SCALES = {"thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12,
           "k": 10**3, "m": 10**6, "mn": 10**6, "bn": 10**9, "b": 10**9,
           "千": 10**3, "万": 10**4, "亿": 10**8}  # fmt: skip
_SCALED = re.compile(
    rf"(?<![A-Za-z0-9.])({_NUMBER})\s*(thousand|million|billion|trillion|千|万|亿)(?![a-z])"
    rf"|(?<=\$)\s?({_NUMBER})\s?(k|m|mn|bn|b)\b",
    re.IGNORECASE,
)
# Digits glued to ASCII letters ("A100", "3A090") are codes, found by `entities` instead.
_PLAIN = re.compile(rf"(?<![A-Za-z0-9.,])({_NUMBER})(?![A-Za-z0-9]|[.,]\d)")
_EN_UNITS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
             "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
             "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19}  # fmt: skip
_EN_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
            "eighty": 80, "ninety": 90}  # fmt: skip
_EN_ONES = "one|two|three|four|five|six|seven|eight|nine"
# "one" is a pronoun as often as a number, and "one hour" is "an hour" or "per hour" in a
# source: it counts only as "one hundred/thousand/million".
_NUMBER_WORDS = re.compile(
    rf"\b(?:(?P<tens>{'|'.join(_EN_TENS)})(?:[- ](?P<ones>{_EN_ONES}))?"
    rf"|(?P<unit>{'|'.join(_EN_UNITS)})|(?P<one>one|a)(?=\s+(?:hundred|thousand|million|billion)\b))"
    r"(?:\s+(?P<scale>hundred|thousand|million|billion))?\b",
    re.IGNORECASE,
)
_CN_NUMERAL = re.compile(r"[零〇一二三四五六七八九十百千万亿两]+")
# A single Chinese numeral counts only next to a unit ("三年", "第一"): "一" alone is a word.
_CN_UNITS = set("年月日天元条款项章节个次倍人名家种类级层位周")


def figures(text: str) -> set[str]:
    """Typed keys of every figure in `text`, each read once (dates before plain numbers)."""
    return read_figures(text)[0]


def read_figures(text: str) -> tuple[set[str], str]:
    """The figures in `text`, and `text` with each figure blanked out."""
    spans, masked = _scan(text)
    return {key for key, _, _ in spans}, masked


def figure_spans(text: str) -> list[tuple[str, int, int]]:
    """Each figure of `text` as (key, start, end), read once (dates before plain numbers), in
    the order the kinds are read: callers that ask what stands next to a figure need where."""
    return _scan(text)[0]


def _scan(text: str) -> tuple[list[tuple[str, int, int]], str]:
    """The figures of `text` with where each stands, and `text` with every figure blanked."""
    found: list[tuple[str, int, int]] = []
    mask = list(text)

    def take(key: str, start: int, end: int) -> None:
        found.append((key, start, end))
        mask[start:end] = " " * (end - start)

    for ref in find_article_refs(text):
        take(("chapter:" if ref.kind == "chapter" else "ref:") + ref.number, ref.start, ref.end)
    for key, start, end in _dates("".join(mask)):
        take(key, start, end)
    masked = "".join(mask)
    for m in _PERCENT.finditer(masked):
        take("pct:" + _canonical(m.group(1)), m.start(), m.end())
    for m in _CN_PERCENT.finditer(masked):
        value = _cn_value(m.group(1))
        if value is not None:
            take("pct:" + value, m.start(), m.end())
    masked = "".join(mask)
    for m in _SCALED.finditer(masked):
        number, scale = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
        amount = _decimal(number)
        if amount is not None:
            take("num:" + _fmt(amount * _SCALES[scale.lower()]), m.start(), m.end())
    masked = "".join(mask)
    for m in _PLAIN.finditer(masked):
        take("num:" + _canonical(m.group(1)), m.start(), m.end())
    masked = "".join(mask)
    for m in _NUMBER_WORDS.finditer(masked):
        take("num:" + str(_number_word_value(m)), m.start(), m.end())
    masked = "".join(mask)
    for m in _CN_NUMERAL.finditer(masked):
        run = m.group()
        before = masked[m.start() - 1] if m.start() else ""
        after = masked[m.end()] if m.end() < len(masked) else ""
        if len(run) == 1 and before != "第" and after not in _CN_UNITS:
            continue
        value = _cn_value(run)
        if value is not None:
            take("num:" + value, m.start(), m.end())
    return found, "".join(mask)


def _number_word_value(m: re.Match[str]) -> int:
    """`twenty-four` = 24, `five hundred` = 500, `one hour` = 1 (a matched number phrase)."""
    g = {k: (v or "").lower() for k, v in m.groupdict().items()}
    if g["tens"]:
        value = _EN_TENS[g["tens"]] + (_EN_ONES.split("|").index(g["ones"]) + 1 if g["ones"] else 0)
    elif g["unit"]:
        value = _EN_UNITS[g["unit"]]
    else:
        value = 1
    if g["scale"]:
        value *= {"hundred": 100, "thousand": 10**3, "million": 10**6, "billion": 10**9}[g["scale"]]
    return value


def evidence_figures(text: str) -> set[str]:
    """`figures` plus what a source implies: a full date also states its year and month."""
    return implied_figures(figures(text))


def implied_figures(found: set[str]) -> set[str]:
    """`found` plus what it implies: a date states its year and month, an article its number."""
    found = set(found)
    for key in list(found):
        kind, _, value = key.partition(":")
        if kind == "date":
            parts = value.split("-")
            if parts[0] != "*":
                found.add("num:" + str(int(parts[0])))
                if len(parts) == 3:
                    found.add(f"date:{parts[0]}-{parts[1]}")
            if len(parts) == 3:
                found.add(f"date:*-{parts[1]}-{parts[2]}")
        elif kind in ("ref", "chapter"):
            found.add("num:" + value)
    return found


def _dates(text: str) -> Iterator[tuple[str, int, int]]:
    taken: list[tuple[int, int]] = []
    for pattern in _DATE_PATTERNS:
        for m in pattern.finditer(text):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            groups = m.groupdict()
            month = groups.get("m") or str(MONTHS.get((groups.get("month") or "").lower(), 0))
            day = groups.get("d") or groups.get("day")
            year = groups.get("year")
            if not 1 <= int(month) <= 12 or (day and not 1 <= int(day) <= 31):
                continue
            key = f"{year or '*'}-{int(month):02d}" + (f"-{int(day):02d}" if day else "")
            taken.append((m.start(), m.end()))
            yield "date:" + key, m.start(), m.end()


def _decimal(number: str) -> Decimal | None:
    try:
        return Decimal(number.replace(",", ""))
    except InvalidOperation:
        return None


def _fmt(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _canonical(number: str) -> str:
    value = _decimal(number)
    return _fmt(value) if value is not None else number


def _cn_value(run: str) -> str | None:
    """A Chinese numeral (`一百万`, `二十五`, `三点五`) as a canonical decimal string."""
    if "点" in run:
        whole, _, frac = run.partition("点")
        head = _cn_int(whole) if whole else 0
        digits = [_cn_int(ch) for ch in frac]
        if head is None or not digits or any(d is None or d > 9 for d in digits):
            return None
        return _canonical(f"{head}." + "".join(str(d) for d in digits))
    if run.isascii():
        return _canonical(run)
    value = _cn_int(run)
    return None if value is None else str(value)


def _cn_int(run: str) -> int | None:
    if "亿" in run:
        high, _, low = run.partition("亿")
        high_value = _cn_int(high) if high else 1
        low_value = _cn_int(low) if low else 0
        if high_value is None or low_value is None:
            return None
        return high_value * 10**8 + low_value
    if run.endswith("万") and len(run) > 1:
        # chinese_numeral_to_int reads "一百万" as 100 + 10000; a trailing 万 scales it all.
        value = chinese_numeral_to_int(run[:-1])
        return None if value is None else value * 10**4
    return chinese_numeral_to_int(run)
