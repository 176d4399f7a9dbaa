"""A file's metadata (folder default, file name, front matter, sidecar) in its `Document`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ingest.errors import DocumentParseError
from ingest.loaders import load_file
from tests.ingest.files import load_one, write_text


def test_metadata_priority_group_filename_front_matter_sidecar(tmp_path: Path) -> None:
    folder = tmp_path / "laws"
    write_text(folder / "_group.meta.json", json.dumps({"jurisdiction": "CN", "status": "public"}))
    path = write_text(
        folder / "法(2016-11-07).md",
        "---\ntitle: Front title\ndate: 2017-06-01\n---\n"
        "# 中华人民共和国网络安全法\n\n第一条 内容。\n",
    )
    doc = load_one(path, tmp_path)
    assert doc.doc_id == "laws/法(2016-11-07).md"
    assert doc.text.startswith("# 中华人民共和国网络安全法")  # front matter stripped
    assert (doc.title, doc.date, doc.jurisdiction) == ("Front title", "2017-06-01", "CN")
    assert doc.language == "zh" and doc.extra == {"status": "public"}

    write_text(
        folder / "法(2016-11-07).md.meta.json",
        json.dumps({"date": "2025-10-28", "jurisdiction": "CN-BJ", "note": 7}),
    )
    doc = load_one(path, tmp_path)
    assert (doc.date, doc.jurisdiction) == ("2025-10-28", "CN-BJ")
    assert doc.extra == {"status": "public", "note": "7"}


def test_date_from_file_name_and_title_from_heading(tmp_path: Path) -> None:
    path = write_text(
        tmp_path / "数据安全法(2021-06-10).md", "# 中华人民共和国数据安全法\n\n第一条 x。"
    )
    doc = load_one(path, tmp_path)
    assert (doc.date, doc.title, doc.jurisdiction) == (
        "2021-06-10",
        "中华人民共和国数据安全法",
        None,
    )


def test_broken_sidecar_is_reported(tmp_path: Path) -> None:
    path = write_text(tmp_path / "a.md", "text")
    write_text(tmp_path / "a.md.meta.json", "{not json")
    with pytest.raises(DocumentParseError, match=r"a\.md\.meta\.json.*not valid JSON"):
        load_file(path, tmp_path)


def test_aliases_are_kept_and_editing_them_re_indexes(tmp_path: Path) -> None:
    folder = tmp_path / "ear"
    path = write_text(folder / "section-744.6.md", "# § 744.6 Restrictions\n\n(a) Scope.\n")
    plain = load_one(path, tmp_path).content_hash
    write_text(
        folder / "_group.meta.json",
        json.dumps({"aliases": "EAR; Export Administration Regulations"}),
    )
    named = load_one(path, tmp_path)
    assert named.extra["aliases"] == "EAR; Export Administration Regulations"
    assert named.content_hash != plain
