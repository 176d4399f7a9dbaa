"""Which sentences of a passage can be an answer at all.

A passage holds more than statements: headings ("Security maintenance."), author lines,
a source's attribution with nothing reported, fields of a bibliographic record, a paper's
reference list, bare web addresses. They match a question's words well (a reference's title
often repeats the question) and say nothing it could be answered with, so the extractive
answerer and the relevance model's sentence choice (`assistant.answering.by_relevance`) pass
them over; pure.
"""

from __future__ import annotations

import re

__all__ = ["is_content"]


def is_content(sentence: str, *, references: bool = False) -> bool:
    """Headings and bare article numbers are not answers; nor are reference-list entries
    ("… clusters[EB/OL].", "…: 模式、工具与策略[J].", "学报, 2024(5): 1-20.") and bare web
    addresses, which name a text rather than state a rule, unless the question asks about
    what a text cites or where it appeared (`references`, see `answer_type.asks_reference`)."""
    stripped = sentence.strip()
    if len(stripped) < 8 or stripped.startswith("#") or _FRAGMENT.fullmatch(stripped):
        return False
    if _NAME_LINE.fullmatch(stripped) or _BARE_ATTRIBUTION.fullmatch(stripped):
        return False
    return references or not (
        _REFERENCE_ENTRY.search(stripped)
        or _BARE_ADDRESS.fullmatch(stripped)
        or _record_field(stripped)
    )


def _record_field(line: str) -> bool:
    """A field of a bibliographic record ("Location: China; United States--US", "Subject:
    Bans; Surveillance; …", "Tel: +86 21 …"): a label, a colon and a list of keywords or a
    value with no ordinary words, or a line of keywords alone, which files the text rather
    than states anything."""
    if _KEYWORDS.fullmatch(line):
        return True
    m = _FIELD.match(line)
    if not m:
        return False
    value = m.group(1)
    return ";" in value or not re.search(r"\b[a-z]{4,}\b", value)


# Keywords continuing such a field on their own line: "Sanctions; Export controls; AI".
_KEYWORDS = re.compile(r"(?:[A-Z][\w'’&.-]*(?: [\w'’&.-]+){0,3}\s*;\s*){2,}(?:[A-Z][^;。]*)?;?\s*")
_FIELD = re.compile(r"[A-Z][A-Za-z /]{1,40}:\s+(?=\S)([^\u3400-\u9fff]*)$")


# One or two Latin words with no Chinese: a run-in heading ("Security maintenance."), never a
# statement.
_FRAGMENT = re.compile(r"[^\w\u3400-\u9fff]*[A-Za-z0-9'’-]+(?:\s+[A-Za-z0-9'’-]+)?\W*")
# A line of capitalized words only ("Industry and Security Bureau.", "Country Group D:5"): a
# name standing alone, as in a heading or an author line, states nothing about it.
_NAME_LINE = re.compile(
    r"[^\w\u3400-\u9fff]*[A-Z][\w.:&'’-]*(?:\s+(?:[A-Z0-9][\w.:&'’-]*|of|and|the|for|on|in|&)){0,7}"
    r"[^\w\u3400-\u9fff]*"
)
# A source and its verb with nothing reported ("The Financial Times reports."): who says, not
# what.
_BARE_ATTRIBUTION = re.compile(
    r"[^\w\u3400-\u9fff]*(?:[Tt]he\s+)?(?:[A-Z][\w.&'’-]*\s+){1,5}"
    r"(?:reports|reported|says|said|writes|wrote|notes|noted|adds|added|states|stated)\W*"
)


# GB/T 7714 document-type codes, which mark an entry of a paper's reference list, the
# "year(issue): pages" that ends a journal reference, the "date(page)" of a newspaper's and
# the publisher and "year: page" of a book's.
_REFERENCE_ENTRY = re.compile(
    r"\[(?:EB/OL|J|M|C|D|N|R|S|Z|P|A|G|DB/OL|CP/DK)\]|\b(?:19|20)\d\d\s*[(（]\d+[)）]\s*[:：]\s*\d+"
    # A newspaper's: "学习时报, 2024-09-06(03).", "证券时报, 2024-09-05(A08)." (date, page).
    r"|\b(?:19|20)\d\d-\d\d-\d\d\s*[(（][A-Z]?\d+[)）]"
    # A book's: "北京: 中国社会科学出版社, 2024: 26." (publisher, year: page).
    r"|出版社|\b(?:19|20)\d\d\s*[:：]\s*\d+(?:\s*[-–]\s*\d+)?\.?\s*$"
)
_BARE_ADDRESS = re.compile(r"(?:https?://|www\.)\S+")
