"""The CLI over a small index: user errors are one clear line and a non-zero exit."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
CLI = Path(sys.executable).parent / "complyqa"


def run(*args: str, data: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COMPLYQA_DATA_DIR": str(data)}
    return subprocess.run(
        [str(CLI), *args], env=env, capture_output=True, text=True, input=stdin, timeout=300
    )


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("cli")
    corpus = root / "corpus"
    corpus.mkdir()
    (corpus / "law.md").write_text(
        "# Cloud Law\n\n第二十一条 云服务提供者应当取得B11许可证。\n\n第二十二条 云服务提供者应当保存日志六个月。\n",
        encoding="utf-8",
    )
    (corpus / "note.txt").write_text(
        "Exporters of supercomputer items need a licence under section 744.23.\n"
    )
    result = run("ingest", str(corpus), data=root / "data")
    assert result.returncode == 0, result.stderr
    assert "added 2" in result.stdout
    return root / "data"


def test_ask_json_carries_exact_citations(data: Path) -> None:
    result = run("ask", "Who needs a licence for supercomputer items?", "--json", data=data)
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert not answer["abstained"]
    assert answer["citations"][0]["doc_id"] == "note.txt"


def test_search_and_sources(data: Path) -> None:
    assert "law.md" in run("sources", data=data).stdout
    result = run("search", "日志", "--json", data=data)
    assert json.loads(result.stdout)[0]["doc_id"] == "law.md"


def test_chat_follow_up_uses_the_conversation(data: Path) -> None:
    result = run(
        "chat", data=data, stdin="Cloud Law 第二十一条 requires what?\nand what about Article 22?\n"
    )
    assert result.returncode == 0, result.stderr
    assert "日志" in result.stdout.split("you>")[-2]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("ask", "  "), "question is empty"),
        (("ask", "x", "--filter", "color=red"), "bad filter"),
        (("ingest", "/no/such/path"), "does not exist"),
    ],
)
def test_user_errors_are_one_clear_line(data: Path, args: tuple[str, ...], message: str) -> None:
    result = run(*args, data=data)
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr


def test_no_index_yet_says_what_to_do(tmp_path: Path) -> None:
    result = run("ask", "anything", data=tmp_path / "empty")
    assert result.returncode == 2 and "complyqa ingest" in result.stderr


def test_unsupported_file_type(tmp_path: Path) -> None:
    bad = tmp_path / "slides.pptx"
    bad.write_bytes(b"not really")
    result = run("ingest", str(bad), data=tmp_path / "d")
    assert result.returncode == 2 and "supported" in result.stderr
