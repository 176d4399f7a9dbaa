"""Claims for the verifier benchmark: one sentence, its citations, and whether they support it.

File format (JSON Lines, one claim per line)::

    {"id": "c0001", "sentence": "...", "supported": true, "edit": null, "tags": ["reference"],
     "citations": [{"doc_id": "seeds/000_86c7fe4535ba33b1.txt", "quote": "a B11 permit"},
                   {"doc_id": "us-ear/section-744.6.md", "start": 120, "end": 180}]}

A citation names a document of the corpus and either a quote (found in the document's
normalized text with any run of whitespace standing for any other) or character offsets into
that text. The verifier is shown what an LLM would have been shown: the ingested chunk that
holds the cited place (`CorpusPassages.passage_for`), not the bare quote.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from assistant.models import Passage
from evals.dataset import CorpusIndex, resolve_source, scan_corpus
from evals.metrics import find_gold_spans
from ingest.errors import ComplyqaError
from ingest.loaders import load_file
from ingest.models import Chunk, Document
from ingest.normalize import detect_language
from ingest.settings import ChunkingSettings
from ingest.splitter import split_document

__all__ = [
    "Claim",
    "ClaimCitation",
    "ClaimsError",
    "CorpusPassages",
    "claim_language",
    "load_claims",
]


class ClaimsError(ComplyqaError):
    """A claims file, or one of its citations, cannot be used; the message says which line."""


@dataclass(frozen=True)
class ClaimCitation:
    """A cited place: a quote to find in the document, or offsets into its normalized text."""

    doc_id: str
    quote: str | None = None
    start: int | None = None
    end: int | None = None


@dataclass(frozen=True)
class Claim:
    """One sentence a model might write, with the passages it cites and the truth about it."""

    id: str
    sentence: str
    citations: tuple[ClaimCitation, ...]
    supported: bool
    edit: str | None = None  # the controlled edit that made it unsupported; None if supported
    tags: tuple[str, ...] = ()
    line: int = 0

    def to_json(self) -> dict[str, object]:
        cites: list[dict[str, object]] = []
        for c in self.citations:
            if c.quote is not None:
                cites.append({"doc_id": c.doc_id, "quote": c.quote})
            else:
                cites.append({"doc_id": c.doc_id, "start": c.start, "end": c.end})
        return {
            "id": self.id,
            "sentence": self.sentence,
            "citations": cites,
            "supported": self.supported,
            "edit": self.edit,
            "tags": list(self.tags),
        }


def _citation(raw: object, where: str) -> ClaimCitation:
    if not isinstance(raw, dict) or not isinstance(raw.get("doc_id"), str):
        raise ClaimsError(f"{where}: each citation must be an object with a string 'doc_id'")
    quote, start, end = raw.get("quote"), raw.get("start"), raw.get("end")
    if isinstance(quote, str) and quote.strip():
        return ClaimCitation(raw["doc_id"], quote=quote)
    if isinstance(start, int) and isinstance(end, int) and 0 <= start < end:
        return ClaimCitation(raw["doc_id"], start=start, end=end)
    raise ClaimsError(
        f"{where}: citation of {raw['doc_id']!r} needs a non-empty 'quote' or integer "
        "'start' < 'end'"
    )


def parse_claim(raw: object, line: int) -> Claim:
    """One decoded JSON line as a `Claim`; `ClaimsError` names the line and what is wrong."""
    where = f"line {line}"
    if not isinstance(raw, dict):
        raise ClaimsError(f"{where}: expected a JSON object")
    # Other fields (a generator's own notes) are ignored, so any claims file in this shape runs.
    cid, sentence, supported = raw.get("id"), raw.get("sentence"), raw.get("supported")
    if not isinstance(cid, str) or not cid.strip():
        raise ClaimsError(f"{where}: 'id' must be a non-empty string")
    where = f"line {line} ({cid})"
    if not isinstance(sentence, str) or not sentence.strip():
        raise ClaimsError(f"{where}: 'sentence' must be a non-empty string")
    if not isinstance(supported, bool):
        raise ClaimsError(f"{where}: 'supported' must be true or false")
    cites = raw.get("citations")
    if not isinstance(cites, list):
        raise ClaimsError(f"{where}: 'citations' must be a list")
    edit = raw.get("edit")
    if edit is not None and not isinstance(edit, str):
        raise ClaimsError(f"{where}: 'edit' must be a string or null")
    tags = raw.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise ClaimsError(f"{where}: 'tags' must be a list of strings")
    return Claim(
        cid,
        sentence,
        tuple(_citation(c, where) for c in cites),
        supported,
        None if supported else (edit or "unspecified"),
        tuple(tags),
        line,
    )


def load_claims(path: Path) -> list[Claim]:
    """Read a claims file; a malformed line or a repeated id stops the run with its line."""
    try:
        content = Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise ClaimsError(f"Claims file {path} does not exist; check --dataset.") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ClaimsError(f"Claims file {path} cannot be read as UTF-8 text: {exc}") from exc
    claims: list[Claim] = []
    seen: set[str] = set()
    for number, line in enumerate(content.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ClaimsError(f"line {number}: invalid JSON ({exc.msg})") from exc
        claim = parse_claim(raw, number)
        if claim.id in seen:
            raise ClaimsError(f"line {number}: duplicate id {claim.id!r}")
        seen.add(claim.id)
        claims.append(claim)
    if not claims:
        raise ClaimsError(f"Claims file {path} holds no claims.")
    return claims


def claim_language(text: str) -> str:
    """`zh` or `en`, decided the way ingest decides a document's language."""
    return detect_language(text)


@dataclass
class CorpusPassages:
    """The corpus as the assistant ingests it: normalized documents cut into chunks.

    Reads each document once, through ingest's own loader and splitter, so a cited place is
    shown to the verifier inside the same chunk (title and section heading included) that
    retrieval would have put in front of the model.
    """

    corpus_dir: Path
    chunking: ChunkingSettings = field(default_factory=ChunkingSettings)
    _docs: dict[str, tuple[Document, list[Chunk]]] = field(default_factory=dict)
    _index: CorpusIndex | None = None

    def document(self, doc_id: str) -> Document:
        return self._load(doc_id)[0]

    def _load(self, doc_id: str) -> tuple[Document, list[Chunk]]:
        doc_id = self._resolve(doc_id)
        if doc_id not in self._docs:
            path = self.corpus_dir / doc_id
            docs = [d for d in load_file(path, self.corpus_dir) if d.doc_id == doc_id]
            if not docs:
                raise ClaimsError(f"cited document {doc_id!r} has no text after loading")
            doc = docs[0]
            self._docs[doc_id] = (doc, split_document(doc, self.chunking))
        return self._docs[doc_id]

    def _resolve(self, doc_id: str) -> str:
        """A document id, or a bare file name that names exactly one corpus document."""
        if (self.corpus_dir / doc_id).is_file():
            return doc_id
        if self._index is None:
            self._index = scan_corpus(self.corpus_dir)
        resolved, error = resolve_source(doc_id, self._index)
        if resolved is None:
            raise ClaimsError(
                f"cited document {doc_id!r} is not a file under {self.corpus_dir} ({error}); "
                "doc_id is the path relative to --corpus"
            )
        return resolved

    def locate(self, citation: ClaimCitation) -> tuple[int, int]:
        """Document offsets of the cited place; `ClaimsError` when it is not in the document."""
        doc, _ = self._load(citation.doc_id)
        if citation.quote is None:
            assert citation.start is not None and citation.end is not None
            if citation.end > len(doc.text):
                raise ClaimsError(
                    f"citation {citation.start}:{citation.end} runs past the end of "
                    f"{citation.doc_id!r} ({len(doc.text)} characters of normalized text)"
                )
            return citation.start, citation.end
        spans = find_gold_spans([citation.quote], [doc.doc_id], lambda _: doc.text)
        if not spans:
            shown = citation.quote if len(citation.quote) <= 60 else citation.quote[:59] + "…"
            raise ClaimsError(
                f"quote {shown!r} is not in the normalized text of {citation.doc_id!r} "
                "(compared with whitespace collapsed); copy it from the ingested text"
            )
        return spans[0].start, spans[0].end

    def passage_for(self, citation: ClaimCitation) -> Passage:
        """The chunk that holds the cited place (the one covering most of it), as a `Passage`."""
        doc, chunks = self._load(citation.doc_id)
        start, end = self.locate(citation)

        def covered(chunk: Chunk) -> tuple[int, int]:
            inside = min(end, chunk.end) - max(start, chunk.start)
            return (inside, -(chunk.end - chunk.start))

        best = max(chunks, key=covered)
        if covered(best)[0] <= 0:
            raise ClaimsError(f"cited place {start}:{end} of {citation.doc_id!r} is in no chunk")
        return _passage(doc, best)

    def chunk_passages(self, doc_id: str) -> list[Passage]:
        """Every chunk of a document as a `Passage`, in document order."""
        doc, chunks = self._load(doc_id)
        return [_passage(doc, c) for c in chunks]

    def passages_for(self, citations: Sequence[ClaimCitation]) -> list[Passage]:
        """One passage per distinct chunk, in citation order."""
        out: dict[str, Passage] = {}
        for citation in citations:
            p = self.passage_for(citation)
            out.setdefault(p.chunk_id, p)
        return list(out.values())


def _passage(doc: Document, chunk: Chunk) -> Passage:
    # The fields retrieval copies from chunk metadata (assistant.retrieval.hybrid), score aside.
    return Passage(
        chunk_id=f"{doc.doc_id}::{chunk.key}",
        doc_id=doc.doc_id,
        key=chunk.key,
        title=doc.title,
        section=chunk.section,
        text=chunk.text,
        start=chunk.start,
        end=chunk.end,
        score=1.0,
        language=doc.language,
        date=doc.date,
        jurisdiction=doc.jurisdiction,
        group=doc.group,
        publisher=doc.extra.get("publisher") or None,
    )
