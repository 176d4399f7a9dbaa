"""The audit log's hash chain: each row's hash covers its contents and the previous row's hash,
so an edited, removed or inserted row shows up when the chain is checked.

Pure functions over rows as dicts; `assistant.stores.audit` stores the hashes and reads rows back.
Anyone who can rewrite the whole file can also rewrite the whole chain: write down the head
hash `complyqa audit verify` prints (or export the log) to anchor it outside the machine.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["GENESIS", "ChainReport", "row_hash", "verify_rows"]

#: The `prev_hash` of the first row.
GENESIS = "0" * 64


def row_hash(row: Mapping[str, Any]) -> str:
    """The hash of one row: every non-null column but `row_hash` itself, `prev_hash` included.

    Null columns are left out so that a column added by a later migration (null in older rows)
    leaves older rows' hashes as they were.
    """
    content = {k: v for k, v in row.items() if v is not None and k != "row_hash"}
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ChainReport:
    """What checking the chain found: the first bad row, or the head of an intact chain."""

    rows: int
    head: str
    bad_row: int | None = None
    reason: str | None = None

    @property
    def ok(self) -> bool:
        return self.bad_row is None and self.reason is None


def verify_rows(
    rows: Iterable[Mapping[str, Any]], highest_id_ever: int | None = None
) -> ChainReport:
    """Checks rows in id order; stops at the first one that breaks the chain.

    `highest_id_ever` is the largest id the table ever handed out (SQLite's AUTOINCREMENT
    counter): if it is above the last row's id, rows were removed from the end.
    """
    prev, last_id, n = GENESIS, 0, 0
    for row in rows:
        n += 1
        row_id = int(row["id"])
        if row.get("row_hash") is None:
            return ChainReport(
                n, prev, row_id, "the row has no hash: it was not written by complyqa"
            )
        if row.get("prev_hash") != prev:
            what = "the first row" if last_id == 0 else f"row {last_id}"
            return ChainReport(
                n,
                prev,
                row_id,
                f"its prev_hash does not match the hash of {what}: a row before it was "
                "removed, inserted or rewritten",
            )
        if row_hash(row) != row["row_hash"]:
            return ChainReport(
                n, prev, row_id, "its contents do not match its hash: the row was edited"
            )
        prev, last_id = str(row["row_hash"]), row_id
    if highest_id_ever is not None and highest_id_ever > last_id:
        return ChainReport(
            n,
            prev,
            last_id + 1,
            f"rows {last_id + 1} to {highest_id_ever} were written and are gone: removed from "
            "the end of the log",
        )
    return ChainReport(n, prev)
