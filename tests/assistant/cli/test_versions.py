"""`--as-of` on ask and search, and `sources` listing versions (in process, fake embedder)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.cli import ask as ask_cli
from assistant.cli import corpus as corpus_cli
from assistant.cli.main import app
from assistant.cli.output import UsageError
from assistant.service import ComplyQA
from assistant.settings import Settings
from tests.conftest import CORPUS, FakeEmbedder

CN_LAWS = Path(__file__).resolve().parents[4] / "shared" / "corpus-large" / "cn-laws"
SMALL = "司法解释/最高人民法院关于设立国际商事法庭若干问题的规定"
OLD, NEW = f"{SMALL}(2018-06-27).md", f"{SMALL}(2023-12-18).md"  # in force 2018-07-01, 2024-01-01
CSL = "cn-regulations/网络安全法(2016-11-07).md"


@pytest.fixture(scope="module")
def qa(tmp_path_factory: pytest.TempPathFactory) -> ComplyQA:
    if not (CN_LAWS / OLD).is_file():
        pytest.skip("needs ../shared/corpus-large/cn-laws (not in this checkout)")
    root = tmp_path_factory.mktemp("cli-versions")
    corpus = root / "corpus"
    for source, rel in [
        (CN_LAWS, OLD),
        (CN_LAWS, NEW),
        (CORPUS, CSL),
        (CORPUS, CSL + ".meta.json"),
    ]:
        (corpus / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(source / rel, corpus / rel)
    settings = Settings.load(data_dir=root / "data", relevance={"enabled": False})
    made = ComplyQA(settings, embedder=FakeEmbedder())  # type: ignore[arg-type]
    assert not made.ingest([corpus]).failed
    return made


def flat(output: str) -> str:
    """The output with line wrapping undone (the console is 80 columns in tests)."""
    return " ".join(output.split())


@pytest.fixture
def cli(qa: ComplyQA, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    for module in (ask_cli, corpus_cli):
        monkeypatch.setattr(module, "make_qa", lambda profile, preload=False: qa)
    return CliRunner()


def test_ask_as_of_cites_the_older_text_and_says_it_is_superseded(cli: CliRunner) -> None:
    result = cli.invoke(app, ["ask", "国际商事法庭受理哪些案件？", "--as-of", "2020-01-01"])
    assert result.exit_code == 0, result.output
    assert OLD in result.output and NEW not in result.output
    assert "⚠ superseded · text in force 2018-07-01 to 2024-01-01" in flat(result.output)
    today = cli.invoke(app, ["ask", "国际商事法庭受理哪些案件？"])
    assert NEW in today.output and OLD not in today.output and "⚠" not in today.output


def test_search_as_of_json_carries_the_status(cli: CliRunner) -> None:
    result = cli.invoke(
        app,
        ["search", "国际商事法庭 受理", "--as-of", "2020-01-01", "--json", "-f", "group=司法解释"],
    )
    passages = json.loads(result.output)
    assert passages and {(p["doc_id"], p["status"]) for p in passages} == {(OLD, "superseded")}


def test_cybersecurity_law_answer_shows_the_amendment_warning(cli: CliRunner) -> None:
    result = cli.invoke(app, ["ask", "网络安全法第二十一条规定了什么？"])
    assert CSL in result.output
    warning = (
        "⚠ amended 2025-10-28, amendment not in corpus · text in force 2017-06-01 to 2026-01-01"
    )
    assert warning in flat(result.output)


def test_sources_lists_versions_and_marks_the_one_in_force(cli: CliRunner) -> None:
    output = flat(cli.invoke(app, ["sources"]).output)
    assert f"{SMALL} 2 versions" in output
    assert f"✓ {NEW}" in output and f"✓ {OLD}" not in output and OLD in output
    assert "superseded · text in force 2018-07-01 to 2024-01-01" in output


def test_a_malformed_day_is_a_usage_error(cli: CliRunner) -> None:
    result = cli.invoke(app, ["search", "x", "--as-of", "2020-13-01"])
    assert isinstance(result.exception, UsageError) and "YYYY-MM-DD" in str(result.exception)
