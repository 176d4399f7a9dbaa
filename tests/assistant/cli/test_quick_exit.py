"""A read-only command that marked itself done ends at once, with all its output written."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest


def _python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=60
    )


def test_done_command_ends_with_its_output_flushed_and_no_teardown() -> None:
    result = _python(
        """
        import atexit, logging, sys
        from assistant.cli.quick_exit import end_if_done, mark_done
        atexit.register(print, "teardown ran")
        logging.basicConfig(stream=sys.stderr)
        print("x" * 100_000)  # more than one buffer: stdout is a pipe here
        logging.getLogger("t").warning("logged")
        mark_done()
        end_if_done(0)
        print("after the end")
        """
    )
    assert result.returncode == 0
    assert result.stdout == "x" * 100_000 + "\n"
    assert "logged" in result.stderr


@pytest.mark.parametrize(("marked", "code"), [(False, 0), (True, 2), (True, "an error message")])
def test_unmarked_or_failing_commands_exit_normally(marked: bool, code: int | str) -> None:
    result = _python(
        f"""
        from assistant.cli.quick_exit import end_if_done, mark_done
        if {marked}:
            mark_done()
        end_if_done({code!r})
        print("returned")
        """
    )
    assert result.returncode == 0
    assert result.stdout == "returned\n"
