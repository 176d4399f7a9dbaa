"""cn-laws as an optional pack: ingested in place, its document ids are STARD's gold sources."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ingest.loaders import load_file
from ingest.pipeline import default_root

SHARED = Path(__file__).resolve().parents[3] / "shared"
CN_LAWS = SHARED / "corpus-large" / "cn-laws"
STARD = SHARED / "benchmarks" / "stard" / "stard-dev.jsonl"

pytestmark = pytest.mark.skipif(
    not (CN_LAWS.is_dir() and STARD.is_file()),
    reason="needs ../shared/corpus-large/cn-laws and ../shared/benchmarks/stard (not in this checkout)",
)


def test_pack_ids_are_the_gold_sources_stard_names() -> None:
    # `complyqa ingest ../shared/corpus-large/cn-laws`: a lone folder is its own root.
    root = default_root([CN_LAWS])
    assert root == CN_LAWS
    golds = sorted(
        {
            g
            for line in STARD.read_text(encoding="utf-8").splitlines()
            for g in json.loads(line)["gold_sources"]
        }
    )
    assert len(golds) > 100
    for gold in golds:
        doc = load_file(CN_LAWS / gold, root)[0]
        assert doc.doc_id == gold
        assert doc.group == gold.split("/", 1)[0]  # e.g. "民法典": filters and scopes use it
