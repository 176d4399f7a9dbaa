"""Loading one file by its suffix, and the errors users see whatever the format."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.discovery import SUPPORTED_SUFFIXES
from ingest.errors import DocumentParseError, UnreadablePath, UnsupportedFileType
from ingest.loaders import load_file
from tests.ingest.files import write_text


def test_missing_file_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(UnreadablePath, match="no such file"):
        load_file(tmp_path / "nope.md", tmp_path)


def test_unsupported_type_names_the_supported_ones(tmp_path: Path) -> None:
    bad = write_text(tmp_path / "sheet.xlsx", "x")
    with pytest.raises(UnsupportedFileType) as info:
        load_file(bad, tmp_path)
    assert ".xlsx" in str(info.value)
    assert all(s in str(info.value) for s in SUPPORTED_SUFFIXES)


def test_empty_file_is_a_parse_error(tmp_path: Path) -> None:
    with pytest.raises(DocumentParseError, match="no text"):
        load_file(write_text(tmp_path / "empty.md", " \n\u200b\n"), tmp_path)
