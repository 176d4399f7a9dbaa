"""What Open WebUI needs of an OpenAI-compatible model beyond the OpenAI wire format.

* **Background tasks.** After each turn Open WebUI asks the model, non-streaming, for a chat
  title, tags and follow-up suggestions with prompts that begin `### Task:` and quote the
  conversation in `<chat_history>` ("USER: …" / "ASSISTANT: …" lines). These are not
  compliance questions: they get a cheap reply in the JSON shape each template asks for.
* **Sources.** Open WebUI ignores extra top-level fields; it reads a chunk's `event` of type
  `source` (`source` {id, name, url}, `document` [text], `metadata` [{source, name,
  source_url}]) and groups sources by `metadata.source`. One event per citation, each with an
  id of its own, keeps `[1]`, `[2]`… as separate clickable chips in marker order.

Pure functions only; the route decides when to use them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from assistant.models import Citation

__all__ = [
    "Task",
    "TaskKind",
    "chat_history",
    "cited_doc_ids",
    "quoted_sentences",
    "source_event",
    "source_events",
    "source_name",
    "task_of",
    "task_reply",
    "title_from",
]

TASK_PREFIX = "### Task:"


class TaskKind(StrEnum):
    TITLE = "title"
    TAGS = "tags"
    FOLLOW_UPS = "follow_ups"
    QUERIES = "queries"
    AUTOCOMPLETE = "autocomplete"
    OTHER = "other"


#: The JSON key each template's "### Output:" section names, in the order checked (a
#: template mentions only its own key in its output format).
_OUTPUT_KEYS = [
    (TaskKind.FOLLOW_UPS, '"follow_ups"'),
    (TaskKind.TAGS, '"tags"'),
    (TaskKind.TITLE, '"title"'),
    (TaskKind.QUERIES, '"queries"'),
    (TaskKind.AUTOCOMPLETE, '"text"'),
]
_HISTORY = re.compile(r"<chat_history>\s*(.*?)\s*</chat_history>", re.DOTALL)
_SPEAKER = re.compile(r"^(USER|ASSISTANT|SYSTEM):\s?", re.MULTILINE)


@dataclass(frozen=True)
class Task:
    kind: TaskKind
    prompt: str


def task_of(prompt: str) -> Task | None:
    """The Open WebUI background task a prompt asks for, or None for a real question."""
    if not prompt.lstrip().startswith(TASK_PREFIX):
        return None
    _, _, output = prompt.partition("### Output:")
    spec = output.split("###", 1)[0] if output else prompt
    kind = next((k for k, marker in _OUTPUT_KEYS if marker in spec), TaskKind.OTHER)
    return Task(kind, prompt)


def chat_history(prompt: str) -> list[tuple[str, str]]:
    """The (role, text) messages quoted in a task prompt's `<chat_history>`, oldest first."""
    match = _HISTORY.search(prompt)
    if not match:
        return []
    body = match.group(1)
    marks = list(_SPEAKER.finditer(body))
    return [
        (m.group(1).lower(), body[m.end() : nxt.start() if nxt else len(body)].strip())
        for m, nxt in zip(marks, [*marks[1:], None], strict=True)
    ]


def title_from(question: str, max_chars: int = 50) -> str:
    """A chat title from the first question: its words, cut at a word boundary."""
    text = " ".join(question.split()).rstrip("?？!！。. ")
    if len(text) <= max_chars:
        return text
    if re.search(r"[\u3400-\u9fff]", text[:max_chars]):
        return text[: max_chars // 2] + "…"
    cut = text[:max_chars].rsplit(" ", 1)[0]
    return cut + "…"


def task_reply(task: Task) -> dict[str, Any]:
    """The JSON Open WebUI expects back: a title from the first question, no tags, no
    follow-up suggestions, no web search queries, no autocompletion."""
    if task.kind is TaskKind.TITLE:
        questions = [text for role, text in chat_history(task.prompt) if role == "user"]
        return {"title": title_from(questions[0]) if questions else "complyqa"}
    if task.kind is TaskKind.TAGS:
        return {"tags": []}
    if task.kind is TaskKind.FOLLOW_UPS:
        return {"follow_ups": []}
    if task.kind is TaskKind.QUERIES:
        return {"queries": []}
    if task.kind is TaskKind.AUTOCOMPLETE:
        return {"text": ""}
    return {}


def task_content(task: Task) -> str:
    return json.dumps(task_reply(task), ensure_ascii=False)


# --- sources ---------------------------------------------------------------------------

_NAME_CHARS = 48


def source_name(c: Citation) -> str:
    """A short name telling citations apart: the law's short title and the article, or the
    section path's last parts; a document without sections by its (shortened) title."""
    title = c.title.removeprefix("中华人民共和国").strip()
    if c.section:
        parts = [p.strip() for p in c.section.split(">") if p.strip()]
        where = parts[-1] if parts else c.section
        short = _shorten(title, 20)
        return f"{short} {where}" if short else where
    return _shorten(title, _NAME_CHARS)


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def source_event(c: Citation, name: str, url: str | None) -> dict[str, Any]:
    """One citation as an Open WebUI `source` event, with an id no other citation shares."""
    source_id = f"complyqa:{c.marker}:{c.doc_id}#{c.start}-{c.end}"
    metadata: dict[str, Any] = {
        "source": source_id,
        "name": name,
        "marker": c.marker,
        "doc_id": c.doc_id,
        "title": c.title,
        "section": c.section,
        "date": c.date,
        "start": c.start,
        "end": c.end,
        # Whether the cited text is the one in force today (None for documents without
        # version information), as the citation says it.
        "status": c.status,
        "validity": c.validity,
    }
    if url:
        metadata["source_url"] = url
    source: dict[str, Any] = {"id": source_id, "name": name}
    if url:
        source["url"] = url
    return {
        "type": "source",
        "data": {"source": source, "document": [c.quote], "metadata": [metadata]},
    }


def source_events(
    citations: Sequence[Citation], url_of: Callable[[Citation], str | None]
) -> list[dict[str, Any]]:
    """Source events for an answer's citations in marker order; names made unique."""
    seen: dict[str, int] = {}
    events = []
    for c in sorted(citations, key=lambda c: c.marker):
        name = source_name(c)
        seen[name] = seen.get(name, 0) + 1
        if seen[name] > 1:
            name = f"{name} ({seen[name]})"
        events.append(source_event(c, name, url_of(c)))
    return events


# --- earlier answers sent back as text ----------------------------------------------------

_SOURCE_LINE = re.compile(r"^\[(\d+)\] (.+)$")


def cited_doc_ids(answer_text: str, titles: Mapping[str, str], heading: str) -> list[str]:
    """The documents an earlier answer cited, read back from its "Sources:" list.

    Clients such as Open WebUI send earlier answers back only as text; `titles` maps each
    visible document's title to its id, and a source line starts with `[n] <title>`.
    """
    _, sep, block = answer_text.rpartition("\n" + heading + "\n")
    if not sep:
        return []
    by_length = sorted(titles, key=len, reverse=True)
    found: list[str] = []
    for line in block.splitlines():
        m = _SOURCE_LINE.match(line.strip())
        if not m:
            continue
        title = next((t for t in by_length if m.group(2).startswith(t)), None)
        if title is not None:
            found.append(titles[title])
    return list(dict.fromkeys(found))


# The extractive answerer's own " [n]" after each quoted sentence (assistant.answering.extractive), not
# a model's free-form markers (assistant.evidence.markers reads those): removed with the space
# before it, so the quote comes back exactly as it stands in the document.
_MARKER = re.compile(r"\s*\[\d+\]")
_MIN_QUOTE_CHARS = 20


def quoted_sentences(answer_text: str, limit: int = 5) -> list[str]:
    """The sentences of an earlier extractive answer, markers removed: each is a verbatim
    quote of a document, so the documents can be found again from the answer alone (for
    clients that send it back without its "Sources:" list)."""
    if not _MARKER.search(answer_text):
        return []
    out = []
    for line in answer_text.splitlines():
        text = _MARKER.sub("", line).strip()
        if len(text) >= _MIN_QUOTE_CHARS:
            out.append(text)
    return out[:limit]
