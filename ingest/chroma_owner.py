"""Who owns a local data dir's Chroma files: each process's own client, or one managed server.

Several processes serving one local data dir (`complyqa serve --workers N`) pay dearly for
the per-process scheme of `ingest.chroma_db`: each commit makes every other process reload the
whole HNSW graph (1.2-1.5 s at 66k vectors). So `serve` starts one `chroma run` on the dir and
publishes it here, and every process that opens the dir locally (a CLI ingest, ask, delete,
an eval) goes through that server while it lives, and back to the files once it is gone.

Files beside `DATA_DIR/chroma`:
- `chroma.lock` (with `chroma.gate`): held by every local operation, see `data_dir_lock`;
- `chroma.owner`: flocked exclusively by the owner, `serve` and its `chroma run` child, for
  their lifetime. The kernel frees it when both are dead, so a killed owner is told by a free
  lock, never by trusting a file it left behind;
- `chroma.server.json`: the server's url and pid, meaningful only while `chroma.owner` is held.

The server is published and withdrawn under the exclusive `chroma.lock`, and a client decides
where an operation goes under its own hold of that lock: no local operation ever overlaps the
server's life.
"""

from __future__ import annotations

import ctypes
import fcntl
import json
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ingest.errors import ConfigurationError

log = logging.getLogger(__name__)

LOCK_FILE = "chroma.lock"
GATE_FILE = "chroma.gate"
OWNER_FILE = "chroma.owner"
SERVER_FILE = "chroma.server.json"
SERVER_LOG = "chroma.server.log"
#: Seconds a new `chroma run` may take to answer its heartbeat (it opens the dir's SQLite).
STARTUP_SECONDS = 60.0
#: Seconds to wait for a previous owner's `chroma run` to finish dying after a `kill -9`.
OWNER_RELEASE_SECONDS = 30.0
#: Seconds a stopping `chroma run` gets before it is killed.
STOP_SECONDS = 30.0
_PR_SET_PDEATHSIG = 1


@dataclass(frozen=True)
class ChromaServer:
    """A `chroma run` process that owns a data dir's Chroma files."""

    url: str
    pid: int
    #: False when another `serve` started it and this process only uses it.
    started_here: bool = False


@contextmanager
def data_dir_lock(data_dir: Path, mode: int) -> Iterator[None]:
    """The data dir's lock file in `mode` (shared: reading, exclusive: writing), fairly.

    Chroma's SQLite runs in rollback-journal mode: a reader holding its SHARED lock in one
    process while a writer of another process holds PENDING can leave both waiting on each
    other inside Chroma's Rust client, for good. So no Chroma call ever overlaps a write of
    another process. `flock` prefers readers, so a steady stream of reads would starve a
    writer: everyone passes the gate first, and a writer keeps the gate closed until it holds
    the lock, so new readers queue behind it.
    """
    gate = os.open(data_dir / GATE_FILE, os.O_RDWR | os.O_CREAT, 0o600)
    fd = os.open(data_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(gate, fcntl.LOCK_EX)
            fcntl.flock(fd, mode)
        finally:
            os.close(gate)  # closing releases the gate
        yield
    finally:
        os.close(fd)  # closing releases the lock


class OwnerWatch:
    """Whether a live server owns one data dir, cheap enough to ask before every operation:
    one `stat` when none was ever published, plus one non-blocking `flock` try when one was."""

    def __init__(self, data_dir: Path) -> None:
        self._info = data_dir / SERVER_FILE
        self._owner = data_dir / OWNER_FILE
        self._parsed: tuple[tuple[int, int, int], ChromaServer | None] | None = None

    def live(self, *, tidy: bool = False) -> ChromaServer | None:
        """The published server if its owner still holds the owner lock, else None.

        `tidy` removes a file a killed owner left, so later checks cost one `stat` again;
        only under the data dir lock, where no new owner can be publishing meanwhile.
        """
        try:
            st = os.stat(self._info)
        except FileNotFoundError:
            return None
        if not _is_held(self._owner):
            # Left behind by an owner that was killed.
            if tidy:
                self._info.unlink(missing_ok=True)
            return None
        key = (st.st_ino, st.st_mtime_ns, st.st_size)
        parsed = self._parsed
        if parsed is None or parsed[0] != key:
            parsed = (key, _read_server(self._info))
            self._parsed = parsed
        return parsed[1]


def live_server(data_dir: Path) -> ChromaServer | None:
    """The server that owns `data_dir`'s Chroma files now, if any."""
    return OwnerWatch(data_dir).live()


@contextmanager
def owned_data_dir(data_dir: Path) -> Iterator[ChromaServer]:
    """A Chroma server owning `data_dir` for the block: the live one if another process
    published it, else a `chroma run` started, published, and stopped on leaving here.

    The child cannot outlive this process, even a `kill -9` of it (the kernel sends it SIGKILL
    when its parent dies); its output goes to `DATA_DIR/chroma.server.log`.
    """
    data_dir = data_dir.resolve()
    (data_dir / "chroma").mkdir(parents=True, exist_ok=True)
    with data_dir_lock(data_dir, fcntl.LOCK_EX):
        existing = live_server(data_dir)
        if existing is not None and not _answers(existing.url):
            existing = None  # a killed owner's server, still dying: `_start` waits for it
        started = None if existing is not None else _start(data_dir)
    if started is None:
        assert existing is not None
        # Nothing to withdraw on leaving: the process that started it stops it.
        log.info("reusing the Chroma server %s that owns %s", existing.url, data_dir)
        yield existing
        return
    proc, owner_fd, server = started
    try:
        yield server
    finally:
        # Under the exclusive lock: operations of other processes that went through the
        # server finish first, and the next one finds the files, not a dying server.
        with data_dir_lock(data_dir, fcntl.LOCK_EX):
            _stop(proc)
            (data_dir / SERVER_FILE).unlink(missing_ok=True)
            os.close(owner_fd)


def chroma_executable() -> Path:
    """The `chroma` command of this environment (installed with the chromadb package)."""
    beside = Path(sys.executable).parent / "chroma"
    if beside.exists():
        return beside
    found = shutil.which("chroma")
    if found is None:
        raise ConfigurationError(
            f"the `chroma` command was not found next to {sys.executable} or on PATH; install "
            "it with `pip install chromadb` in this environment, or start a Chroma server "
            "yourself (chroma run --path DATA_DIR/chroma --port PORT) and set "
            "COMPLYQA_CHROMA_URL=http://HOST:PORT"
        )
    return Path(found)


def _start(data_dir: Path) -> tuple[subprocess.Popen[bytes], int, ChromaServer]:
    """Start `chroma run` on the dir and publish it (caller holds the exclusive lock)."""
    executable = chroma_executable()
    owner_fd = os.open(data_dir / OWNER_FILE, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        _take_owner_lock(owner_fd, data_dir)
        proc, url = _launch(executable, data_dir, owner_fd)
        server = ChromaServer(url=url, pid=proc.pid, started_here=True)
        _publish(data_dir, server)
    except BaseException:
        os.close(owner_fd)
        raise
    log.info("started Chroma server %s (pid %d) owning %s", url, proc.pid, data_dir)
    return proc, owner_fd, server


def _take_owner_lock(owner_fd: int, data_dir: Path) -> None:
    """The owner lock, once a killed owner's `chroma run` has finished dying."""
    deadline = time.monotonic() + OWNER_RELEASE_SECONDS
    while True:
        try:
            fcntl.flock(owner_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() > deadline:
                raise ConfigurationError(
                    f"another process holds {data_dir / OWNER_FILE} but publishes no working "
                    "Chroma server; stop the other `complyqa serve` (or a leftover "
                    "`chroma run` on this data dir) and try again"
                ) from None
            time.sleep(0.2)


def _launch(executable: Path, data_dir: Path, owner_fd: int) -> tuple[subprocess.Popen[bytes], str]:
    """A `chroma run` on a free loopback port that answers its heartbeat, holding `owner_fd`."""
    log_path = data_dir / SERVER_LOG
    last = ""
    for _ in range(3):  # another program may take the free port before chroma binds it
        port = _free_port()
        url = f"http://127.0.0.1:{port}"
        with log_path.open("ab") as out:
            proc = subprocess.Popen(
                [str(executable), "run", "--path", str(data_dir / "chroma")]
                + ["--host", "127.0.0.1", "--port", str(port)],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                # The child shares the owner lock, so it stays held until the child is gone.
                pass_fds=(owner_fd,),
                # Not in the terminal's process group: Ctrl-C stops the workers first, then
                # serve stops the server.
                start_new_session=True,
                preexec_fn=_dies_with(os.getpid()),
            )
        try:
            if _wait_until_up(proc, url):
                return proc, url
        except BaseException:
            _stop(proc)
            raise
        last = log_path.read_text(errors="replace")[-1500:]
        _stop(proc)
    raise ConfigurationError(
        f"the Chroma server for {data_dir} did not start (see {log_path}):\n{last}\n"
        "fix the cause, or start one yourself and set COMPLYQA_CHROMA_URL"
    )


def _dies_with(parent: int) -> Callable[[], None]:
    """Runs in the child before exec: SIGKILL it when its parent dies (Linux)."""

    def arm() -> None:
        if sys.platform.startswith("linux"):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:  # the parent died before the signal was armed
            os._exit(1)

    return arm


def _wait_until_up(proc: subprocess.Popen[bytes], url: str) -> bool:
    """True once the server answers its heartbeat; False if it exits first."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        if _answers(url):
            return True
        time.sleep(0.2)
    _stop(proc)
    raise ConfigurationError(
        f"the Chroma server {url} did not answer within {STARTUP_SECONDS:.0f} s; see "
        "DATA_DIR/chroma.server.log, or start one yourself and set COMPLYQA_CHROMA_URL"
    )


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=2) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def _publish(data_dir: Path, server: ChromaServer) -> None:
    """Write the server's address in one rename, so a reader never sees half of it."""
    record = {"url": server.url, "pid": server.pid, "owner_pid": os.getpid()}
    tmp = data_dir / f"{SERVER_FILE}.{os.getpid()}.tmp"
    tmp.write_text(json.dumps(record), encoding="utf-8")
    os.replace(tmp, data_dir / SERVER_FILE)


def _read_server(path: Path) -> ChromaServer | None:
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
        return ChromaServer(url=str(record["url"]), pid=int(record["pid"]))
    except (OSError, ValueError, KeyError, TypeError):
        log.warning("ignoring unreadable %s", path)
        return None


def _is_held(path: Path) -> bool:
    """Whether some process holds `path` locked exclusively (a free or missing file: no)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # closing drops the probe's lock
    return False


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=STOP_SECONDS)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=STOP_SECONDS)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
