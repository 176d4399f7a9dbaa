"""Turning a follow-up question into a standalone query without an LLM.

"and what about Article 22?" means nothing alone; with the conversation it means "Article 22
of the law we were just discussing". Without a model we resolve that by carrying the earlier
question's subject (its words, minus the article it named) into the query and into the terms
an answer must cover, and by remembering which documents the last answer cited — the one the
earlier question named first — so article references resolve within them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.models import Answer, Turn
from assistant.retrieval.glossary import translations
from ingest.legal_refs import article_aliases, find_article_refs
from ingest.tokenize import content_terms

__all__ = ["Condensed", "condense", "subject_of", "turn_of"]

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
    #: The earlier question's subject, for the answer to cover too ("" when not a follow-up):
    #: "Which company did it go through?" must be answered about Shenzhen University's spend.
    subject: str = ""


def condense(question: str, history: Sequence[Turn]) -> Condensed:
    """A standalone retrieval query for `question` given the earlier turns."""
    if not history:
        return Condensed(question)
    last = history[-1]
    if not (_FOLLOW_UP.search(question) or len(content_terms(question)) <= _SHORT):
        return Condensed(question)
    context, named = _named_first(last.question, last.doc_ids)
    if find_article_refs(question):
        # Another article of the same law: the law's own name is the subject (its Chinese
        # title covers a Chinese article), not the earlier question's article.
        subject = " ".join(_stem(d) for d in named) or subject_of(last.question)
    else:
        subject = last.question
    return Condensed(
        query=_restated(question, last.question) or f"{question}\n{last.question}",
        context_doc_ids=context,
        used_history=True,
        subject=subject,
    )


def subject_of(question: str) -> str:
    """The question without the articles it names: what a follow-up naming another article
    ("and Article 22?") keeps of it ("… of the Cybersecurity Law")."""
    out, pos = [], 0
    for ref in find_article_refs(question):
        out.append(question[pos : ref.start])
        pos = ref.end
    out.append(question[pos:])
    return " ".join("".join(out).split())


def _restated(question: str, earlier: str) -> str | None:
    """The earlier question asked again about the article the follow-up names: after "What
    does Article 21 of the Cybersecurity Law require?", "and what about Article 22?" reads
    "What does Article 22 of the Cybersecurity Law require?". None unless both name one."""
    new, old = find_article_refs(question), find_article_refs(earlier)
    if not new or not old:
        return None
    ref = question[new[0].start : new[0].end]
    if earlier[old[0].start] == "第":  # keep the earlier question's numbering style
        ref = next((a for a in article_aliases(ref) if a.startswith("第")), ref)
    return f"{earlier[: old[0].start]}{ref}{earlier[old[0].end :]}"


def _named_first(question: str, doc_ids: Sequence[str]) -> tuple[tuple[str, ...], list[str]]:
    """The cited documents with those the question names (in either language) first, and
    those named documents.

    "Article 21 of the Cybersecurity Law" names 网络安全法 through the glossary (cybersecurity
    ↔ 网络安全); its answer may have cited another regulation's 第二十一条 before it.
    """
    unique = list(dict.fromkeys(doc_ids))
    spellings = [t.lower() for t in [*translations(question), *content_terms(question)]]

    def named(doc_id: str) -> int:
        stem = _stem(doc_id).lower()
        return max((len(s) for s in spellings if len(s) >= 2 and s in stem), default=0)

    ordered = tuple(sorted(unique, key=lambda d: -named(d)))
    best = named(ordered[0]) if ordered else 0
    return ordered, [d for d in ordered if best and named(d) == best]


def _stem(doc_id: str) -> str:
    """A document's short name from its id: "cn-regulations/网络安全法(2016-11-07).md" →
    "网络安全法"."""
    name = doc_id.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return re.sub(r"\(.*?\)$", "", name)


def turn_of(answer: Answer) -> Turn:
    """The turn a conversation remembers of an answer: its question, text and cited documents
    (in citation order)."""
    return Turn(
        question=answer.question,
        answer=answer.text,
        doc_ids=list(dict.fromkeys(c.doc_id for c in answer.citations)),
    )
