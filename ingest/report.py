"""What an ingest did, document by document, so a user can see why anything was skipped."""

from __future__ import annotations

from pydantic import BaseModel


class FailedFile(BaseModel):
    path: str
    reason: str


class IngestReport(BaseModel):
    added: list[str] = []
    replaced: list[str] = []
    unchanged: list[str] = []
    removed: list[str] = []
    failed: list[FailedFile] = []
    skipped: list[FailedFile] = []
    chunks_embedded: int = 0
    seconds: float = 0.0
    embed_seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.replaced or self.removed)
