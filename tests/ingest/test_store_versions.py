"""The store keeps each text's period current: on open (older indexes), write and delete."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from assistant.models import Filters
from assistant.service import ComplyQA
from assistant.settings import Settings
from tests.conftest import FakeEmbedder

OLD, NEW = "j/规定(2012-12-20).md", "j/规定(2021-01-26).md"


def _law(effective: str, duty: str) -> str:
    return f"# 某规定\n\n{effective} 施行\n\n<!-- INFO END -->\n\n第一条 经营者应当{duty}。\n"


def _qa(data: Path) -> ComplyQA:
    settings = Settings.load(data_dir=data, relevance={"enabled": False})
    return ComplyQA(settings, embedder=FakeEmbedder())  # type: ignore[arg-type]


def test_an_index_from_before_versions_is_upgraded_when_opened(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    (corpus / "j").mkdir(parents=True)
    (corpus / OLD).write_text(_law("2013年1月1日", "保存记录三个月"), encoding="utf-8")
    (corpus / NEW).write_text(_law("2021年3月1日", "保存记录六个月"), encoding="utf-8")
    qa = _qa(tmp_path / "data")
    qa.ingest([corpus])
    # Strip every version field, as an index written before versions were tracked has none.
    fields = {*qa.index.store.manifest()[OLD]} - {
        "title", "language", "date", "jurisdiction", "group", "content_hash", "n_chunks",
        "chars", "source_path", "ingested_at",
    }  # fmt: skip
    assert {"instrument", "valid_from", "valid_to", "fact_effective_from"} <= fields

    def strip(c) -> None:  # noqa: ANN001
        c.documents.update(ids=[OLD, NEW], metadatas=[dict.fromkeys(fields)] * 2)
        ids = c.chunks.get(include=[])["ids"]
        c.chunks.update(ids=ids, metadatas=[dict.fromkeys(fields)] * len(ids))

    qa.index.store._write(strip)
    assert all("valid_to" not in m for m in qa.index.store.manifest().values())

    reopened = _qa(tmp_path / "data")
    docs = {d.doc_id: d for d in reopened.documents()}
    assert (docs[OLD].status, docs[OLD].effective_to) == ("superseded", "2021-03-01")
    assert docs[NEW].status == "in_force"
    assert {p.doc_id for p in reopened.search("保存记录", k=5)} == {NEW}
    then = Filters(as_of=dt.date(2015, 1, 1))
    assert {p.doc_id for p in reopened.search("保存记录", k=5, filters=then)} == {OLD}
    assert reopened.index.store.upgrade_versions() == 0  # once is enough


def test_a_sidecar_link_joins_a_renamed_successor(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    (corpus / "j").mkdir(parents=True)
    (corpus / "j" / "旧办法.md").write_text(
        "# 旧办法\n\n第一条 经营者应当登记。\n", encoding="utf-8"
    )
    (corpus / "j" / "旧办法.md.meta.json").write_text(
        '{"effective_from": "2010-01-01", "superseded_by": "新规定(2020-06-01).md"}',
        encoding="utf-8",
    )
    (corpus / "j" / "新规定(2020-06-01).md").write_text(
        "# 新规定\n\n第一条 经营者应当备案。\n", encoding="utf-8"
    )
    qa = _qa(tmp_path / "data")
    qa.ingest([corpus])
    docs = {d.doc_id: d for d in qa.documents()}
    old = docs["j/旧办法.md"]
    assert (old.status, old.effective_to, old.superseded_by) == (
        "superseded",
        "2020-06-01",
        "j/新规定(2020-06-01).md",
    )
    assert {p.doc_id for p in qa.search("经营者 登记 备案", k=5)} == {"j/新规定(2020-06-01).md"}
    then = Filters(as_of=dt.date(2015, 1, 1))
    assert {p.doc_id for p in qa.search("经营者 登记 备案", k=5, filters=then)} == {"j/旧办法.md"}
