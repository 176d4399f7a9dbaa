"""Signed, expiring links that open one cited passage in the chat page, without an API key.

Open WebUI shows a citation's URL to people who have no complyqa key in their browser. A
link therefore carries its own permission: an HMAC over (document, start, end, expiry) made
with a secret that never leaves the server's data dir. It opens exactly that passage (the
quote and a little text around it) until it expires — nothing else of the document, no other
document, no search. The key that asked could see the passage when the link was made; anyone
the link is passed to can read the same passage until `api.citation_link_hours` run out.
Deleting `DATA_DIR/citation_links.key` revokes every link ever made.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

__all__ = ["PassageLink", "link_secret", "passage_url", "sign", "verify"]

SECRET_FILE = "citation_links.key"
#: The page route that opens a link (the chat page reads these query parameters).
PAGE_PATH = "/"


@dataclass(frozen=True)
class PassageLink:
    """Permission to read `document.text[start:end]` (and its surroundings) until `expires`."""

    doc_id: str
    start: int
    end: int
    expires: int  # Unix seconds

    def message(self) -> bytes:
        # NUL cannot occur in a doc id or a number, so fields cannot run into each other.
        return f"{self.doc_id}\0{self.start}\0{self.end}\0{self.expires}".encode()


class LinkRefused(Exception):
    """A link that was tampered with (or signed by another server) or has expired."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


def sign(link: PassageLink, secret: bytes) -> str:
    digest = hmac.new(secret, link.message(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def verify(link: PassageLink, signature: str, secret: bytes, now: float) -> PassageLink:
    """The link if `signature` is ours and it has not expired; `LinkRefused` otherwise."""
    if not hmac.compare_digest(sign(link, secret), signature):
        raise LinkRefused(403, "this citation link is not valid (altered, or from another server)")
    if now > link.expires:
        raise LinkRefused(410, "this citation link has expired; ask the question again")
    if not 0 <= link.start < link.end:
        raise LinkRefused(403, "this citation link is not valid")
    return link


def link_secret(data_dir: Path) -> bytes:
    """The data dir's link secret, created (0600) on first use; workers sharing the data dir
    share it, so a link made by one opens on another."""
    path = Path(data_dir) / SECRET_FILE
    try:
        return path.read_bytes()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another worker made it first
        return path.read_bytes()
    with os.fdopen(fd, "wb") as f:
        f.write(secrets.token_bytes(32))
    return path.read_bytes()


def passage_url(base_url: str, link: PassageLink, secret: bytes) -> str:
    """The chat page's address that opens `link`'s passage."""
    query = urlencode(
        {
            "passage": link.doc_id,
            "start": link.start,
            "end": link.end,
            "expires": link.expires,
            "sig": sign(link, secret),
        }
    )
    return f"{base_url.rstrip('/')}{PAGE_PATH}?{query}"
