"""The MCP server object: three tools over a `Toolbox`, for any transport.

Who is calling is asked of `principal(ctx)` on every call: over stdio it is the key the
server was started with; over HTTP it is the key of the request that carried the call
(`assistant/mcp/http.py` has already authenticated it and counted it against the rate limit).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import anyio.to_thread
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError

from assistant.mcp.tools import (
    AskResult,
    PassageText,
    Principal,
    SearchResult,
    Toolbox,
    ToolRefused,
)

__all__ = ["build_server"]

T = TypeVar("T")

INSTRUCTIONS = (
    "complyqa answers compliance questions from indexed regulations and articles. `ask` "
    "returns an answer whose every sentence carries an [n] marker and a citation to an exact "
    "passage (quote == document text[start:end]), or abstains; `search_sources` returns "
    "ranked passages; `get_passage` returns the exact text at a document's offsets."
)


def build_server(toolbox: Toolbox, principal: Callable[[Context], Principal]) -> MCPServer:
    """An MCP server whose tools run as `principal(ctx)` inside that key's scope."""
    # The library configures the process's root logging at this level when the server is
    # built; INFO there made every API worker log each HTTP call it made (to a Chroma server,
    # for one) on the console.
    server = MCPServer(
        name="complyqa", instructions=INSTRUCTIONS, version="0.1.0", log_level="WARNING"
    )

    async def run_as(ctx: Context, tool: Callable[[Principal], T]) -> T:
        """`tool` run as the caller of `ctx`; a refusal becomes the tool error the client reads."""
        who = principal(ctx)
        try:
            # The facade blocks (embedding, index reads): keep the event loop free.
            return await anyio.to_thread.run_sync(tool, who)
        except ToolRefused as refused:
            raise ToolError(str(refused)) from None

    @server.tool(
        name="search_sources",
        description="Ranked passages of the indexed sources for a query (hybrid retrieval). "
        "`groups` narrows to document groups such as 'cn-regulations'.",
    )
    async def search_sources(
        query: str, ctx: Context, k: int = 8, groups: list[str] | None = None
    ) -> SearchResult:
        return await run_as(ctx, lambda who: toolbox.search_sources(who, query, k=k, groups=groups))

    @server.tool(
        name="ask",
        description="Answer a compliance question from the indexed sources, with citations to "
        "exact passages, or abstain (abstained=true) when the sources do not answer it.",
    )
    async def ask(
        question: str, ctx: Context, groups: list[str] | None = None, k: int | None = None
    ) -> AskResult:
        return await run_as(ctx, lambda who: toolbox.ask(who, question, groups=groups, k=k))

    @server.tool(
        name="get_passage",
        description="The exact normalized text of a document between two character offsets "
        "(as given by a citation's start and end).",
    )
    async def get_passage(doc_id: str, start: int, end: int, ctx: Context) -> PassageText:
        return await run_as(ctx, lambda who: toolbox.get_passage(who, doc_id, start, end))

    return server
