"""Errors a user can cause, each with a message that says what to do.

They live in `ingest` because it is the lowest layer; `assistant` re-exports them so that
interfaces (CLI, API) can turn every one of them into an exit code or a problem response
in one place.
"""

from __future__ import annotations


class ComplyqaError(Exception):
    """Base of every error a user can cause; the message is shown as-is."""

    #: HTTP status an API maps this error to.
    status_code: int = 400


class UnsupportedFileType(ComplyqaError):
    status_code = 415


class UnreadablePath(ComplyqaError):
    status_code = 400


class DocumentParseError(ComplyqaError):
    status_code = 422


class FileOverLimit(DocumentParseError):
    """A file that would take too much memory, time or text to read (a bomb, or too big)."""

    status_code = 413


class IndexMissing(ComplyqaError):
    status_code = 503


class EmbeddingModelMismatch(ComplyqaError):
    status_code = 409


class InvalidQuestion(ComplyqaError):
    status_code = 422


class DocumentNotFound(ComplyqaError):
    status_code = 404


class ConfigurationError(ComplyqaError):
    status_code = 500
