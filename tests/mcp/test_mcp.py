"""The MCP server through the official SDK's own client, over streamable HTTP (mounted on a
real `complyqa serve`) and over stdio (`complyqa mcp`): tools, scopes, audit (issue 11.5)."""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable, Iterator
from contextlib import AbstractAsyncContextManager
from typing import Any

import anyio
import httpx
import httpx2
import pytest
from mcp import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client
from mcp.client.streamable_http import streamable_http_client

from tests.api.live import COMPLYQA, LiveServer, live_server

pytestmark = pytest.mark.slow

QUESTION = "When is a license required to export advanced computing items for a supercomputer?"
TOOLS = {"search_sources", "ask", "get_passage"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with live_server(tmp_path_factory.mktemp("mcp")) as s:
        yield s


def key_id(secret: str) -> str:
    return secret.split("_")[1]


Session = Callable[[Callable[[ClientSession], Awaitable[Any]]], Any]


def over_http(server: LiveServer, key: str) -> Session:
    def run(body: Callable[[ClientSession], Awaitable[Any]]) -> Any:
        async def main() -> Any:
            headers = server.auth(key)
            url = f"{server.url}/mcp/"
            async with (
                httpx2.AsyncClient(headers=headers, timeout=300) as http,
                streamable_http_client(url, http_client=http) as (read, write),
            ):
                return await _session(read, write, body)

        return anyio.run(main)

    return run


def over_stdio(server: LiveServer, key: str) -> Session:
    env = {
        "COMPLYQA_DATA_DIR": str(server.data_dir),
        "COMPLYQA_API_KEY": server.keys[key],
        "OPENBLAS_NUM_THREADS": "1",
        "HF_HUB_OFFLINE": "1",
        "PATH": os.environ.get("PATH", ""),
    }
    params = StdioServerParameters(command=COMPLYQA, args=["mcp"], env=env)

    def run(body: Callable[[ClientSession], Awaitable[Any]]) -> Any:
        async def main() -> Any:
            transport: AbstractAsyncContextManager[Any] = stdio_client(params)
            async with transport as (read, write):
                return await _session(read, write, body)

        return anyio.run(main)

    return run


async def _session(read: Any, write: Any, body: Callable[[ClientSession], Awaitable[Any]]) -> Any:
    async with ClientSession(read, write) as session:
        await session.initialize()
        return await body(session)


async def _exercise(session: ClientSession) -> dict[str, Any]:
    """What a client sees of the three tools: their names, an answer, its first passage, a
    search, and an out-of-scope request."""
    tools = {t.name for t in (await session.list_tools()).tools}
    ask = await session.call_tool("ask", {"question": QUESTION})
    assert not ask.is_error, ask.content
    answer = ask.structured_content or {}
    passage = None
    if answer.get("citations"):
        c = answer["citations"][0]
        got = await session.call_tool(
            "get_passage", {"doc_id": c["doc_id"], "start": c["start"], "end": c["end"]}
        )
        passage = (got.structured_content or {}) if not got.is_error else {"error": got.content}
    search = await session.call_tool("search_sources", {"query": "export licence", "k": 10})
    outside = await session.call_tool("ask", {"question": QUESTION, "groups": ["us-ear"]})
    return {
        "tools": tools,
        "answer": answer,
        "passage": passage,
        "search": search.structured_content or {},
        "outside_error": outside.is_error,
        "outside_text": " ".join(getattr(c, "text", "") for c in outside.content),
    }


def _audit_rows(server: LiveServer, key: str) -> list[dict[str, Any]]:
    rows = httpx.get(
        f"{server.url}/v1/audit", params={"limit": 10_000}, headers=server.auth("admin")
    ).json()
    return [r for r in rows if r["key_id"] == key_id(server.keys[key]) and r["method"] == "MCP"]


@pytest.mark.parametrize("transport", [over_http, over_stdio], ids=["http", "stdio"])
def test_unscoped_reader_asks_checks_the_passage_and_is_audited(
    server: LiveServer, transport: Callable[[LiveServer, str], Session]
) -> None:
    before = len(_audit_rows(server, "reader"))
    seen = transport(server, "reader")(_exercise)
    assert seen["tools"] == TOOLS
    answer = seen["answer"]
    assert not answer["abstained"] and answer["citations"]
    assert any(c["doc_id"].startswith("us-ear/") for c in answer["citations"])
    assert seen["passage"]["text"] == answer["citations"][0]["quote"]
    assert seen["search"]["passages"]
    assert not seen["outside_error"]  # an unscoped key may name any group
    rows = _audit_rows(server, "reader")[before:]
    assert [r["endpoint"] for r in rows] == [
        "mcp:ask",
        "mcp:get_passage",
        "mcp:search_sources",
        "mcp:ask",
    ]
    assert rows[0]["question"] == QUESTION and rows[0]["citations"] and rows[0]["status"] == 200


@pytest.mark.parametrize("transport", [over_http, over_stdio], ids=["http", "stdio"])
def test_scoped_key_sees_only_its_groups(
    server: LiveServer, transport: Callable[[LiveServer, str], Session]
) -> None:
    before = len(_audit_rows(server, "cn_reader"))
    seen = transport(server, "cn_reader")(_exercise)
    cited = [c["doc_id"] for c in seen["answer"]["citations"]]
    assert all(d.startswith("cn-regulations/") for d in cited), cited
    found = [p["doc_id"] for p in seen["search"]["passages"]]
    assert found and all(d.startswith("cn-regulations/") for d in found), found
    assert seen["outside_error"] and "us-ear" in seen["outside_text"]
    rows = _audit_rows(server, "cn_reader")[before:]
    assert len(rows) == 3 + (1 if cited else 0)
    refused = rows[-1]
    assert refused["endpoint"] == "mcp:ask" and refused["status"] == 403


def test_get_passage_outside_the_scope_is_refused(server: LiveServer) -> None:
    async def body(session: ClientSession) -> Any:
        return await session.call_tool(
            "get_passage", {"doc_id": "us-ear/744.23.md", "start": 0, "end": 20}
        )

    result = over_http(server, "cn_reader")(body)
    assert result.is_error
    assert _audit_rows(server, "cn_reader")[-1]["status"] == 403


def test_http_without_a_key_is_refused_and_audited(server: LiveServer) -> None:
    response = httpx.post(
        f"{server.url}/mcp/",
        json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
        headers={"Accept": "application/json, text/event-stream"},
    )
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    rows = httpx.get(
        f"{server.url}/v1/audit", params={"limit": 10_000}, headers=server.auth("admin")
    ).json()
    assert rows[-1]["endpoint"] == "/mcp" and rows[-1]["status"] == 401
