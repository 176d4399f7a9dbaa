"""The CLI's answer output: each citation says where its text came from, and a disagreement
between sources is printed with the answer."""

from __future__ import annotations

from assistant.cli import output
from assistant.models import Answer, Citation, Conflict, Passage


def _printed(answer: Answer) -> str:
    with output.console.capture() as captured:
        output.print_answer(answer)
    return captured.get()


def test_every_citation_shows_its_source() -> None:
    law = Citation(marker=1, doc_id="g/law.md", title="Law", start=0, end=5, quote="A permit.")
    memo = Citation(
        marker=2,
        doc_id="g/uploads/memo.md",
        title="Memo",
        start=0,
        end=9,
        quote="No permit.",
        source="upload by editor",
    )
    note = "Note: sources [1] and [2] disagree on whether it is required."
    answer = Answer(
        question="q",
        text=f"A permit [1]. No permit [2].\n\n{note}",
        citations=[law, memo],
        conflicts=[Conflict(first=1, second=2, kind="requirement")],
    )
    lines = _printed(answer).splitlines()
    assert any(line.startswith("[1] g/law.md") and "(corpus)" in line for line in lines)
    assert any(
        line.startswith("[2] g/uploads/memo.md") and "(upload by editor)" in line for line in lines
    )
    assert note in lines


def test_passages_show_their_source() -> None:
    passage = Passage(
        chunk_id="c", doc_id="g/uploads/memo.md", title="Memo", text="No permit.", start=0,
        end=10, score=1.0, source="upload by editor",
    )  # fmt: skip
    with output.console.capture() as captured:
        output.print_passages([passage])
    assert "upload by editor" in captured.get()
