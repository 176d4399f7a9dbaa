"""Page furniture that is not content: subscription blurbs, free-sample offers, navigation.

Articles saved from the web carry the site's marketing and navigation in their text ("Access
the most comprehensive Company Profiles…", "Company Profile – free sample", "Home | News |
…"). Such lines match many questions by their words ("company", "access") and then get quoted
as answers. They are marked here, line by line, and left out of every chunk: the document
text itself is not edited, so citation offsets still point into it, but no chunk (and so no
retrieved passage, no quote) covers a boilerplate line.

The rules are deliberately narrow: first-person marketing ("our privacy policy"), offers
("free sample", "subscribe"), site chrome ("All rights reserved", "Read more") and
navigation trails. A regulation that speaks *about* privacy policies or subscriptions in a
sentence of its own is not touched, because the patterns need the marketing phrasing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ingest.models import Chunk, Document

__all__ = ["boilerplate_spans", "content_chunks", "is_boilerplate_line"]

_MARKETING = re.compile(
    "|".join(
        [
            r"\bfree sample\b",
            r"\bdownload (?:a|the|our) (?:free )?(?:sample|report|brochure|whitepaper)\b",
            r"^company profiles?\b",
            r"\bcomprehensive company profiles\b",
            r"\bpowered by globaldata\b",
            r"^by globaldata\.?$",
            r"\byour download email\b",
            r"\bnot ready to buy\b",
            r"\bhow well do you (?:really )?know your competitors\b",
            r"\bgain (?:a )?competitive edge\b",
            r"\bsave hours of research\b",
            r"\b(?:visit|read|see) our privacy policy\b",
            r"\byour corporate email address\b",
            r"\bunsubscribe\b",
            r"\bsubscribe (?:now|today|to (?:our|the) newsletter)\b",
            r"\bsign up (?:for|to) (?:our|the) newsletter\b",
            r"\ball rights reserved\b",
            r"^proquest document link$",
            r"^linking service\b",
            r"\bfind full text at\b",
            r"^(?:read more|related (?:articles|posts|stories|content)|share this(?: article)?"
            r"|advertisement|click here|back to top|skip to (?:main )?content)\b",
            r"^thank you!?$",
            r"^рассылки\b",
        ]
    ),
    re.IGNORECASE,
)
# "Home | News | Analysis | Contact", "Home › Markets › China": three or more short items.
_NAV_SEPARATOR = re.compile(r"\s+(?:\||›|»|>|·|/)\s+")
_NAV_MAX_CHARS = 120
_NAV_ITEM_WORDS = 4


def is_boilerplate_line(line: str) -> bool:
    """Whether one line of page text is marketing, site chrome or a navigation trail."""
    text = line.strip().strip("*#").strip()
    if not text:
        return False
    if _MARKETING.search(text):
        return True
    return _is_navigation(text)


def _is_navigation(text: str) -> bool:
    if len(text) > _NAV_MAX_CHARS or text.endswith((".", "。", "?", "？")):
        return False
    items = _NAV_SEPARATOR.split(text)
    return len(items) >= 3 and all(0 < len(i.split()) <= _NAV_ITEM_WORDS for i in items)


def boilerplate_spans(text: str) -> list[tuple[int, int]]:
    """`(start, end)` offsets of the boilerplate lines of a document text, in order."""
    spans = []
    pos = 0
    for line in text.splitlines(keepends=True):
        if is_boilerplate_line(line):
            spans.append((pos, pos + len(line.rstrip("\r\n"))))
        pos += len(line)
    return spans


def content_chunks(doc: Document, chunks: Sequence[Chunk]) -> list[Chunk]:
    """`chunks` with every boilerplate line cut out; a chunk split by one becomes several.

    Pre-segmented documents (benchmark passages) are returned unchanged: their segments are
    the unit of evaluation. The pieces keep the chunk's section and article; a second piece
    gets the key `<key>.2`, so keys stay unique within the document.
    """
    if doc.segments:
        return list(chunks)
    spans = boilerplate_spans(doc.text)
    if not spans:
        return list(chunks)
    out: list[Chunk] = []
    for chunk in chunks:
        pieces = _subtract(doc.text, chunk.start, chunk.end, spans)
        for n, (start, end) in enumerate(pieces, start=1):
            key = chunk.key if n == 1 else f"{chunk.key}.{n}"
            out.append(
                Chunk(
                    chunk.doc_id,
                    key,
                    doc.text[start:end],
                    start,
                    end,
                    chunk.section,
                    chunk.article,
                )
            )
    return out


def _subtract(
    text: str, start: int, end: int, spans: Sequence[tuple[int, int]]
) -> list[tuple[int, int]]:
    """The parts of `[start, end)` outside `spans`, trimmed of whitespace, empty ones dropped."""
    parts: list[tuple[int, int]] = []
    cursor = start
    for s, e in spans:
        if e <= cursor or s >= end:
            continue
        parts.append((cursor, s))
        cursor = max(cursor, e)
    parts.append((cursor, end))
    trimmed = []
    for s, e in parts:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if s < e:
            trimmed.append((s, e))
    return trimmed
