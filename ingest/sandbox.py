"""Untrusted files (uploads) are parsed in a child process that can be killed.

A decompression bomb dressed as .docx once held the server for 12 minutes at 2 GB; parsing
in-process, nothing could stop it. Here one long-lived worker process (started on first use,
`python -m ingest.sandbox`) parses one file at a time under hard limits: an address-space cap
(`resource.RLIMIT_AS`), a CPU-time cap per file, and a wall-clock deadline after which the
parent kills it and starts a fresh one. The cooperative limits of `ingest.limits` run inside
it too, so most refusals arrive early with a precise reason.

Results come back as JSON (never pickle: the child reads hostile bytes, the parent trusts
nothing it says beyond plain data).
"""

from __future__ import annotations

import contextlib
import dataclasses
import importlib
import json
import logging
import os
import resource
import selectors
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from ingest import errors
from ingest.errors import ComplyqaError, DocumentParseError, FileOverLimit
from ingest.limits import time_limit_message
from ingest.models import Document, Segment
from ingest.settings import ParseLimits

__all__ = ["Sandbox", "configure", "load_untrusted"]

log = logging.getLogger(__name__)

#: Time a fresh worker may take to import the parsers before it counts as broken.
STARTUP_SECONDS = 60.0
_ERRORS = {
    name: getattr(errors, name)
    for name in (
        "UnreadablePath",
        "UnsupportedFileType",
        "DocumentParseError",
        "FileOverLimit",
        "ConfigurationError",  # a format whose extra is missing: the server is at fault
    )
}


class Sandbox:
    """Parses files in a worker process under `limits`; one file at a time."""

    def __init__(self, limits: ParseLimits | None = None) -> None:
        self.limits = limits or ParseLimits()
        self._proc: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()
        self._closed = False

    def load(self, path: Path, root: Path) -> list[Document]:
        """`ingest.loaders.load_file(path, root)`, run where a runaway can be killed."""
        request = {"path": str(path), "root": str(root), "limits": self.limits.model_dump()}
        with self._lock:
            self._closed = False
            proc = self._worker()
            try:
                assert proc.stdin is not None
                proc.stdin.write(json.dumps(request).encode() + b"\n")
                proc.stdin.flush()
                line = _read_line(proc, time.monotonic() + self.limits.seconds + 2)
            except (BrokenPipeError, TimeoutError, EOFError) as exc:
                self._kill()
                self._respawn()
                raise self._refusal(path, proc, exc) from None
        reply = json.loads(line)
        if "documents" in reply:
            return [_document(d) for d in reply["documents"]]
        kind = _ERRORS.get(reply["error"], DocumentParseError)
        if reply.get("restart"):
            with self._lock:
                self._kill()
                self._respawn()
        raise kind(reply["message"])

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._kill()

    def _worker(self) -> subprocess.Popen[bytes]:
        if self._proc is not None and self._proc.poll() is None:
            return self._proc
        package_root = str(Path(__file__).resolve().parent.parent)
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([package_root, *sys.path])}
        env["OPENBLAS_NUM_THREADS"] = "1"
        proc = subprocess.Popen(
            [sys.executable, "-m", "ingest.sandbox", str(self.limits.memory_bytes)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
            bufsize=0,
        )
        try:
            ready = _read_line(proc, time.monotonic() + STARTUP_SECONDS)
        except (TimeoutError, EOFError) as exc:
            proc.kill()
            proc.wait()
            raise ComplyqaError(
                f"the parser process did not start ({exc}); check that the server can start "
                "subprocesses and has memory for them (setting parse.memory_bytes)"
            ) from None
        if json.loads(ready) != {"ready": True}:  # pragma: no cover - protocol guard
            raise ComplyqaError("the parser process answered with something unexpected")
        self._proc = proc
        return proc

    def _respawn(self) -> None:
        """Start the next worker now, in the background: the next upload need not wait for
        its imports (seconds on a busy machine)."""

        def start() -> None:
            with self._lock:
                if self._closed:
                    return
                try:
                    self._worker()
                except ComplyqaError:
                    log.warning("the parser process did not restart", exc_info=True)

        threading.Thread(target=start, name="sandbox-respawn", daemon=True).start()

    def _kill(self) -> None:
        if self._proc is not None:
            self._proc.kill()
            self._proc.wait()
            self._proc = None

    def _refusal(self, path: Path, proc: subprocess.Popen[bytes], exc: Exception) -> Exception:
        """Why the worker stopped answering, said to the user."""
        code = proc.returncode
        if isinstance(exc, TimeoutError) or code in (-signal.SIGXCPU, -signal.SIGKILL):
            return FileOverLimit(time_limit_message(path, self.limits))
        return FileOverLimit(
            f"{path}: the parser stopped on this file (exit code {code}); it is damaged or "
            "built to exhaust a reader. Save it again from its editor, or as PDF or text."
        )


def _read_line(proc: subprocess.Popen[bytes], deadline: float) -> bytes:
    """One reply line from the worker, or TimeoutError / EOFError."""
    assert proc.stdout is not None
    fd = proc.stdout.fileno()
    chunks: list[bytes] = []
    with selectors.DefaultSelector() as selector:
        selector.register(fd, selectors.EVENT_READ)
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not selector.select(timeout=left):
                raise TimeoutError("no reply in time")
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                proc.wait()
                raise EOFError(f"the parser exited with {proc.returncode}")
            chunks.append(chunk)
            if chunk.endswith(b"\n"):
                return b"".join(chunks)


def _document(data: dict[str, Any]) -> Document:
    segments = tuple(Segment(**s) for s in data.pop("segments"))
    return Document(**data, segments=segments)


_default = Sandbox()


def _forget_worker_in_child() -> None:
    # A forked child must not talk to its parent's worker over the same pipes.
    global _default
    _default = Sandbox(_default.limits)


os.register_at_fork(after_in_child=_forget_worker_in_child)


def configure(limits: ParseLimits) -> None:
    """Set the limits `load_untrusted` applies in this process (from the ingest settings)."""
    global _default
    if limits != _default.limits:
        _default.close()
        _default = Sandbox(limits)


def load_untrusted(path: Path, root: Path) -> list[Document]:
    """Load an untrusted file (an upload) in the sandbox, with the configured limits."""
    return _default.load(path, root)


# --- the worker ---------------------------------------------------------------------------


def _serve(memory_bytes: int) -> None:
    """Answer parse requests on stdin until it closes, one JSON line each way."""
    replies = os.fdopen(os.dup(1), "wb", buffering=0)
    os.dup2(2, 1)  # a library that prints must not corrupt the replies
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    os.nice(5)  # the server's own requests come first
    # Import the parsers now: startup is not a file's time. One whose extra is missing is
    # reported, naming the extra, when a file of its type arrives.
    for parser in ("docx", "pypdf", "trafilatura"):
        with contextlib.suppress(ImportError):
            importlib.import_module(parser)

    from ingest.loaders import load_file

    replies.write(b'{"ready": true}\n')
    for line in sys.stdin.buffer:
        request = json.loads(line)
        limits = ParseLimits(**request["limits"])
        used = resource.getrusage(resource.RUSAGE_SELF)
        cpu = int(used.ru_utime + used.ru_stime + limits.seconds) + 1
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, resource.RLIM_INFINITY))
        path = Path(request["path"])
        peak_before = _peak()
        reply: dict[str, Any]
        try:
            docs = load_file(path, Path(request["root"]), limits=limits)
            reply = {"documents": [dataclasses.asdict(d) for d in docs]}
        except ComplyqaError as exc:
            reply = {"error": type(exc).__name__, "message": str(exc)}
        except MemoryError:
            reply = _out_of_memory(path, limits)
        except RecursionError:
            reply = {
                "error": "FileOverLimit",
                "message": f"{path}: the file nests too deep to read. Save it as plain text.",
            }
        except Exception as exc:  # a parser bug on hostile input is the file's problem
            reply = {
                "error": "DocumentParseError",
                "message": f"{path}: could not be read ({type(exc).__name__}: {exc}).",
            }
        # A limit the loader itself enforced (a page count, say) is that limit, unless this
        # very file raised the peak; a parser failure near the cap is the cap.
        blamed = _peak() > peak_before or reply.get("error") == "DocumentParseError"
        if blamed and _near_memory_cap(memory_bytes):
            # Parsers (libxml2 under python-docx) report a failed allocation as a parse
            # error; a failure this close to the cap is the cap. A fresh worker follows.
            reply = reply if "documents" in reply else _out_of_memory(path, limits)
            reply["restart"] = True
        replies.write(json.dumps(reply, ensure_ascii=False).encode() + b"\n")
        if reply.get("restart"):
            return


def _out_of_memory(path: Path, limits: ParseLimits) -> dict[str, Any]:
    return {
        "error": "FileOverLimit",
        "restart": True,
        "message": f"{path}: reading the file needs more than "
        f"{limits.memory_bytes // 1024**2:,} MB of memory (setting parse.memory_bytes). "
        "Split it, or save it as PDF or text.",
    }


def _peak() -> int:
    """The worker's own peak resident size so far, in bytes (it only ever grows).

    Read from the process's memory map (`VmHWM`), not `getrusage`: Linux carries
    `ru_maxrss` across fork and exec, so a worker started by a server that holds 1.5 GB of
    models would report that server's peak, and blame every unreadable file on the memory
    cap."""
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024  # kB
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux


def _near_memory_cap(memory_bytes: int) -> bool:
    return _peak() > 0.6 * memory_bytes


if __name__ == "__main__":
    _serve(int(sys.argv[1]))
