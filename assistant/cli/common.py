"""Options shared by several commands, and building the facade from them.

Cheap to import (the facade loads in `make_qa`), so that CLI plugins such as `evals` can share
these options without loading models.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from assistant.service import ComplyQA

ProfileOption = typer.Option(
    None, "--profile", "-p", help="Settings profile (assistant/profiles/NAME.toml)."
)
FilterOption = typer.Option(
    None,
    "--filter",
    "-f",
    help="Restrict sources: group=…, doc=…, lang=zh|en, jurisdiction=…; repeatable.",
)

AsOfOption = typer.Option(
    None,
    "--as-of",
    metavar="YYYY-MM-DD",
    help="Answer from the texts in force on this day (default: today).",
)


def make_qa(profile: str | None, *, preload: bool = False) -> ComplyQA:
    from assistant.service import ComplyQA
    from assistant.settings import Settings

    qa = ComplyQA(Settings.load(profile))
    if preload:
        qa.index.embedder.preload()
    return qa


def require_index(qa: ComplyQA) -> None:
    from ingest.errors import IndexMissing

    if not qa.index.manifest(fresh=True):
        raise IndexMissing(
            f"no documents are indexed in {qa.index.store.location}; run `complyqa ingest corpus/` first"
        )
