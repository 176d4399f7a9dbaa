"""Optional libraries, grouped in the package's extras, and the error naming the one to install.

A core install reads .txt, .md and JSON passages; PDF, Word and HTML files, the HTTP API and
the evaluation tools each need an extra (see pyproject.toml). Their libraries are imported
only where they are used, so the core imports without them, and `needs_extra` turns the
`ImportError` of a missing one into a message that says what to install.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from ingest.errors import ConfigurationError

__all__ = ["install_hint", "needs_extra"]


def install_hint(extra: str) -> str:
    """The commands that install `extra`, quoted (shells expand the brackets otherwise).

    complyqa is mostly installed from its checkout, where the package name would send pip to
    the public index instead, so that form comes too.
    """
    return f"pip install 'complyqa[{extra}]' (from a checkout: pip install -e '.[{extra}]')"


@contextmanager
def needs_extra(extra: str, purpose: str) -> Iterator[None]:
    """Import an optional library inside this block; if it is missing, say which extra has it.

    `purpose` says what the library is for, as the start of a sentence: with
    `needs_extra("pdf", "reading PDF files")` a missing pypdf reads "reading PDF files needs the
    pdf extra: pip install 'complyqa[pdf]'". Keep only imports in the block: any
    `ImportError` raised in it is blamed on the extra.
    """
    try:
        yield
    except ImportError as exc:
        raise ConfigurationError(
            f"{purpose} needs the {extra} extra: {install_hint(extra)}"
        ) from exc
