"""Choosing the files of an ingest: folders walked, sidecars and ignored files passed over."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.discovery import SUPPORTED_SUFFIXES, discover_files
from ingest.errors import UnreadablePath, UnsupportedFileType
from tests.ingest.files import write_text


def test_discover_walks_sorted_and_skips_hidden_sidecars_ignored(tmp_path: Path) -> None:
    write_text(tmp_path / "b" / "two.md", "two")
    write_text(tmp_path / "a" / "one.txt", "one")
    write_text(tmp_path / "a" / "one.txt.meta.json", "{}")
    write_text(tmp_path / "a" / "_group.meta.json", "{}")
    write_text(tmp_path / "a" / ".hidden.txt", "no")
    write_text(tmp_path / ".git" / "x.txt", "no")
    write_text(tmp_path / "a" / "image.png", "png")
    write_text(tmp_path / "NOTES.md", "ignored")
    write_text(tmp_path / "drafts" / "d.md", "ignored")
    write_text(tmp_path / ".complyqaignore", "NOTES.md\ndrafts/\n")
    found = discover_files([tmp_path], tmp_path)
    assert found.files == [tmp_path / "a" / "one.txt", tmp_path / "b" / "two.md"]
    reasons = {p.name: why for p, why in found.skipped}
    assert "unsupported" in reasons["image.png"]
    assert ".complyqaignore" in reasons["NOTES.md"] and ".complyqaignore" in reasons["d.md"]


def test_discover_explicit_files_and_dedup(tmp_path: Path) -> None:
    one = write_text(tmp_path / "one.txt", "one")
    found = discover_files([one, tmp_path, one], tmp_path)
    assert found.files == [one]


def test_missing_path_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(UnreadablePath, match=r"no such file or folder.*Check the spelling"):
        discover_files([tmp_path / "nope.md"], tmp_path)


def test_unsupported_type_names_the_supported_ones(tmp_path: Path) -> None:
    bad = write_text(tmp_path / "sheet.xlsx", "x")
    with pytest.raises(UnsupportedFileType) as info:
        discover_files([bad], tmp_path)
    assert ".xlsx" in str(info.value)
    assert all(s in str(info.value) for s in SUPPORTED_SUFFIXES)
