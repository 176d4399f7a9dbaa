"""What the relevance model reads for a passage: where it sits (title, section), then its text.

Training and scoring build the passage side with these functions, so the model always sees
the same shape: a statute article's law title and article number often decide relevance.
"""

from __future__ import annotations


def passage_head(title: str | None, section: str | None) -> str:
    return " ".join(part for part in (title, section) if part)


def with_head(head: str, text: str) -> str:
    return f"{head}\n{text}" if head else text


def passage_input(title: str | None, section: str | None, text: str) -> str:
    return with_head(passage_head(title, section), text)
