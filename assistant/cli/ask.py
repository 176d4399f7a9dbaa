"""`complyqa ask`, `complyqa search` and the terminal `complyqa chat`."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import typer
from rich.markup import escape

from assistant.cli.common import AsOfOption, FilterOption, ProfileOption, make_qa, require_index
from assistant.cli.output import console, parse_filters, print_answer, print_json, print_passages
from assistant.cli.quick_exit import mark_done
from assistant.conversation import turn_of
from assistant.models import AnswerDelta, AnswerDone, Filters, Turn

if TYPE_CHECKING:
    from assistant.service import ComplyQA

ModeOption = typer.Option(
    None, "--mode", "-m", help="extractive (default) or llm (needs COMPLYQA_LLM_BASE_URL)."
)


def _indexed_qa(
    profile: str | None, filters: list[str] | None, as_of: str | None
) -> tuple[ComplyQA, Filters | None]:
    """The facade over a non-empty index, and the parsed `--filter`/`--as-of` options.

    The filters are read first, so a mistyped one fails before any model loads.
    """
    parsed = parse_filters(filters, as_of)
    qa = make_qa(profile, preload=True)
    require_index(qa)
    return qa, parsed


def register(app: typer.Typer) -> None:
    app.command()(ask)
    app.command()(search)
    app.command()(chat)


def ask(
    question: str = typer.Argument(..., help="The question, in English or Chinese."),
    json_out: bool = typer.Option(False, "--json", help="Print the whole Answer as JSON."),
    k: int | None = typer.Option(None, "--k", min=1, max=100, help="Passages to retrieve."),
    filters: list[str] | None = FilterOption,
    as_of: str | None = AsOfOption,
    mode: str | None = ModeOption,
    profile: str | None = ProfileOption,
) -> None:
    """Answer a question with citations to exact passages, or abstain."""
    qa, parsed = _indexed_qa(profile, filters, as_of)
    if json_out:
        print_json(qa.ask(question, k=k, filters=parsed, mode=mode).model_dump())
        mark_done()
        return
    streamed = False
    for event in qa.stream_ask(question, k=k, filters=parsed, mode=mode):
        if isinstance(event, AnswerDelta) and (
            mode == "llm" or qa.settings.llm.base_url and mode is None
        ):
            if not streamed:
                console.print("[dim]model output (before verification):[/dim]")
            streamed = True
            sys.stdout.write(event.text)
            sys.stdout.flush()
        elif isinstance(event, AnswerDone):
            if streamed:
                console.print("\n\n[bold]Verified answer[/bold]")
            print_answer(event.answer)
    mark_done()


def search(
    query: str = typer.Argument(..., help="What to look for."),
    k: int | None = typer.Option(None, "--k", min=1, max=100),
    filters: list[str] | None = FilterOption,
    as_of: str | None = AsOfOption,
    json_out: bool = typer.Option(False, "--json"),
    profile: str | None = ProfileOption,
) -> None:
    """Show the ranked passages hybrid retrieval finds."""
    qa, parsed = _indexed_qa(profile, filters, as_of)
    passages = qa.search(query, k=k, filters=parsed)
    if json_out:
        print_json([p.model_dump() for p in passages])
    else:
        print_passages(passages)
    mark_done()


def chat(
    filters: list[str] | None = FilterOption,
    as_of: str | None = AsOfOption,
    mode: str | None = ModeOption,
    profile: str | None = ProfileOption,
) -> None:
    """Multi-turn chat: follow-ups such as "and what about Article 22?" use the conversation."""
    qa, parsed = _indexed_qa(profile, filters, as_of)
    history: list[Turn] = []
    console.print(
        "[bold]complyqa chat[/bold] — ask about the indexed documents; empty line or Ctrl-D quits."
    )
    while True:
        try:
            question = console.input("[bold cyan]you>[/bold cyan] ").strip()
        except (EOFError, KeyboardInterrupt):
            break
        if not question or question.lower() in {"exit", "quit", ":q"}:
            break
        try:
            answer = qa.ask(question, filters=parsed, mode=mode, history=history)
        except Exception as exc:  # keep the session alive on a bad question
            from ingest.errors import ComplyqaError

            if not isinstance(exc, ComplyqaError):
                raise
            console.print(f"[red]{escape(str(exc))}[/red]")
            continue
        print_answer(answer)
        history.append(turn_of(answer))
    console.print("bye")
