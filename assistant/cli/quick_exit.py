"""Read-only one-shot commands end without the interpreter's teardown.

After a cold `complyqa ask` has printed its answer, a normal exit spends close to a second
freeing what the command loaded: the e5 tokenizer's 250,000 pieces (a Rust trie), the
onnxruntime sessions, jieba's dictionary, Chroma's client. `ask` and `search` only read, so
nothing they hold waits to be written: once such a command has written its output it calls
`mark_done()`, and the console entry point (`assistant.cli.main.run`) ends the process at
once with `end_if_done(0)` after flushing the output streams and logging.

Only the console entry point ends a process: commands run in-process (tests through
`CliRunner`, the evals plugin) never reach `end_if_done`, and a command that fails or does
not call `mark_done()` exits the normal way.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys


class _State:
    done = False


def mark_done() -> None:
    """The running command has written all it will and holds nothing to save."""
    _State.done = True


def end_if_done(code: int | str | None) -> None:
    """End the process now if the command marked itself done and is exiting with success;
    otherwise return, and the caller exits normally."""
    if not _State.done or code not in (0, None):
        return
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        # A closed pipe (`complyqa ask … | head`) has nothing left to receive.
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(0)
