"""Errors a user can cause, each with a message that says what to do.

They live in `ingest` because it is the lowest layer, so every layer can raise them; what an
interface makes of one (an exit code, an HTTP status) is decided by that interface alone
(`assistant/cli/output.py`, `assistant/api/errors.py`).
"""

from __future__ import annotations


class ComplyqaError(Exception):
    """Base of every error a user can cause; the message is shown as-is."""


class UnsupportedFileType(ComplyqaError):
    """A file of a type no loader reads."""


class UnreadablePath(ComplyqaError):
    """A path that does not exist or cannot be read."""


class DocumentParseError(ComplyqaError):
    """A file of a supported type whose content cannot be parsed."""


class FileOverLimit(DocumentParseError):
    """A file that would take too much memory, time or text to read (a bomb, or too big)."""


class IndexMissing(ComplyqaError):
    """Nothing is indexed yet where the question was asked."""


class EmbeddingModelMismatch(ComplyqaError):
    """An index built with another embedding model than the one configured."""


class InvalidQuestion(ComplyqaError):
    """A question that is empty, too long or asks for an unknown mode."""


class DocumentNotFound(ComplyqaError):
    """A document id the index does not hold (or the caller may not see)."""


class ConfigurationError(ComplyqaError):
    """A setting the request needs is missing or wrong (an LLM endpoint, a Chroma URL)."""
