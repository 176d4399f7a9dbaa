"""Helpers for tests that start a real server process on loopback and stop it after."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_up(
    proc: subprocess.Popen[bytes], url: str, *, timeout: float, log: Path | None = None
) -> None:
    """Return once `url` answers 200; raise with the log's tail if the process dies or hangs."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}:\n{_tail(log)}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer within {timeout} s:\n{_tail(log)}")


def stop(proc: subprocess.Popen[bytes], *, grace: float = 30) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=grace)


def _tail(log: Path | None) -> str:
    return log.read_text(errors="replace")[-2000:] if log and log.exists() else ""


def child_env(data_dir: Path) -> dict[str, str]:
    """The environment of a complyqa child process on `data_dir`: no COMPLYQA_* of the
    test run, one BLAS thread, no hub."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMPLYQA_")}
    env.update(
        COMPLYQA_DATA_DIR=str(data_dir),
        OPENBLAS_NUM_THREADS="1",
        OMP_NUM_THREADS="1",
        HF_HUB_OFFLINE="1",
        TOKENIZERS_PARALLELISM="false",
    )
    return env


def alive(pid: int) -> bool:
    """Running, not a zombie waiting to be reaped."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "\nState:\tZ" not in status
