"""Errors a user can cause, each with a message that says what to do.

They live in `ingest` because it is the lowest layer, so every layer can raise them; what an
interface makes of one (an exit code, an HTTP status) is decided by that interface alone
(`assistant/cli/output.py`, `assistant/api/errors.py`).
"""

from __future__ import annotations

from collections.abc import Sequence


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


# -- uploads (`assistant/uploads.py`) ---------------------------------------------------------


class InvalidUpload(ComplyqaError):
    """An upload that cannot be taken as sent: no files, an unusable document group, or a
    replacement that does not fit the document it replaces."""


class UnsupportedUpload(UnsupportedFileType):
    """An upload with files of a type no loader reads; the message names them all."""


class UploadOverLimit(FileOverLimit):
    """An upload larger than the server takes (setting `api.max_upload_bytes`)."""


class NothingToReplace(DocumentNotFound):
    """A replacement naming a document the index does not hold."""


class FileRefused(ComplyqaError):
    """One file of an upload that was not stored. The message is the reason; `cause` is the
    error that decided it, if there was one (a bomb, a file that cannot be parsed), so an
    interface can answer with that error's own status."""

    def __init__(self, doc_id: str, reason: str, cause: ComplyqaError | None = None) -> None:
        super().__init__(reason)
        self.doc_id = doc_id
        self.reason = reason
        self.cause = cause


class UploadConflict(FileRefused):
    """A file whose upload id a corpus document holds: an upload never replaces one."""


class UploadRefused(ComplyqaError):
    """An upload none of whose files was stored; `files` holds each file's own refusal.

    With one file the message is that file's reason; with several it lists every reason.
    """

    def __init__(self, files: Sequence[FileRefused]) -> None:
        if not files:
            raise ValueError("an upload is refused for the refusal of at least one file")
        self.files = list(files)
        if len(self.files) == 1:
            message = self.files[0].reason
        else:
            message = (
                f"none of the {len(self.files)} files was stored: "
                + "; ".join(f.reason for f in self.files)
                + ". Fix or leave out these files and upload again."
            )
        super().__init__(message)
