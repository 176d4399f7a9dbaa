"""LLM mode: the chain (`LLMAnswerer`); what checks its sentences is `assistant.evidence`.

Importing this package stays cheap: `LLMAnswerer` (LangChain, OpenAI client) loads on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from assistant.llm.chain import LLMAnswerer

__all__ = ["LLMAnswerer"]


def __getattr__(name: str) -> Any:
    if name == "LLMAnswerer":
        from assistant.llm.chain import LLMAnswerer

        return LLMAnswerer
    raise AttributeError(name)
