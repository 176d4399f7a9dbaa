"""One process's connection to Chroma, kept current with what other processes commit.

A local `PersistentClient` loads each collection's HNSW graph into memory once and never
looks at the disk again, while its metadata queries read SQLite directly. When another
process (a CLI ingest, a second API worker, an eval run) writes to the same data dir, the
metadata side sees the new ids but the in-memory graph does not: filtered queries then fail
with `InternalError: Error finding id` and unfiltered ones miss the new chunks, until
restart. Worse, a stale process that writes persists its stale graph over the fresh one.

So, for a local data dir, every operation holds a lock file, shared for reads and exclusive
for writes, passing a gate first so that waiting writers are not starved by readers:
- under it, the operation first reads Chroma's write sequence number from SQLite (one small
  query) and reopens the client, loading the graphs at once, when another process moved it;
- a writer then writes and remembers the new sequence number, so it never builds on a stale
  graph, and two writers never interleave;
- no Chroma call overlaps another process's write: Chroma's SQLite (rollback journal) can
  leave a reader of one process and a writer of another waiting on each other for good;
- an `InternalError` or `NotFoundError` that slips through anyway reopens and retries.
A Chroma server is one process that owns its state, so remote connections skip all of this.

While `complyqa serve --workers N` runs a managed server on a local data dir
(`ingest.chroma_owner`), a local connection sends each operation to that server instead,
deciding under the lock file, and returns to the files once the server is gone.
"""

from __future__ import annotations

import fcntl
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlparse

from ingest.chroma_owner import OwnerWatch, data_dir_lock
from ingest.errors import ConfigurationError
from ingest.settings import IndexSettings

log = logging.getLogger(__name__)

T = TypeVar("T")

#: Attempts of one read before its error reaches the caller.
READ_ATTEMPTS = 4
#: Age after which an uncommitted chunk is taken to be left by a writer that died, where no
#: lease can tell (a Chroma server shared by several machines).
ORPHAN_GRACE_SECONDS = 3600.0

_VERSION_SQL = """
SELECT
  (SELECT coalesce(max(seq_id), 0) FROM embeddings_queue),
  (SELECT coalesce(max(CAST(seq_id AS INTEGER)), 0) FROM max_seq_id),
  (SELECT coalesce(group_concat(id), '') FROM (SELECT id FROM collections ORDER BY id))
"""


class RWLock:
    """Many readers or one writer, within this process (reopening swaps the client)."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._readers = 0
        self._writer = False
        self._waiting = 0

    @contextmanager
    def shared(self) -> Iterator[None]:
        with self._cond:
            # A waiting reopen goes first, or a steady stream of reads would starve it.
            self._cond.wait_for(lambda: not self._writer and not self._waiting)
            self._readers += 1
        try:
            yield
        finally:
            with self._cond:
                self._readers -= 1
                self._cond.notify_all()

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        with self._cond:
            self._waiting += 1
            self._cond.wait_for(lambda: not self._writer and self._readers == 0)
            self._waiting -= 1
            self._writer = True
        try:
            yield
        finally:
            with self._cond:
                self._writer = False
                self._cond.notify_all()


class ChromaConnection:
    """A Chroma client plus a generation number that grows each time the client is reopened.

    Callers cache collection handles per generation and run every operation through
    `read` or `write`.
    """

    def __init__(self, settings: IndexSettings) -> None:
        self.settings = settings
        self.client: Any = None
        self.generation = 0
        self._rw = RWLock()

    def read(self, op: Callable[[Any, int], T]) -> T:
        """Run `op(client, generation)`; on a stale-state error, reopen and try again."""
        for attempt in range(1, READ_ATTEMPTS + 1):
            with self._other_processes(shared=True):
                self.refresh()
                with self._rw.shared():
                    generation = self.generation
                    try:
                        return op(self.client, generation)
                    except Exception as exc:
                        if attempt == READ_ATTEMPTS or not _is_stale_state(exc):
                            raise
                        log.info("Chroma read failed (%s); reopening the index and retrying", exc)
                self.reopen(generation)
        raise AssertionError("unreachable")  # pragma: no cover

    def _other_processes(self, *, shared: bool) -> AbstractContextManager[None]:
        """What keeps other processes' writes out: nothing here, a Chroma server orders them."""
        return nullcontext()

    def write(self, op: Callable[[Any, int], T]) -> T:
        """Run `op(client, generation)` as the only writer, on current state."""
        with self._rw.shared():
            return op(self.client, self.generation)

    def writing(self) -> AbstractContextManager[None]:
        """Held by a writer from its first chunk write to its last manifest record, so that
        another process's orphan sweep leaves its not yet committed chunks alone."""
        return nullcontext()

    @contextmanager
    def sweeping(self) -> Iterator[float]:
        """Yields the cut-off time for an orphan sweep: uncommitted chunks written before it
        belong to no live writer. Here nobody can tell, so only old ones qualify."""
        yield time.time() - ORPHAN_GRACE_SECONDS

    def state(self) -> object | None:
        """A value that names the index's current state inside `read`/`write` (None: no
        such sign, as on a Chroma server); equal values mean nothing was written between."""
        return None

    def refresh(self) -> None:
        """Reopen if another process committed since this one last looked."""

    @property
    def remote(self) -> bool:
        """Whether operations go to a Chroma server, whose other clients' commits this
        process learns of only from the store's change marker."""
        return True

    def reopen(self, seen_generation: int) -> None:
        """Open a new client, unless another thread already did since `seen_generation`."""
        with self._rw.exclusive():
            if self.generation == seen_generation:
                self._open()

    def _open(self) -> bool:
        self.client = _http_client(self.settings.chroma_url)
        self.generation += 1
        return True


class LocalChromaConnection(ChromaConnection):
    """A `PersistentClient` on `data_dir/chroma`, shared by every store of this process, or
    an `HttpClient` to the managed server that owns the dir while one is published."""

    def __init__(self, settings: IndexSettings) -> None:
        super().__init__(settings)
        self.path = (settings.data_dir / "chroma").resolve()
        self.path.mkdir(parents=True, exist_ok=True)
        self._lease_path = self.path.parent / "chroma.writers"
        self._thread_write = threading.Lock()
        self._version: tuple[Any, ...] | None = None
        self._sql: sqlite3.Connection | None = None
        self._sql_lock = threading.Lock()
        self._owner = OwnerWatch(self.path.parent)
        #: The managed server operations go to now; None: the files.
        self._url: str | None = None

    @property
    def remote(self) -> bool:
        """Whether a managed server owns the dir now (the next operation goes there)."""
        return self._owner.live() is not None

    def _other_processes(self, *, shared: bool) -> AbstractContextManager[None]:
        """The data dir's lock file: shared for reading, exclusive for writing.

        Also held (shared) around operations sent to the managed server, so that the server
        is never published or withdrawn while one is in flight.
        """
        return data_dir_lock(self.path.parent, fcntl.LOCK_SH if shared else fcntl.LOCK_EX)

    def write(self, op: Callable[[Any, int], T]) -> T:
        while True:
            # Where to go is decided under the lock; this guess only picks the lock's mode:
            # a server orders writes itself, so they need not shut out other processes' reads.
            remote = self._owner.live() is not None
            exclusive = nullcontext() if remote else self._thread_write
            with exclusive, self._other_processes(shared=remote):
                self.refresh()
                if remote and self._url is None:
                    continue  # the server went away in between: write to the files, alone
                with self._rw.shared():
                    result = op(self.client, self.generation)
                if self._url is None:
                    # Nobody else can have written while we hold the lock: this state is ours.
                    self._version = self._read_version()
                return result

    def state(self) -> object | None:
        """Chroma's write sequence as last read under the lock file: inside an operation no
        other process or thread can be writing, so it is the state that operation sees."""
        return self._version

    @contextmanager
    def writing(self) -> Iterator[None]:
        """A shared lease on `chroma.writers`; the kernel drops it if the writer dies."""
        with self._lease(fcntl.LOCK_SH):
            yield

    @contextmanager
    def sweeping(self) -> Iterator[float]:
        """No writer holds a lease (this process's included): every orphan is a dead writer's.
        Otherwise, or while a managed server owns the dir (its workers write without leases),
        fall back to the age rule. Never waits, so a sweep inside `write` cannot deadlock
        with a leased writer queued for the lock file."""
        with self._lease(fcntl.LOCK_EX | fcntl.LOCK_NB) as alone:
            if alone and self._owner.live() is None:
                yield float("inf")
            else:
                yield time.time() - ORPHAN_GRACE_SECONDS

    @contextmanager
    def _lease(self, mode: int) -> Iterator[bool]:
        """`chroma.writers` locked in `mode` for the block; False if a non-blocking `mode`
        could not have it (the file is closed, and any lock dropped, on leaving)."""
        fd = os.open(self._lease_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            try:
                fcntl.flock(fd, mode)
            except BlockingIOError:
                yield False
            else:
                yield True
        finally:
            os.close(fd)

    def refresh(self) -> None:
        """Reopen if another process committed since this one last looked (lock file held);
        first, go to the managed server if one owns the dir now, or back to the files."""
        if self._route():
            return
        version = self._read_version()
        if self.client is None or version != self._version:
            with self._rw.exclusive():
                if self.client is None or version != self._version:
                    self._open()
                    self._version = version

    def _route(self) -> bool:
        """Point the client at the managed server that owns the dir now, or back at the files
        (lock file held, so the owner cannot change until the operation ends); True: server.

        One `stat`, plus a `flock` try once a server was ever published (`OwnerWatch`).
        """
        server = self._owner.live(tidy=True)
        url = server.url if server is not None else None
        if url != self._url:
            with self._rw.exclusive():
                if url != self._url:
                    client = _http_client(url) if url else None
                    self._close_local()
                    # Back on the files, the graphs reload: the server changed them.
                    self.client = client
                    self._url = url
                    self._version = None
                    self.generation += 1
                    log.info("Chroma in %s now goes through %s", self.path, url or "the files")
        return url is not None

    def reopen(self, seen_generation: int) -> None:
        """Open a new client unless another thread did since `seen_generation` (lock held)."""
        with self._rw.exclusive():
            if self.generation == seen_generation:
                if self._url is None:
                    # Read before loading: the loaded state is at least this new.
                    self._version = self._read_version()
                self._open()

    def _open(self) -> bool:
        """A fresh client whose graphs load from what is on disk now (or a new connection to
        the managed server).

        Callers hold `_rw` exclusively and the lock file (shared or exclusive), so no other
        process is writing while the graphs load.
        """
        if self._url is not None:
            self.client = _http_client(self._url)
            self.generation += 1
            return True
        import chromadb

        self._close_local()
        key = str(self.path)
        self.client = chromadb.PersistentClient(path=key, settings=_chroma_settings())
        _load_graphs(self.client)
        self.generation += 1
        return True

    def _close_local(self) -> None:
        """Drop this process's Chroma system on the dir, so the next client reloads from disk
        and none keeps a stale graph in memory while a server owns the files."""
        from chromadb.api.shared_system_client import SharedSystemClient

        key = str(self.path)
        # Chroma keeps one system per path per process.
        old = SharedSystemClient._identifier_to_system.pop(key, None)
        SharedSystemClient._identifier_to_refcount.pop(key, None)
        if old is not None:
            try:
                old.stop()
            except Exception:  # a stopping system that errors must not block the reopen
                log.debug("stopping the previous Chroma client failed", exc_info=True)

    def _read_version(self) -> tuple[Any, ...] | None:
        """Chroma's last write sequence number and collection ids: moves on every commit."""
        db = self.path / "chroma.sqlite3"
        if not db.exists():
            return None
        with self._sql_lock:
            try:
                if self._sql is None:
                    self._sql = sqlite3.connect(
                        f"file:{db}?mode=ro", uri=True, timeout=30, check_same_thread=False
                    )
                    self._sql.isolation_level = None
                return tuple(self._sql.execute(_VERSION_SQL).fetchone())
            except sqlite3.Error:
                # Tables not created yet, or the file was replaced: reconnect next time.
                if self._sql is not None:
                    self._sql.close()
                self._sql = None
                return None


_LOCAL: dict[Path, LocalChromaConnection] = {}
_LOCAL_LOCK = threading.Lock()


def connect(settings: IndexSettings) -> ChromaConnection:
    """The process-wide connection for these settings (one per local data dir)."""
    if settings.chroma_url:
        connection = ChromaConnection(settings)
        connection.reopen(0)
        return connection
    path = (settings.data_dir / "chroma").resolve()
    with _LOCAL_LOCK:
        if path not in _LOCAL:
            _LOCAL[path] = LocalChromaConnection(settings)
        return _LOCAL[path]


def _load_graphs(client: Any) -> None:
    """Make the client load each collection's graph now, while the lock keeps writers out
    (Chroma loads a graph on the first query that needs it)."""
    for collection in client.list_collections():
        got = collection.get(limit=1, include=["embeddings"])
        embeddings = got.get("embeddings")
        if embeddings is not None and len(embeddings):
            collection.query(query_embeddings=[embeddings[0]], n_results=1, include=[])


def _is_stale_state(exc: Exception) -> bool:
    from chromadb.errors import InternalError, NotFoundError

    return isinstance(exc, InternalError | NotFoundError)


def _chroma_settings() -> Any:
    from chromadb.config import Settings as ChromaSettings

    return ChromaSettings(anonymized_telemetry=False)


def _http_client(chroma_url: str | None) -> Any:
    import chromadb

    url = urlparse(chroma_url or "")
    if not url.hostname:
        raise ConfigurationError(
            f"COMPLYQA_CHROMA_URL {chroma_url!r} is not a URL; use the form http://HOST:PORT"
        )
    try:
        return chromadb.HttpClient(
            host=url.hostname,
            port=url.port or (443 if url.scheme == "https" else 8000),
            ssl=url.scheme == "https",
            settings=_chroma_settings(),
        )
    except Exception as exc:
        raise ConfigurationError(
            f"cannot reach the Chroma server at {chroma_url}: {exc}; "
            "start it (chroma run --path DIR --port PORT) or unset COMPLYQA_CHROMA_URL"
        ) from exc
