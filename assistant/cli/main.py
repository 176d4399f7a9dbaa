"""The `complyqa` command: core commands here, others contributed by modules and plugins.

Packages above `assistant` (such as `evals`) add their commands through the `complyqa.cli`
entry-point group, so `assistant` never imports them.
"""

from __future__ import annotations

import logging
import os
from importlib import import_module
from importlib.metadata import entry_points

# Before numpy/torch load: their thread pools otherwise fight over the cores.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

import typer  # noqa: E402

app = typer.Typer(
    name="complyqa",
    help="Answer compliance questions from regulations and articles, with exact citations.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

# Modules of this package that add commands: each has `register(app: typer.Typer) -> None`.
_COMMAND_MODULES = [
    "assistant.cli.corpus",
    "assistant.cli.ask",
    "assistant.cli.server",
    "assistant.cli.mcp",
]


def _register_all() -> None:
    for name in _COMMAND_MODULES:
        import_module(name).register(app)
    for ep in entry_points(group="complyqa.cli"):
        try:
            ep.load()(app)
        except Exception as exc:  # a broken plugin must not take the core commands down
            logging.getLogger(__name__).warning("CLI plugin %s not loaded: %s", ep.name, exc)


@app.callback()
def _main(
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Log progress details."),
) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )


_register_all()


def run() -> None:
    """Console entry point: user errors become one clear line and exit code 2."""
    from assistant.cli.output import user_errors
    from assistant.cli.quick_exit import end_if_done

    with user_errors():
        try:
            app()
        except SystemExit as exiting:
            end_if_done(exiting.code)
            raise
