"""Cut documents into retrievable chunks that follow the structure of legal texts.

A citation is only useful when it names a unit a lawyer recognizes, so the splitter keeps one
Chinese article (第二十一条), one English `Article N` or one lettered EAR paragraph (`(a)`) per
chunk whenever it fits, and records where the chunk sits (`Chunk.section`) and which article it
belongs to (`Chunk.article`). Prose without structure is grouped by paragraphs. Only text too
long for one chunk is windowed, at sentence boundaries.

Chunks never copy or edit text: each is a `(start, end)` span of the normalized document text,
trimmed of surrounding whitespace by moving offsets, so `doc.text[c.start:c.end] == c.text`.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass

from ingest.legal_refs import CN_NUMERAL_CHARS, find_article_refs
from ingest.models import Chunk, Document
from ingest.settings import ChunkingSettings

__all__ = ["split_document"]

_PART_MAX = 60
_MD_HEADING = re.compile(r"^(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$")
_CN_NUM = f"(?:[{CN_NUMERAL_CHARS}]+|[0-9]+)"
# A Chinese structural heading is a short line such as "第一章 总则" or "第一节 一般规定".
_CN_HEADING = re.compile(rf"^第{_CN_NUM}(编|分编|章|节)(?:[ \t]+\S.{{0,40}})?$")
_CN_HEADING_LEVEL = {"编": 1, "分编": 2, "章": 3, "节": 4}
# Articles start a line with the number followed by a space: "第二十一条 国家实行…". A line
# starting "第二十一条规定的…" is a reference inside prose, not a new article.
_CN_ARTICLE = re.compile(rf"^第{_CN_NUM}条(?:之{_CN_NUM})?(?=[ \t]|$)")
# "Article 21 The State…" or "Article 21." opens an article; "Article 1197 of the Civil Code
# provides…" at the start of a prose line is a reference, told apart by the lower-case word.
_EN_ARTICLE = re.compile(
    r"^(?:\*\*)?(?:Article|ARTICLE|Art\.)[ \t]+[0-9]+[a-z]?\b\**(?=$|[.:—–-]|[ \t]+[^a-z\s])"
)
_TOP_PARAGRAPH = re.compile(r"^\(([a-z])\)")
_SENTENCE_END = re.compile(r"[。！？；!?](?:[”’」』）)\"']*)|[.;](?:[”’\"')\]]*)(?=\s)|\n+")
_SOFT_BREAK = re.compile(r"[，、：,:]|\s+")
_NEWLINE = re.compile(r"\n")


@dataclass
class _Unit:
    """A span that starts a new chunk, with where it sits in the document's structure."""

    start: int
    end: int
    path: tuple[str, ...]
    article: str | None
    atomic: bool  # a legal article: keep whole if it fits, never group with neighbours


def _shorten(part: str) -> str:
    part = " ".join(part.replace("*", "").split())
    return part if len(part) <= _PART_MAX else part[: _PART_MAX - 1].rstrip() + "…"


def _ref_number(text: str) -> str | None:
    """The article/section number a heading line starts with, if any."""
    refs = [r for r in find_article_refs(text[:80]) if r.kind in ("article", "section")]
    return refs[0].number if refs and refs[0].start <= 2 else None


def _lines(text: str) -> list[tuple[int, int]]:
    spans, pos = [], 0
    for line in text.split("\n"):
        spans.append((pos, pos + len(line)))
        pos += len(line) + 1
    return spans


def _structure(doc: Document) -> list[_Unit]:
    """Walk the lines once, opening a unit at each heading, article or top paragraph.

    Heading lines are not units of their own: they open the unit that follows them, so a
    heading always travels with the first text under it and no content is left out.
    """
    text = doc.text
    stack: list[tuple[float, str, str | None]] = []  # (level, heading, article number)
    units: list[_Unit] = []
    pending: int | None = None  # start of heading lines waiting for their content
    paragraph_letter: str | None = None  # current top-level EAR paragraph, "a", "b", …

    def open_unit(start: int, own: tuple[str, ...], article: str | None, atomic: bool) -> None:
        nonlocal pending
        begin = pending if pending is not None else start
        if units:
            units[-1].end = begin
        path = tuple(h for _, h, _ in stack) + own
        inherited = next((a for _, _, a in reversed(stack) if a), None)
        units.append(_Unit(begin, len(text), path, article or inherited, atomic))
        pending = None

    def push_heading(level: float, heading: str, start: int) -> None:
        nonlocal pending, paragraph_letter
        while stack and stack[-1][0] >= level:
            stack.pop()
        stack.append((level, _shorten(heading), _ref_number(heading)))
        paragraph_letter = None
        if pending is None:
            pending = start

    for start, end in _lines(text):
        line = text[start:end]
        if not line.strip():
            continue
        md = _MD_HEADING.match(line)
        if md:
            level, heading = len(md.group(1)), md.group(2)
            # The document's own name (top-level headings before any text) is its title, not a
            # section: leave it out of paths.
            if level == 1 and not units and heading.replace("*", "").strip() in doc.title:
                if pending is None:
                    pending = start
                continue
            push_heading(level, heading, start)
        elif cn := _CN_HEADING.match(line):
            push_heading(_CN_HEADING_LEVEL[cn.group(1)], line, start)
        elif m := (_CN_ARTICLE.match(line) or _EN_ARTICLE.match(line)):
            label = m.group(0).replace("*", "")
            open_unit(start, (label,), _ref_number(label), atomic=True)
        elif (
            (m := _TOP_PARAGRAPH.match(line))
            and any(a for _, _, a in stack)  # only inside a § section: EAR paragraph letters
            and _is_next_letter(m.group(1), paragraph_letter)
        ):
            paragraph_letter = m.group(1)
            open_unit(start, (f"({paragraph_letter})",), None, atomic=False)
        elif not units or pending is not None:
            # Text right after a heading (or at the very start) opens a unit of prose.
            open_unit(start, (), None, atomic=False)
    if pending is not None and units:
        units[-1].end = len(text)  # trailing headings with no text: fold into the last unit
    elif pending is not None:
        units.append(_Unit(pending, len(text), tuple(h for _, h, _ in stack), None, False))
    return units


def _is_next_letter(letter: str, current: str | None) -> bool:
    """Top-level EAR paragraphs run (a), (b), …; "(i)" after "(a)" is a sub-paragraph."""
    expected = "a" if current is None else chr(ord(current) + 1)
    return letter == expected


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _hard_split(text: str, start: int, end: int, max_chars: int) -> list[tuple[int, int]]:
    """Cut one over-long sentence at whitespace or a comma, never inside a word."""
    pieces = []
    while end - start > max_chars:
        limit = start + max_chars
        cut = None
        for m in _SOFT_BREAK.finditer(text, start + max_chars // 2, limit):
            cut = m.end()
        if cut is None:
            cut = limit
            # No break at all: avoid splitting a Latin word if we can find its start.
            while cut > start + 1 and text[cut - 1].isalnum() and text[cut].isalnum() \
                    and text[cut].isascii():  # fmt: skip
                cut -= 1
            if cut <= start + 1:
                cut = limit
        pieces.append((start, cut))
        start = cut
    pieces.append((start, end))
    return pieces


def _sentences(text: str, start: int, end: int, cfg: ChunkingSettings) -> list[tuple[int, int]]:
    """Sentence spans of at most `max_chars`; a heading or lead-in is fused with the sentence
    after it, so no window ends on words that introduce what it lacks."""
    spans: list[tuple[int, int]] = []
    newlines = [m.start() for m in _NEWLINE.finditer(text, start, end)]

    def last_is_lead_in() -> bool:
        # A fused span can grow to the whole text (a page starting with "#"): find its last
        # line by bisection, never by scanning the span, or splitting turns quadratic.
        s, e = _trim(text, *spans[-1])
        k = bisect_left(newlines, e)
        line_start = newlines[k - 1] + 1 if k else s
        return _is_lead_in(text, s, e, line_start)

    pos = start
    for m in _SENTENCE_END.finditer(text, start, end):
        if m.end() > pos:
            if spans and last_is_lead_in():
                spans[-1] = (spans[-1][0], m.end())
            else:
                spans.append((pos, m.end()))
            pos = m.end()
    if pos < end:
        if spans and last_is_lead_in():
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((pos, end))
    max_chars = cfg.max_chars
    result: list[tuple[int, int]] = []
    for s, e in spans:
        result.extend(_hard_split(text, s, e, max_chars) if e - s > max_chars else [(s, e)])
    return result


def _windows(text: str, start: int, end: int, cfg: ChunkingSettings) -> list[tuple[int, int]]:
    """Sentence-aligned windows of at most `max_chars`, overlapping by about `overlap_chars`."""
    sents = _sentences(text, start, end, cfg)
    windows: list[tuple[int, int]] = []
    i = 0
    while i < len(sents):
        j = i
        while j + 1 < len(sents) and sents[j + 1][1] - sents[i][0] <= cfg.max_chars:
            j += 1
        windows.append((sents[i][0], sents[j][1]))
        if j + 1 >= len(sents):
            break
        # Start the next window a few sentences back so context carries over.
        # (but never so far back that the next window could not reach past this one).
        nxt = j + 1
        while (
            nxt - 1 > i
            and sents[j][1] - sents[nxt - 1][0] <= cfg.overlap_chars
            and sents[j + 1][1] - sents[nxt - 1][0] <= cfg.max_chars
        ):
            nxt -= 1
        i = nxt
    return windows


def _group_lines(text: str, start: int, end: int, cfg: ChunkingSettings) -> list[tuple[int, int]]:
    """Group consecutive paragraphs (lines) up to `max_chars`; window any that is too long."""
    spans: list[tuple[int, int]] = []
    group: list[tuple[int, int]] = []  # trimmed lines of the chunk being built
    for ls, le in _lines(text[start:end]):
        s, e = _trim(text, start + ls, start + le)
        if s == e:
            continue
        if group and e - group[0][0] <= cfg.max_chars:
            group.append((s, e))
            continue
        # The line does not fit. A heading or label ("Note 2 to paragraph (a)(4):", "[13]")
        # closing the group belongs to the text it introduces, so it moves on with that text.
        begin = s
        if group and _is_heading_like(text, *group[-1], cfg):
            begin = group.pop()[0]
        if group:
            spans.append((group[0][0], group[-1][1]))
        group = []
        if e - begin > cfg.max_chars:
            spans.extend(_windows(text, begin, e, cfg))
        else:
            group = [(begin, e)]
    if group:
        spans.append((group[0][0], group[-1][1]))
    return spans


def _is_lead_in(text: str, start: int, end: int, line_start: int | None = None) -> bool:
    """Whether the span's last line is a heading or announces what follows ("…as follows:").

    `line_start`, where that line begins, spares a scan of the span when the caller knows it.
    Reads characters in place: slicing a long span here made splitting quadratic.
    """
    if line_start is None:
        line_start = text.rfind("\n", start, end) + 1
    start = max(start, line_start)
    if start >= end:
        return False
    return text.startswith("#", start, end) or (end - start < 200 and text[end - 1] in ":：")


def _is_heading_like(text: str, start: int, end: int, cfg: ChunkingSettings) -> bool:
    """A line too slight to stand alone: a lead-in, or a label such as "[13]"."""
    return _is_lead_in(text, start, end) or end - start < max(cfg.min_chars, 1)


def _unit_spans(text: str, unit: _Unit, cfg: ChunkingSettings) -> list[tuple[int, int]]:
    s, e = _trim(text, unit.start, unit.end)
    if e - s <= cfg.max_chars:
        return [(s, e)] if s < e else []
    if unit.atomic:
        return _windows(text, s, e, cfg)
    return _group_lines(text, s, e, cfg)


def _span_chunks(
    doc: Document, spans: list[tuple[int, int]], section: str | None, article: str | None = None
) -> list[Chunk]:
    return [
        Chunk(doc.doc_id, "", doc.text[s:e], s, e, section, article)
        for s, e in (_trim(doc.text, s0, e0) for s0, e0 in spans)
        if s < e
    ]


def split_document(doc: Document, settings: ChunkingSettings) -> list[Chunk]:
    """Cut a document into chunks in document order, with unique keys per document.

    Pre-segmented documents (benchmark passages) keep one chunk per segment keyed by the
    source id; everything else is cut along its headings, articles and paragraphs.
    """
    chunks: list[Chunk] = []
    if doc.segments:
        for seg in doc.segments:
            spans = _unit_spans(doc.text, _Unit(seg.start, seg.end, (), None, True), settings)
            for n, c in enumerate(_span_chunks(doc, spans, section=seg.section), start=1):
                key = seg.key if n == 1 else f"{seg.key}#{n}"
                chunks.append(_with_key(c, key))
        return _unique(chunks)
    for unit in _structure(doc):
        section = " > ".join(unit.path) or None
        spans = _unit_spans(doc.text, unit, settings)
        chunks.extend(_span_chunks(doc, spans, section=section, article=unit.article))
    return [_with_key(c, str(n)) for n, c in enumerate(chunks, start=1)]


def _with_key(chunk: Chunk, key: str) -> Chunk:
    return Chunk(chunk.doc_id, key, chunk.text, chunk.start, chunk.end, chunk.section,
                 chunk.article)  # fmt: skip


def _unique(chunks: list[Chunk]) -> list[Chunk]:
    seen: set[str] = set()
    out = []
    for c in chunks:
        key, n = c.key, 1
        while key in seen:
            n += 1
            key = f"{c.key}~{n}"
        seen.add(key)
        out.append(c if key == c.key else _with_key(c, key))
    return out
