"""Full document texts are stored compressed in new indexes and read back exactly (issue 10)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from ingest import text_codec
from ingest.settings import IndexSettings
from ingest.store import ChromaStore

TEXTS = [
    "",
    "plain ascii",
    "第六十六条 违反本法规定处理个人信息的……处五千万元以下罚款",
    'a\\u4e2d\n\t"quoted" ✓',
]


@pytest.mark.parametrize("text", TEXTS)
def test_round_trip(text: str) -> None:
    stored = text_codec.encode(text, text_codec.ZLIB_BASE64)
    assert stored.isascii()
    assert text_codec.decode(stored, text_codec.ZLIB_BASE64) == text
    assert text_codec.decode(text_codec.encode(text, None), None) == text


def test_an_unknown_codec_says_to_upgrade() -> None:
    with pytest.raises(ValueError, match="upgrade complyqa"):
        text_codec.decode("x", "zstd")


def test_new_index_stores_compressed_text_and_serves_the_original(
    tmp_path: Path, make_fake_qa
) -> None:
    qa = make_fake_qa()
    (tmp_path / "law.md").write_text(
        "# 某法\n\n第一条 为了保护个人信息权益，制定本法。\n", encoding="utf-8"
    )
    qa.ingest([tmp_path / "law.md"], root=tmp_path)
    text = qa.index.store.document_text("law.md")
    assert text is not None and "保护个人信息权益" in text
    stored = qa.index.store._read(lambda c: c.documents.get(ids=["law.md"], include=["documents"]))
    assert stored["documents"][0].isascii()


LEGACY = """
import sys, chromadb
client = chromadb.PersistentClient(sys.argv[1])
client.get_or_create_collection(
    "complyqa_documents", embedding_function=None, metadata={"embedding_model": "m"}
).upsert(
    ids=["old.md"],
    embeddings=[[1.0]],
    documents=["第一条 旧文本"],
    metadatas=[{"content_hash": "h", "instrument": "old"}],
)
"""


def test_an_index_made_before_the_codec_keeps_plain_text(tmp_path: Path) -> None:
    data = tmp_path / "data"
    # Another process, as an older complyqa would have been (one Chroma client per path here).
    subprocess.run([sys.executable, "-c", LEGACY, str(data / "chroma")], check=True)
    store = ChromaStore(IndexSettings(data_dir=data), "m")
    assert store.document_text("old.md") == "第一条 旧文本"
