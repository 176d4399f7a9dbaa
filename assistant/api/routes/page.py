"""`GET /`: the chat page (plain HTML, JS and CSS from `assistant/api/static/`), and
`GET /v1/shared-passage`: the one passage a signed citation link opens, for the page to show
to someone without an API key (see `assistant/api/citation_links.py`)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field

from assistant.api.citation_links import LinkRefused, PassageLink, link_secret, verify
from assistant.api.deps import StateDep
from assistant.api.errors import ApiError
from ingest.errors import DocumentNotFound

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"

router = APIRouter(include_in_schema=False)

#: Characters of document text shown on each side of a shared quote, cut at a line break.
CONTEXT_CHARS = 400

#: The page loads only its own script and stylesheet, and renders document text as text.
PAGE_HEADERS = {
    "Cache-Control": "no-cache",
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


class SharedPassage(BaseModel):
    """A cited passage opened by a signed link: the quote and a little text around it."""

    doc_id: str
    title: str
    date: str | None = None
    start: int
    end: int
    quote: str
    before: str
    after: str
    chars: int = Field(description="Length of the document text, to tell where it ends")
    expires: int


@router.get("/")
def chat_page() -> FileResponse:
    return FileResponse(STATIC_DIR / "index.html", headers=PAGE_HEADERS)


@router.get("/v1/shared-passage", response_model=SharedPassage)
def shared_passage(
    state: StateDep,
    passage: Annotated[str, Query(max_length=1000)],
    start: int,
    end: int,
    expires: int,
    sig: Annotated[str, Query(max_length=100)],
) -> SharedPassage:
    """The passage a citation link names, if its signature holds and it has not expired.

    No API key: the signature is the permission, and it covers this span only.
    """
    link = PassageLink(doc_id=passage, start=start, end=end, expires=expires)
    try:
        verify(link, sig, link_secret(state.settings.data_dir), time.time())
    except LinkRefused as refused:
        raise ApiError(refused.status, refused.detail) from None
    try:
        record = state.facade().document(link.doc_id)
    except DocumentNotFound:
        raise ApiError(404, "the cited document is no longer indexed") from None
    text = record.text
    if link.end > len(text):
        raise ApiError(404, "the cited document changed since the link was made")
    return SharedPassage(
        doc_id=record.doc_id,
        title=record.title,
        date=record.date,
        start=link.start,
        end=link.end,
        quote=text[link.start : link.end],
        before=_context_before(text, link.start),
        after=_context_after(text, link.end),
        chars=len(text),
        expires=link.expires,
    )


def _context_before(text: str, start: int) -> str:
    window = text[max(0, start - CONTEXT_CHARS) : start]
    cut = window.find("\n")
    return window[cut + 1 :] if 0 <= cut < len(window) - 1 and start > CONTEXT_CHARS else window


def _context_after(text: str, end: int) -> str:
    window = text[end : end + CONTEXT_CHARS]
    cut = window.rfind("\n")
    return window[:cut] if cut > 0 and end + CONTEXT_CHARS < len(text) else window
