"""The CLI's output layer: the one place that prints, and turns user errors into exit codes."""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import groupby
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from assistant.models import Answer, DocumentInfo, Filters, IngestReport, Passage, VersionFields
from assistant.provenance import CORPUS
from ingest.errors import ComplyqaError

console = Console(highlight=False)
errors = Console(stderr=True, highlight=False)

#: Exit code of a user error (a `ComplyqaError`: bad argument, missing file, unknown profile).
USER_ERROR = 2

FILTER_KEYS = {
    "doc": "doc_ids",
    "group": "groups",
    "lang": "languages",
    "jurisdiction": "jurisdictions",
}


class UsageError(ComplyqaError):
    """A command-line argument the user can fix."""


def parse_filters(items: list[str] | None, as_of: str | None = None) -> Filters | None:
    """`group=cn-regulations`, `lang=zh`, `doc=ID`, `jurisdiction=US`; commas give several.

    `as_of` (YYYY-MM-DD) picks the day whose texts in force answer.
    """
    day = _parse_day(as_of) if as_of else None
    if not items and day is None:
        return None
    fields: dict[str, Any] = {"as_of": day}
    for item in items or ():
        key, sep, value = item.partition("=")
        if not sep or key not in FILTER_KEYS or not value:
            raise UsageError(
                f"bad filter {item!r}: use KEY=VALUE with KEY one of {', '.join(FILTER_KEYS)}"
            )
        fields.setdefault(FILTER_KEYS[key], []).extend(
            v.strip() for v in value.split(",") if v.strip()
        )
    return Filters(**fields)


def _parse_day(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise UsageError(
            f"bad --as-of {value!r}: give a day as YYYY-MM-DD, e.g. 2020-06-01"
        ) from None


def version_line(item: VersionFields) -> str | None:
    """The status and period of a cited or listed text, marked when it is not current."""
    if not item.validity:
        return None
    if item.current:
        return f"[dim]{escape(item.validity)}[/dim]"
    return f"[yellow]⚠ {escape(item.validity)}[/yellow]"


def source_label(source: str) -> str:
    """Where a cited text came from; an upload stands out, it is not the law itself."""
    if source == CORPUS:
        return f"[dim]({escape(source)})[/dim]"
    return f"[yellow]({escape(source)})[/yellow]"


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def print_answer(answer: Answer, *, show_text: bool = True) -> None:
    if show_text:
        console.print(escape(answer.text))
    if answer.citations:
        console.print()
        console.print("[bold]Sources[/bold]")
        for c in answer.citations:
            where = " — ".join(x for x in (c.title, c.section) if x)
            date = f" ({c.date})" if c.date else ""
            console.print(
                f"[bold][{c.marker}][/bold] {escape(c.doc_id)} · {escape(where)}{date} "
                f"{source_label(c.source)} [dim]chars {c.start}–{c.end}[/dim]"
            )
            if line := version_line(c):
                console.print(f"    {line}")
            console.print(f"    [italic]“{escape(_short(c.quote, 300))}”[/italic]")
    if answer.unverified:
        console.print(
            f"[yellow]{len(answer.unverified)} unsupported sentence(s) removed by verification[/yellow]"
        )
    t = answer.timings
    console.print(
        f"[dim]{answer.mode} · profile {answer.profile} · retrieve {t.retrieve_ms:.0f} ms · "
        f"answer {t.answer_ms:.0f} ms · total {t.total_ms:.0f} ms[/dim]"
    )


def print_passages(passages: list[Passage]) -> None:
    table = Table(show_lines=False)
    for col in ("#", "score", "document", "section", "text"):
        table.add_column(col)
    for i, p in enumerate(passages, start=1):
        line = version_line(p)
        document = f"{escape(p.doc_id)} {source_label(p.source)}" + (f"\n{line}" if line else "")
        table.add_row(str(i), f"{p.score:.4f}", document, p.section or "", _short(p.text, 160))
    console.print(table)


def print_sources(docs: list[DocumentInfo]) -> None:
    """Documents by instrument: each version with its period, the one in force marked."""

    def instrument(d: DocumentInfo) -> str:
        return d.instrument or d.doc_id

    for name, group in groupby(sorted(docs, key=instrument), key=instrument):
        versions = sorted(group, key=lambda d: (d.effective_from or "", d.doc_id))
        if len(versions) > 1:
            console.print(f"[bold]{escape(name)}[/bold] [dim]{len(versions)} versions[/dim]")
        for d in versions:
            mark = "[green]✓[/green] " if d.status == "in_force" else "  "
            indent = "  " if len(versions) > 1 else ""
            console.print(
                f"{indent}{mark}{escape(d.doc_id)}  [dim]{d.language} · {d.date or 'no date'} · "
                f"{d.n_chunks} chunks[/dim]  {escape(d.title)}"
            )
            if line := version_line(d):
                console.print(f"{indent}    {line}")


def print_report(report: IngestReport) -> None:
    console.print(
        f"added {len(report.added)} · replaced {len(report.replaced)} · unchanged {len(report.unchanged)} · "
        f"removed {len(report.removed)} · failed {len(report.failed)} · "
        f"{report.chunks_embedded} chunks embedded in {report.seconds:.1f} s"
    )
    for f in report.failed:
        errors.print(f"[red]failed[/red] {escape(f.path)}: {escape(f.reason)}")
    for f in report.skipped:
        console.print(f"[dim]skipped {escape(f.path)}: {escape(f.reason)}[/dim]")


def fail(exc: ComplyqaError) -> None:
    errors.print(f"[red]error:[/red] {escape(str(exc))}")


@contextmanager
def user_errors() -> Iterator[None]:
    """Show a `ComplyqaError` as one clear line on stderr and exit with `USER_ERROR` (instead
    of a traceback). Wraps the whole CLI, and is also a decorator for a command that must map
    its own errors when run alone (`@user_errors()`, e.g. the `complyqa eval` commands)."""
    try:
        yield
    except ComplyqaError as exc:
        fail(exc)
        raise SystemExit(USER_ERROR) from None


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
