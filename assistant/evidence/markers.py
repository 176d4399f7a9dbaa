"""The `[n]` citation markers of a model's answer: reading them, and writing them back.

The model ends each sentence with markers that point into the numbered passage list it was
shown, in whatever style it likes (`[1]`, `[1, 2]`, `[1-3]`, `[Source 1]`, `【1】`, after the
full stop or before it). `parse_answer` turns its text into sentences, each with the claim
alone and the passage numbers it cites; `with_markers` puts the final, renumbered markers
back before a verified sentence's closing punctuation; `without_markers` is the text with the
markers blanked out. The abstention sentence is part of the same answer format: `ABSTENTION`
is the one sentence complyqa answers with when the sources do not answer, and
`is_abstention` recognises it in a model's reply by the same marker rule. What the markers
are worth is `assistant.evidence.verify`'s question. Pure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.sentences import split_sentences

__all__ = [
    "ABSTENTION",
    "ClaimSentence",
    "is_abstention",
    "parse_answer",
    "with_markers",
    "without_markers",
]

#: The one sentence complyqa answers with when the indexed sources do not answer a question.
ABSTENTION = "The indexed sources do not contain an answer to this question."

# [1]  [1, 2]  [1-3]  [Source 1]  【1】 ; several in a row ([1][2]) are separate matches. A
# bracketed date ([2024-10-05]) is not a marker: a range joins two numbers only.
_MARKER = re.compile(
    r"\[\s*(?:(?:source|passage|src)\s*:?\s*)?"
    r"(\d+(?:\s*[-–]\s*\d+)?(?:\s*[,，、;]\s*\d+(?:\s*[-–]\s*\d+)?)*)\s*\]"
    r"|【\s*(\d+(?:\s*[,，、]\s*\d+)*)\s*】",
    re.IGNORECASE,
)
_MARKERS = rf"(?:\s*(?:{_MARKER.pattern}))+"
# A marker written after the full stop ("… chips. [1]") belongs to the sentence before it.
_MARKER_AFTER_STOP = re.compile(rf"(?<=\S)([.!?。！？；]+)({_MARKERS})", re.IGNORECASE)
_ENUMERATOR = re.compile(
    r"\s*(?:[-*•]|\(?\d{1,3}[.)]|\(?[A-Za-z][.)]|[一二三四五六七八九十]+、)\s*"
)
_TERMINAL = re.compile(r"[.!?。！？；:：]+[\"'”’)）]*$")


@dataclass(frozen=True)
class ClaimSentence:
    """One sentence of the model's answer: the claim and the passage numbers it cites."""

    text: str  # as the model wrote it (markers moved before the full stop)
    claim: str  # without markers
    markers: tuple[int, ...]  # as written, in order, without repeats
    gap: str = ""  # the text between the previous sentence and this one


def parse_answer(raw: str) -> list[ClaimSentence]:
    """Split the model's answer into sentences and read each sentence's `[n]` markers."""
    text = _MARKER_AFTER_STOP.sub(lambda m: " " + m.group(2).strip() + m.group(1), raw)
    out: list[ClaimSentence] = []
    pos = 0
    for span in split_sentences(text):
        gap, sentence = text[pos : span.start], span.text
        pos = span.end
        leading = re.match(_MARKERS, sentence)
        if leading and out:
            # Markers that open a sentence close the one before it.
            prev = out[-1]
            out[-1] = ClaimSentence(
                prev.text + leading.group(),
                prev.claim,
                _unique(prev.markers + _numbers(leading.group())),
                prev.gap,
            )
            sentence = sentence[leading.end() :].strip()
        claim = _tidy(without_markers(sentence))
        if not claim or _ENUMERATOR.fullmatch(claim):
            continue  # "1." or "-" of a list: not a claim
        out.append(ClaimSentence(sentence, claim, _unique(_numbers(sentence)), gap))
    return out


def without_markers(text: str) -> str:
    """`text` with a space in place of each `[n]` marker."""
    return _MARKER.sub(" ", text)


def _numbers(text: str) -> tuple[int, ...]:
    found: list[int] = []
    for m in _MARKER.finditer(text):
        for part in re.split(r"\s*[,，、;]\s*", m.group(1) or m.group(2)):
            low, _, high = re.sub(r"\s", "", part).replace("–", "-").partition("-")
            first, last = int(low), int(high or low)
            found.extend(range(first, min(last, first + 20) + 1))
    return tuple(found)


def _unique(numbers: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(dict.fromkeys(numbers))


def _tidy(text: str) -> str:
    text = re.sub(r"[ \t]+", " ", text).strip()
    text = re.sub(r"\s+([.,;:!?。，；：！？)）])", r"\1", text)
    return text


def with_markers(claim: str, markers: list[int]) -> str:
    """The claim with its markers before the closing punctuation: `… chips [1][2].`"""
    tags = "".join(f"[{m}]" for m in markers)
    end = _TERMINAL.search(claim)
    body, stop = (claim[: end.start()], end.group()) if end else (claim, "")
    body = body.rstrip()
    space = "" if body and "\u3400" <= body[-1] <= "\u9fff" else " "
    return f"{body}{space}{tags}{stop}"


def _normalized(text: str) -> str:
    return "".join(ch for ch in without_markers(text).lower() if ch.isalnum())


def is_abstention(text: str) -> bool:
    """Whether `text` says the abstention sentence (ignoring case, punctuation, markers)."""
    target = _normalized(ABSTENTION)
    return bool(target) and target in _normalized(text)
