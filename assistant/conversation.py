"""Turning a follow-up question into a standalone query without an LLM.

"and what about Article 22?" means nothing alone; with the conversation it means "Article 22
of the law we were just discussing". Without a model we resolve that by carrying the earlier
question's words into the query and remembering which documents the last answer cited, so
article references resolve within them first.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.models import Turn
from ingest.tokenize import content_terms

_FOLLOW_UP = re.compile(
    r"^\s*(and|also|what about|how about|what of|same|then|so|but|or)\b"
    r"|\b(it|its|they|them|their|this|that|these|those|there|the same|above)\b"
    r"|^\s*(那么?|还有|另外|此外|那|其|它|该|这|上述|同样)",
    re.IGNORECASE,
)
_SHORT = 4  # a question with this few content terms leans on its context


@dataclass(frozen=True)
class Condensed:
    query: str
    context_doc_ids: tuple[str, ...] = ()
    used_history: bool = False


def condense(question: str, history: Sequence[Turn]) -> Condensed:
    """A standalone retrieval query for `question` given the earlier turns."""
    if not history:
        return Condensed(question)
    last = history[-1]
    if not (_FOLLOW_UP.search(question) or len(content_terms(question)) <= _SHORT):
        return Condensed(question)
    return Condensed(
        query=f"{question}\n{last.question}",
        context_doc_ids=tuple(dict.fromkeys(last.doc_ids)),
        used_history=True,
    )
