"""A process on a local data dir that a managed Chroma server owns (issue 10) learns of other
clients' commits as any Chroma-server client does: from the store's change marker."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest

from assistant.retrieval.index import CHANGE_POLL_SECONDS, Index
from ingest.chroma_owner import owned_data_dir
from ingest.models import Chunk, Document
from ingest.settings import IndexSettings, IngestSettings
from ingest.store import ChromaStore
from tests.conftest import FakeEmbedder

pytestmark = pytest.mark.slow


def _write(store: ChromaStore, doc_id: str) -> None:
    text = f"rule of {doc_id}"
    doc = Document(doc_id, text, "T", "en", doc_id)
    vectors = np.random.default_rng(0).random((1, 8))
    store.write_documents([(doc, [Chunk(doc_id, "1", text, 0, len(text))], vectors)])


@pytest.mark.timeout(300)
def test_the_change_marker_is_polled_once_a_managed_server_owns_the_dir(tmp_path: Path) -> None:
    # The full re-read timer is an hour: only the marker can show the change.
    index_settings = IndexSettings(data_dir=tmp_path / "data", lexical_refresh_seconds=3600)
    index = Index(IngestSettings(index=index_settings), embedder=FakeEmbedder())  # type: ignore[arg-type]
    _write(index.store, "a.md")
    assert set(index.manifest()) == {"a.md"}
    with owned_data_dir(index_settings.data_dir):
        assert set(index.manifest()) == {"a.md"}  # switched to the server
        assert index.store.db.remote
        # Another client of the server commits (here through a second store).
        _write(ChromaStore(index_settings, index.settings.embedding.model), "b.md")
        time.sleep(CHANGE_POLL_SECONDS * 2)
        assert set(index.manifest()) == {"a.md", "b.md"}
