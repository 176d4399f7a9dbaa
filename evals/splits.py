"""The fixed train / held-out split of benchmark questions used to train the relevance model.

One rule for every benchmark: a question is held out when the SHA-1 of its id, read as a
number, is divisible by 5 (about 20%). Training uses only the other questions; every figure
reported for a trained model is on the held-out ones (`--subset heldout`), so it never
counts questions the model has seen.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Literal, Protocol, TypeVar

Subset = Literal["all", "train", "heldout"]
SUBSETS: tuple[str, ...] = ("all", "train", "heldout")


class _Question(Protocol):
    @property
    def id(self) -> str: ...


Q = TypeVar("Q", bound=_Question)


def is_heldout(question_id: str) -> bool:
    return int(hashlib.sha1(question_id.encode("utf-8")).hexdigest(), 16) % 5 == 0


def in_subset(question_id: str, subset: str) -> bool:
    if subset == "all":
        return True
    if subset not in SUBSETS:
        raise ValueError(f"unknown subset {subset!r}; use one of {', '.join(SUBSETS)}")
    return is_heldout(question_id) == (subset == "heldout")


def select(questions: Iterable[Q], subset: str, limit: int | None = None) -> list[Q]:
    """The questions a run takes: those of `subset`, then only the first `limit` of them.

    Every benchmark counts `--limit` within the subset, so a short held-out run is still all
    held-out questions.
    """
    chosen = [q for q in questions if in_subset(q.id, subset)]
    return chosen[:limit] if limit is not None else chosen
