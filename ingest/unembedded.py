"""A corpus's chunks as the store would hold them, without embedding them.

For measuring and testing the lexical index on a real corpus, where embedding 65k chunks
would take an hour: same loading, splitting, ids and metadata as an ingest, no vectors.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ingest.boilerplate import content_chunks
from ingest.discovery import discover_files
from ingest.loaders import load_file
from ingest.models import Document
from ingest.records import StoredChunk, chunk_id, chunk_metadata
from ingest.settings import ChunkingSettings
from ingest.splitter import split_document


def load_documents(paths: Sequence[Path], root: Path) -> list[Document]:
    """Every readable document under `paths`, with ids relative to `root`."""
    root = root.resolve()
    discovery = discover_files([p.resolve() for p in paths], root)
    return [doc for file in discovery.files for doc in load_file(file, root)]


def document_chunks(doc: Document, chunking: ChunkingSettings | None = None) -> list[StoredChunk]:
    """One document's chunks with the ids and metadata an ingest would store."""
    chunks = content_chunks(doc, split_document(doc, chunking or ChunkingSettings()))
    return [StoredChunk(chunk_id(doc, c), c.text, chunk_metadata(doc, c)) for c in chunks]
