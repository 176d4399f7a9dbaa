"""Chunk rows already read from Chroma, kept while the index's state is unchanged.

A warm process reads the same chunks again and again: a small index's exact search fetches
the nearest 2k chunks of every question (~26 ms per Chroma read on the 2-core machine), and
the fused candidates of one question are largely the last one's. A chunk id names its
content (`records.chunk_id` holds the document's content hash), but a row's metadata can be
rewritten, so the kept rows are dropped whenever the connection's state changes. Where no
state is known (a Chroma server), nothing is kept.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence

from ingest.records import StoredChunk

#: Rows kept: the whole bundled corpus (~740 chunks) several times over, a few MB of text.
ROWS = 4096


class RowCache:
    """Least recently used chunk rows of one index state; safe across threads (the API's
    workers read concurrently)."""

    def __init__(self, size: int = ROWS) -> None:
        self.size = size
        self._state: object | None = None
        self._rows: OrderedDict[str, StoredChunk] = OrderedDict()
        self._lock = threading.Lock()

    def lookup(
        self, state: object | None, ids: Sequence[str]
    ) -> tuple[dict[str, StoredChunk], list[str]]:
        """The kept rows of `ids` in `state`, and the ids still to read."""
        with self._lock:
            return self._lookup(state, ids)

    def _lookup(
        self, state: object | None, ids: Sequence[str]
    ) -> tuple[dict[str, StoredChunk], list[str]]:
        if state is None or state != self._state:
            self._state = state
            self._rows.clear()
            return {}, list(ids)
        found: dict[str, StoredChunk] = {}
        missing: list[str] = []
        for cid in ids:
            row = self._rows.get(cid)
            if row is None:
                missing.append(cid)
            else:
                self._rows.move_to_end(cid)
                found[cid] = row
        return found, missing

    def keep(self, state: object | None, rows: Sequence[StoredChunk]) -> None:
        """Keep `rows`, read in `state` (the state `lookup` was asked about)."""
        with self._lock:
            if state is None or state != self._state:
                return
            for row in rows:
                self._rows[row.chunk_id] = row
                self._rows.move_to_end(row.chunk_id)
            while len(self._rows) > self.size:
                self._rows.popitem(last=False)
