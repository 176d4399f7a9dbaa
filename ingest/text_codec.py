"""How a document's full text is stored in the documents collection.

Chroma (1.5, local) slows down with raw CJK text in a collection: each write costs time in
proportion to the CJK text already stored (~2.6 ms per stored 4,600-character law), so
ingesting the 1,564 laws of cn-laws spent most of its time writing, seconds per document by
the end. ASCII text of the same length does not do this. Full texts are therefore stored
zlib-compressed and base64-encoded (ASCII, and about half the size). Chunk texts stay plain:
they are read by search and by anyone browsing the collection, and short writes of them do not
show the slowdown (measured in docs/benchmarks.md, "Ingest at scale").

A collection records its codec in its metadata when it is created; a collection without one
(made before this codec) holds plain text and is read as such.
"""

from __future__ import annotations

import base64
import zlib
from collections.abc import Mapping
from typing import Any

#: Collection metadata key naming how full texts are stored.
CODEC_KEY = "text_codec"
#: The codec new collections use.
ZLIB_BASE64 = "zlib+base64"


def codec_of(collection_metadata: Mapping[str, Any] | None) -> str | None:
    """The codec a collection was created with; None for plain text."""
    codec = (collection_metadata or {}).get(CODEC_KEY)
    return str(codec) if codec else None


def encode(text: str, codec: str | None) -> str:
    if codec is None:
        return text
    if codec == ZLIB_BASE64:
        return base64.b64encode(zlib.compress(text.encode("utf-8"), 6)).decode("ascii")
    raise ValueError(f"unknown text codec {codec!r}")


def decode(stored: str, codec: str | None) -> str:
    if codec is None:
        return stored
    if codec == ZLIB_BASE64:
        return zlib.decompress(base64.b64decode(stored)).decode("utf-8")
    raise ValueError(
        f"the index stores texts as {codec!r}, which this complyqa cannot read; upgrade complyqa"
    )
