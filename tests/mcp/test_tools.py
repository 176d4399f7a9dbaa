"""The MCP tools without a transport: scope, exact passages, one audit row per call."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.mcp.tools import Principal, Toolbox, ToolRefused
from assistant.stores.keys import ApiKey
from tests.api.conftest import ApiEnv, build_env
from tests.conftest import FakeEmbedder

QUESTION = "When is a license required to export advanced computing items for a supercomputer?"


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> ApiEnv:
    return build_env(Path(tmp_path_factory.mktemp("mcp-tools")), FakeEmbedder())


def _who(env: ApiEnv, name: str) -> Principal:
    key = env.state.keys.get(env.key_ids[name])
    assert isinstance(key, ApiKey)
    return Principal(key)


def _rows(env: ApiEnv) -> list[object]:
    return env.state.audit.entries()


def test_ask_cites_passages_get_passage_returns_exactly(env: ApiEnv) -> None:
    tools = Toolbox(env.state.facade, env.state.audit)
    before = len(_rows(env))
    result = tools.ask(_who(env, "reader"), QUESTION)
    assert not result.abstained and result.citations
    c = result.citations[0]
    passage = tools.get_passage(_who(env, "reader"), c.doc_id, c.start, c.end)
    assert passage.text == c.quote
    rows = env.state.audit.entries()[before:]
    assert [(r.endpoint, r.method, r.key_id) for r in rows] == [
        ("mcp:ask", "MCP", env.key_ids["reader"]),
        ("mcp:get_passage", "MCP", env.key_ids["reader"]),
    ]
    assert rows[0].question == QUESTION and rows[0].citations and rows[0].answer_text


def test_scoped_key_sees_only_its_groups(env: ApiEnv) -> None:
    tools = Toolbox(env.state.facade, env.state.audit)
    cn = _who(env, "cn_reader")
    found = tools.search_sources(cn, "export licence supercomputer", k=20)
    assert found.passages and all(p.doc_id.startswith("cn-regulations/") for p in found.passages)
    answer = tools.ask(cn, QUESTION)
    assert all(c.doc_id.startswith("cn-regulations/") for c in answer.citations)
    with pytest.raises(ToolRefused, match="us-ear") as asked:
        tools.ask(cn, QUESTION, groups=["us-ear"])
    assert asked.value.status == 403
    with pytest.raises(ToolRefused) as read:
        tools.get_passage(cn, "us-ear/744.23.md", 0, 10)
    assert read.value.status == 403
    rows = env.state.audit.entries()[-2:]
    assert [(r.endpoint, r.status) for r in rows] == [("mcp:ask", 403), ("mcp:get_passage", 403)]


def test_get_passage_checks_its_span(env: ApiEnv) -> None:
    tools = Toolbox(env.state.facade, env.state.audit)
    reader = _who(env, "reader")
    for start, end in [(10, 10), (-1, 5), (0, 10**6), (0, 5000)]:
        with pytest.raises(ToolRefused) as bad:
            tools.get_passage(reader, "us-ear/744.23.md", start, end)
        assert bad.value.status == 422
    with pytest.raises(ToolRefused) as missing:
        tools.get_passage(reader, "us-ear/none.md", 0, 5)
    assert missing.value.status == 404


def test_building_the_mcp_server_leaves_the_process_logging_quiet() -> None:
    """The MCP library configures root logging when its server is built; at INFO every API
    worker (which has no CLI to configure logging first) logged each HTTP call it made."""
    import subprocess
    import sys

    code = (
        "import logging\n"
        "from assistant.mcp.server import build_server\n"
        "build_server(None, lambda ctx: None)\n"  # only building it matters
        "print(logging.getLogger().getEffectiveLevel())\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert int(out.stdout.strip().splitlines()[-1]) >= 30  # logging.WARNING
