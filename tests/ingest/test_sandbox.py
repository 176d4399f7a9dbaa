"""Untrusted files parse in a worker process that is killed when it runs away (issue 12.2)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ingest.errors import DocumentParseError, FileOverLimit
from ingest.loaders import load_file
from ingest.sandbox import Sandbox
from ingest.settings import ParseLimits
from tests.ingest.files import write_docx, write_docx_bomb


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    box = Sandbox()
    yield box
    box.close()


def test_sandbox_loads_like_load_file(tmp_path: Path, sandbox: Sandbox) -> None:
    path = write_docx(tmp_path / "manual.docx", ["Article 1 This manual applies to all staff."])
    (doc,) = sandbox.load(path, tmp_path)
    assert doc == load_file(path, tmp_path)[0]
    with pytest.raises(DocumentParseError, match=r"bad\.docx"):
        bad = tmp_path / "bad.docx"
        bad.write_bytes(b"PK not really")
        sandbox.load(bad, tmp_path)


def test_sandbox_kills_a_runaway_parse_and_keeps_working(tmp_path: Path) -> None:
    """With the cooperative limits lifted, only the sandbox's hard time limit stops the bomb."""
    bomb = write_docx_bomb(tmp_path / "bomb.docx")
    lifted = ParseLimits(max_zip_ratio=1e9, max_paragraphs=10**9, max_chars=10**9, seconds=1.0)
    box = Sandbox(lifted)
    try:
        with pytest.raises(FileOverLimit, match=r"bomb\.docx.*longer than 1 s.*parse\.seconds"):
            box.load(bomb, tmp_path)
        good = write_docx(tmp_path / "ok.docx", ["Article 2 Check licences."])
        assert "Article 2" in box.load(good, tmp_path)[0].text
    finally:
        box.close()


def test_sandbox_memory_cap_refuses_the_bomb(tmp_path: Path) -> None:
    bomb = write_docx_bomb(tmp_path / "bomb.docx")
    lifted = ParseLimits(
        max_zip_ratio=1e9,
        max_paragraphs=10**9,
        max_chars=10**9,
        seconds=60,
        memory_bytes=400 * 1024**2,
    )
    box = Sandbox(lifted)
    try:
        with pytest.raises(FileOverLimit, match=r"bomb\.docx.*MB of memory.*parse\.memory"):
            box.load(bomb, tmp_path)
        good = write_docx(tmp_path / "ok.docx", ["Article 3 Keep records."])
        assert "Article 3" in box.load(good, tmp_path)[0].text
    finally:
        box.close()


def test_a_large_parent_does_not_make_every_bad_file_a_memory_failure(tmp_path: Path) -> None:
    """A server holding its models starts the worker; the worker's own peak is what counts.

    Linux carries `ru_maxrss` across fork and exec, so a worker that read it would see the
    parent's 300 MB against a 400 MB cap and report a merely broken file as too big."""
    ballast = bytearray(b"x" * (300 * 1024**2))  # resident in this (the parent) process
    box = Sandbox(ParseLimits(memory_bytes=400 * 1024**2))
    try:
        bad = tmp_path / "scan.pdf"  # the PDF parser's own exception: a parser failure
        bad.write_bytes(b"%PDF-1.4 this is not really a pdf")
        with pytest.raises(DocumentParseError, match=r"scan\.pdf") as refused:
            box.load(bad, tmp_path)
        assert not isinstance(refused.value, FileOverLimit), refused.value
    finally:
        box.close()
        del ballast
