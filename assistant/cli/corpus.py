"""`complyqa ingest` and `complyqa sources`."""

from __future__ import annotations

from pathlib import Path

import typer

from assistant.cli.common import ProfileOption, make_qa
from assistant.cli.output import console, print_json, print_report, print_sources


def register(app: typer.Typer) -> None:
    app.command()(ingest)
    app.command()(sources)


def ingest(
    paths: list[Path] = typer.Argument(..., help="Files or folders to index."),
    root: Path | None = typer.Option(None, help="Document ids are paths relative to this folder."),
    profile: str | None = ProfileOption,
    json_out: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> None:
    """Index documents incrementally: unchanged files are skipped, changed ones replaced."""
    qa = make_qa(profile)
    report = qa.ingest(paths, root, progress=not json_out)
    if json_out:
        print_json(report.model_dump())
    else:
        print_report(report)
    if report.failed and not (report.added or report.replaced or report.unchanged):
        raise typer.Exit(1)


def sources(
    profile: str | None = ProfileOption,
    json_out: bool = typer.Option(False, "--json", help="Print as JSON."),
) -> None:
    """List the indexed documents: each instrument's versions, the one in force marked ✓."""
    qa = make_qa(profile)
    docs = qa.documents()
    if json_out:
        print_json([d.model_dump() for d in docs])
        return
    if not docs:
        console.print("no documents indexed yet; run `complyqa ingest corpus/`")
        return
    print_sources(docs)
