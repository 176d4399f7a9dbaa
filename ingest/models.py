"""Domain types of the ingest side: documents as read, and the chunks cut from them."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Segment:
    """A span of a document that was cut before it reached us (a benchmark passage).

    The splitter keeps such spans as chunks instead of re-cutting them, so ids from the
    source (for example ObliQA's `DocumentID` + `PassageID`) survive into the index.
    """

    key: str
    start: int
    end: int
    section: str | None = None


@dataclass(frozen=True)
class Document:
    """A whole document after loading and normalization.

    `text` is the normalized text; every offset anywhere in the system points into it.
    """

    doc_id: str  # path relative to the corpus root, e.g. "seeds/000_86c7fe4535ba33b1.txt"
    text: str
    title: str
    language: str  # "zh" or "en"
    content_hash: str
    date: str | None = None
    jurisdiction: str | None = None
    source_path: str | None = None
    segments: tuple[Segment, ...] = ()
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def group(self) -> str:
        """First path component of the id: the document group used for filters and scopes."""
        return self.doc_id.split("/", 1)[0] if "/" in self.doc_id else ""


@dataclass(frozen=True)
class Chunk:
    """A retrievable unit: `document.text[start:end] == text` always holds."""

    doc_id: str
    key: str  # unique within the document: running number or source passage id
    text: str
    start: int
    end: int
    section: str | None = None
    article: str | None = None  # normalized article/section number, e.g. "21" or "744.23"
