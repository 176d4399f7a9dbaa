"""`complyqa ask`, `complyqa search` and the terminal `complyqa chat`."""

from __future__ import annotations

import sys

import typer
from rich.markup import escape

from assistant.cli.common import AsOfOption, FilterOption, ProfileOption, make_qa, require_index
from assistant.cli.output import console, parse_filters, print_answer, print_json, print_passages
from assistant.models import AnswerDelta, AnswerDone, Turn

ModeOption = typer.Option(
    None, "--mode", "-m", help="extractive (default) or llm (needs COMPLYQA_LLM_BASE_URL)."
)


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
    parsed = parse_filters(filters, as_of)
    qa = make_qa(profile, preload=True)
    require_index(qa)
    if json_out:
        print_json(qa.ask(question, k=k, filters=parsed, mode=mode).model_dump())
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


def search(
    query: str = typer.Argument(..., help="What to look for."),
    k: int | None = typer.Option(None, "--k", min=1, max=100),
    filters: list[str] | None = FilterOption,
    as_of: str | None = AsOfOption,
    json_out: bool = typer.Option(False, "--json"),
    profile: str | None = ProfileOption,
) -> None:
    """Show the ranked passages hybrid retrieval finds."""
    parsed = parse_filters(filters, as_of)
    qa = make_qa(profile, preload=True)
    require_index(qa)
    passages = qa.search(query, k=k, filters=parsed)
    if json_out:
        print_json([p.model_dump() for p in passages])
    else:
        print_passages(passages)


def chat(
    filters: list[str] | None = FilterOption,
    as_of: str | None = AsOfOption,
    mode: str | None = ModeOption,
    profile: str | None = ProfileOption,
) -> None:
    """Multi-turn chat: follow-ups such as "and what about Article 22?" use the conversation."""
    parsed = parse_filters(filters, as_of)
    qa = make_qa(profile, preload=True)
    require_index(qa)
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
        history.append(
            Turn(
                question=question, answer=answer.text, doc_ids=[c.doc_id for c in answer.citations]
            )
        )
    console.print("bye")
