"""The prompt templates of `prompts/`, loaded and rendered, and the sources block they show.

The abstention sentence the templates ask for is `assistant.evidence.markers.ABSTENTION`, part
of the answer format. Templates live in `prompts/NAME.md`. A template is split into chat messages by header lines
`=== system ===` and `=== user ===`; `{name}` marks a variable (a literal brace is written
`{{` or `}}`, as in `str.format` and LangChain f-string templates). A template's version is the
short sha256 of its file, recorded on every answer so results can be traced to the prompt.
"""

from __future__ import annotations

import hashlib
import re
import string
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from assistant.models import Passage
from assistant.settings import PROMPTS_DIR
from ingest.errors import ConfigurationError

__all__ = ["PromptTemplate", "format_sources", "load_prompt"]


_ROLE_HEADER = re.compile(r"^=== (system|user|assistant) ===[ \t]*$", re.MULTILINE)


@dataclass(frozen=True)
class PromptTemplate:
    """One prompt file: its text, its version, and the chat messages it is made of."""

    name: str
    text: str
    version: str

    @property
    def messages(self) -> list[tuple[str, str]]:
        """(role, template) pairs; a file without role headers is one user message."""
        headers = list(_ROLE_HEADER.finditer(self.text))
        if not headers:
            return [("user", self.text.strip())]
        out = []
        for i, header in enumerate(headers):
            end = headers[i + 1].start() if i + 1 < len(headers) else len(self.text)
            out.append((header.group(1), self.text[header.end() : end].strip()))
        return out

    @property
    def variables(self) -> frozenset[str]:
        return frozenset(
            field
            for _, body in self.messages
            for _, field, _, _ in string.Formatter().parse(body)
            if field
        )

    def render_messages(self, **values: object) -> list[tuple[str, str]]:
        """The messages with every variable filled; a missing variable is an error."""
        missing = self.variables - values.keys()
        if missing:
            raise ValueError(f"prompt {self.name!r} needs values for: {', '.join(sorted(missing))}")
        return [(role, body.format(**values)) for role, body in self.messages]

    def render(self, **values: object) -> str:
        """The whole prompt as one text (for logs and tests)."""
        return "\n\n".join(f"[{role}]\n{body}" for role, body in self.render_messages(**values))


def load_prompt(name: str, directory: Path | None = None) -> PromptTemplate:
    """The template `prompts/NAME.md`, read once per process."""
    return _load(name, directory or PROMPTS_DIR)


@cache
def _load(name: str, directory: Path) -> PromptTemplate:
    path = directory / f"{name}.md"
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigurationError(
            f"prompt template {path} is missing or unreadable ({exc.strerror}); "
            "reinstall complyqa or restore the prompts/ folder"
        ) from exc
    return PromptTemplate(name, raw.decode("utf-8"), hashlib.sha256(raw).hexdigest()[:12])


def format_sources(passages: Sequence[Passage]) -> str:
    """Passages as numbered, fenced data blocks: `[n] title — section`, then the text.

    The fence is longer than any run of backticks in the text, so a passage cannot close its
    own fence and smuggle text out of the data block.
    """
    blocks = []
    for number, passage in enumerate(passages, start=1):
        heading = f"[{number}] {passage.title}"
        if passage.section:
            heading += f" — {passage.section}"
        longest = max((len(run) for run in re.findall(r"`+", passage.text)), default=0)
        fence = "`" * max(3, longest + 1)
        blocks.append(f"{heading}\n{fence}text\n{passage.text.strip()}\n{fence}")
    return "\n\n".join(blocks)
