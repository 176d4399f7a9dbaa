"""Find article and section references in legal text and reduce them to one comparable form.

"第二十一条", "第21条", "Article 21" and "Art. 21" all mean article "21"; "§ 744.23(a)(1)" and
"Section 744.23" both mean section "744.23". The splitter stamps chunks with these numbers and
answer verification compares a cited number with the one stored on the chunk, so both sides
must normalize the same way: through this module.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "ArticleRef",
    "CN_NUMERAL_CHARS",
    "article_aliases",
    "chinese_numeral_to_int",
    "find_article_refs",
    "int_to_chinese_numeral",
]

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
           "七": 7, "八": 8, "九": 9}  # fmt: skip
_UNITS = {"十": 10, "百": 100, "千": 1000}
CN_NUMERAL_CHARS = "零〇一二三四五六七八九十百千万两"


def chinese_numeral_to_int(s: str) -> int | None:
    """Value of a Chinese numeral as used in article numbers (二十一 → 21, 一百零五 → 105).

    Arabic digits are accepted too ("21" → 21), since laws mix both styles. Returns None for
    anything that is not a well-formed numeral, so callers can skip non-matches cheaply.
    """
    s = s.strip()
    if not s:
        return None
    if s.isascii() and s.isdigit():
        return int(s)
    total = section = 0
    digit: int | None = None
    for ch in s:
        if ch in _DIGITS:
            digit = _DIGITS[ch]
        elif ch in _UNITS:
            # A bare unit at the start means one of it: 十一 = 11.
            section += (1 if digit is None else digit) * _UNITS[ch]
            digit = None
        elif ch == "万":
            total += (section + (digit or 0)) * 10000
            section, digit = 0, None
        else:
            return None
    return total + section + (digit or 0)


Kind = Literal["article", "section", "chapter"]


@dataclass(frozen=True)
class ArticleRef:
    """One reference found in a text: the normalized number and where it sits."""

    number: str  # "21" or "744.23"
    start: int
    end: int
    kind: Kind
    paragraph: str | None = None  # "(a)(1)" for "§ 744.23(a)(1)"


_CN_NUM = f"[{CN_NUMERAL_CHARS}]+|[0-9]+"
# An article number as Chinese statutes write it (第二十一条, 第十二条之一); also read by
# `assistant.answering.extractive` for the label that opens an article.
CN_ARTICLE = re.compile(rf"第\s*({_CN_NUM})\s*条(?:之([{CN_NUMERAL_CHARS}]+|[0-9]+))?")
_CN_CHAPTER = re.compile(rf"第\s*({_CN_NUM})\s*章")
_EN_ARTICLE = re.compile(r"\b(?:article|art\.)\s*([0-9]+[a-z]?)\b", re.IGNORECASE)
# Paragraph designators like (a)(1)(i)(B); eCFR markdown sometimes italicizes them: (*1*).
_PARAGRAPH = r"(?:\(\*?[A-Za-z0-9]{1,4}\*?\))*"
_SECTION_SIGN = re.compile(rf"§§?\s*([0-9]+(?:\.[0-9]+)*[a-z]?)({_PARAGRAPH})")
_SECTION_WORD = re.compile(
    rf"\bsections?\s+([0-9]+(?:\.[0-9]+)+[a-z]?|[0-9]+[a-z]?)\b({_PARAGRAPH})", re.IGNORECASE
)
# A Code of Federal Regulations citation: "15 CFR 744.6", "15 C.F.R. 744.23(a)".
_CFR_SECTION = re.compile(
    rf"\b[0-9]+\s*C\.?\s?F\.?\s?R\.?\s*(?:§§?\s*)?([0-9]+\.[0-9]+[a-z]?)\b({_PARAGRAPH})"
)
# A dotted section number written the Chinese way: EAR 第744.23条, 744.23节 (= § 744.23).
_CN_SECTION = re.compile(rf"第?\s*([0-9]+(?:\.[0-9]+)+[a-z]?)({_PARAGRAPH})\s*[条节]")


def _cn_number(main: str, sub: str | None) -> str | None:
    value = chinese_numeral_to_int(main)
    if value is None:
        return None
    if sub:
        sub_value = chinese_numeral_to_int(sub)
        if sub_value is not None:
            # 第二十一条之一 is a separate article inserted after 21: keep it distinct.
            return f"{value}-{sub_value}"
    return str(value)


def find_article_refs(text: str) -> list[ArticleRef]:
    """All article, section and chapter references in `text`, in order, without overlaps."""
    refs: list[ArticleRef] = []
    for m in CN_ARTICLE.finditer(text):
        number = _cn_number(m.group(1), m.group(2))
        if number is not None:
            refs.append(ArticleRef(number, m.start(), m.end(), "article"))
    for m in _CN_CHAPTER.finditer(text):
        value = chinese_numeral_to_int(m.group(1))
        if value is not None:
            refs.append(ArticleRef(str(value), m.start(), m.end(), "chapter"))
    for m in _EN_ARTICLE.finditer(text):
        refs.append(ArticleRef(m.group(1).lower(), m.start(), m.end(), "article"))
    for pattern in (_SECTION_SIGN, _SECTION_WORD, _CFR_SECTION, _CN_SECTION):
        for m in pattern.finditer(text):
            paragraph = m.group(2).replace("*", "") or None
            refs.append(ArticleRef(m.group(1), m.start(), m.end(), "section", paragraph))
    refs.sort(key=lambda r: (r.start, -r.end))
    result: list[ArticleRef] = []
    for ref in refs:
        if result and ref.start < result[-1].end:
            continue
        result.append(ref)
    return result


def int_to_chinese_numeral(n: int) -> str:
    """21 → 二十一, 105 → 一百零五, 10 → 十: the form Chinese laws number articles with."""
    if n <= 0 or n >= 10000:
        return str(n)
    digits = "零一二三四五六七八九"
    parts: list[str] = []
    zero_pending = False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d = (n // value) % 10
        if d == 0:
            zero_pending = bool(parts)
            continue
        if zero_pending:
            parts.append("零")
            zero_pending = False
        parts.append(digits[d] + unit)
    text = "".join(parts)
    return text[1:] if text.startswith("一十") else text


def article_aliases(cited: str | Sequence[ArticleRef]) -> list[str]:
    """The other spellings of the articles a text cites (or of refs already read from it), so
    "Article 22" also finds 第二十二条."""
    aliases: list[str] = []
    for ref in find_article_refs(cited) if isinstance(cited, str) else cited:
        if ref.kind != "article":
            continue
        main, _, sub = ref.number.partition("-")
        if not main.isdigit():
            continue
        zh = f"第{int_to_chinese_numeral(int(main))}条" + (
            f"之{int_to_chinese_numeral(int(sub))}" if sub.isdigit() else ""
        )
        aliases.extend([zh, f"Article {ref.number}"])
    return list(dict.fromkeys(aliases))
