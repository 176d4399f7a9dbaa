"""Sentence boundaries for Chinese and English legal text, as offsets.

Answers cite sentences by their exact offsets, so splitting never edits text: it only returns
spans, and `text[start:end]` is always the sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Candidates: Chinese terminal punctuation; English terminal punctuation followed by
# whitespace (so "744.23" inside a sentence does not end it); a line break.
_BOUNDARY = re.compile(r"[。！？；]+[”’」』）)]*|[.!?]+[\"'”’)\]]*(?=\s)|\n")
_LAST_WORD = re.compile(r"(\S+)$")
# Abbreviations after which a period does not end a sentence in legal English.
_ABBREVIATIONS = frozenset(
    [
        "no",
        "art",
        "sec",
        "para",
        "paras",
        "e.g",
        "i.e",
        "etc",
        "vs",
        "inc",
        "ltd",
        "co",
        "corp",
        "mr",
        "ms",
        "dr",
        "u.s",
        "u.k",
        "cf",
        "fig",
        "pp",
        "p",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "st",
    ]
)


@dataclass(frozen=True)
class SentenceSpan:
    start: int
    end: int
    text: str


def split_sentences(text: str, *, min_chars: int = 2) -> list[SentenceSpan]:
    """Split `text` into sentence spans with surrounding whitespace trimmed off the offsets."""
    spans: list[SentenceSpan] = []
    pos = 0
    for match in _BOUNDARY.finditer(text):
        if match.group().startswith(".") and _is_abbreviation(text[pos : match.start()]):
            continue
        _append(spans, text, pos, match.end(), min_chars)
        pos = match.end()
    _append(spans, text, pos, len(text), min_chars)
    return spans


def _is_abbreviation(before: str) -> bool:
    word = _LAST_WORD.search(before)
    if not word:
        return False
    token = word.group(1).lstrip("(\"'“").lower()
    # A single capital letter ("J. Smith") or a known abbreviation ("No. 5", "U.S.").
    return token in _ABBREVIATIONS or (len(token) == 1 and token.isalpha())


def _append(spans: list[SentenceSpan], text: str, start: int, end: int, min_chars: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end - start >= min_chars:
        spans.append(SentenceSpan(start, end, text[start:end]))
