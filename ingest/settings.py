"""The ingest side's part of the configuration; `assistant.settings.Settings` composes it."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field


class EmbeddingSettings(BaseModel):
    """Which sentence-transformers model embeds chunks and queries.

    `model` is a short name known to `ingest.embeddings` (served from a registry package,
    never downloaded) or a local folder holding a sentence-transformers model.
    """

    model: str = "all-MiniLM-L6-v2"
    batch_size: int = Field(default=64, ge=1, le=1024)
    query_prefix: str = ""
    passage_prefix: str = ""


class ChunkingSettings(BaseModel):
    """How documents are cut: one legal article per chunk when it fits, windows otherwise."""

    max_chars: int = Field(default=1200, ge=200)
    overlap_chars: int = Field(default=200, ge=0)
    min_chars: int = Field(default=40, ge=0)


class IndexSettings(BaseModel):
    """Where the index lives: a local data dir, or a Chroma server when `chroma_url` is set."""

    data_dir: Path = Path("data")
    chroma_url: str | None = None
    collection: str = "complyqa"
    lexical_refresh_seconds: float = Field(default=2.0, ge=0)


class IngestSettings(BaseModel):
    embedding: EmbeddingSettings = EmbeddingSettings()
    chunking: ChunkingSettings = ChunkingSettings()
    index: IndexSettings = IndexSettings()
    max_file_bytes: int = Field(default=25 * 1024 * 1024, ge=1)
