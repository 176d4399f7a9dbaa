"""Hostile uploads over HTTP: refused with a reason, nothing kept, the server keeps serving.

An upload whose only file is over a parse limit is refused with 413 and a problem document;
one that stored some files answers 200 and lists the refused ones under `failed`.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.api.conftest import ApiEnv
from tests.ingest.files import write_docx_bomb, write_pdf


def _upload(env: ApiEnv, name: str, body: bytes) -> dict:
    response = env.post("/v1/documents", as_="editor", files=[("files", (name, body))])
    assert response.status_code == 200, response.text
    report: dict = response.json()
    return report


def _refused(env: ApiEnv, name: str, body: bytes) -> str:
    """The detail of the 413 problem an upload of this one file over a limit gets."""
    response = env.post("/v1/documents", as_="editor", files=[("files", (name, body))])
    assert response.status_code == 413, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == "urn:complyqa:error:file-over-limit"
    assert problem["errors"][0]["loc"] == f"uploads/uploads/{name}"
    detail: str = problem["detail"]
    return detail


def test_docx_bomb_upload_is_refused_and_the_server_keeps_serving(
    make_api: Callable[..., ApiEnv], tmp_path: Path
) -> None:
    env = make_api()
    bomb_file = write_docx_bomb(tmp_path / "bomb.docx")
    bomb = bomb_file.read_bytes()
    with zipfile.ZipFile(bomb_file) as archive:
        inflated = archive.getinfo("word/document.xml").file_size
    assert len(bomb) < 100_000 and inflated > 20_000_000  # a real bomb: small on disk

    detail = _refused(env, "bomb.docx", bomb)
    assert detail.startswith("uploads/uploads/bomb.docx: ")
    assert "inflates" in detail and "parse.max_zip_ratio" in detail
    assert "Save the document again" in detail  # says what to do
    assert str(tmp_path) not in detail  # server paths stay private
    assert not (env.settings.data_dir / "uploads" / "uploads" / "bomb.docx").exists()
    assert env.get("/v1/documents/uploads/uploads/bomb.docx").status_code == 404

    # With a good file beside it, the good one is stored: 200, the bomb under `failed`.
    note = b"# Memo\n\nThe harbour lamp is lit at dusk.\n"
    response = env.post(
        "/v1/documents",
        as_="editor",
        files=[("files", ("bomb.docx", bomb)), ("files", ("memo.md", note))],
    )
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["added"] == ["uploads/uploads/memo.md"]
    assert [f["path"] for f in report["failed"]] == ["uploads/uploads/bomb.docx"]
    assert "parse.max_zip_ratio" in report["failed"][0]["reason"]

    # Two bombs and nothing else: refused whole, one entry per file.
    response = env.post(
        "/v1/documents",
        as_="editor",
        files=[("files", ("a.docx", bomb)), ("files", ("b.docx", bomb))],
    )
    assert response.status_code == 413, response.text
    problem = response.json()
    assert [e["loc"] for e in problem["errors"]] == [
        "uploads/uploads/a.docx",
        "uploads/uploads/b.docx",
    ]
    assert "none of the 2 files was stored" in problem["detail"]

    ok = _upload(env, "note.md", b"# Note\n\nLighthouse keepers log the lamp nightly.\n")
    assert ok["added"] == ["uploads/uploads/note.md"]
    assert env.get("/v1/search", params={"q": "lighthouse lamp"}).status_code == 200


def test_pdf_and_html_limits_apply_to_uploads(
    make_api: Callable[..., ApiEnv], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COMPLYQA_PARSE__MAX_PDF_PAGES", "3")
    monkeypatch.setenv("COMPLYQA_PARSE__MAX_HTML_BYTES", "8000")
    env = make_api()
    pdf = write_pdf(tmp_path / "long.pdf", [f"Page {n}: exports need a licence." for n in range(4)])
    detail = _refused(env, "long.pdf", pdf.read_bytes())
    assert "4 pages" in detail and "parse.max_pdf_pages" in detail

    big = (
        b"<html><body>" + b"<p>Export rules apply to every shipment.</p>" * 200 + b"</body></html>"
    )
    assert "parse.max_html_bytes" in _refused(env, "big.html", big)

    deep = b"<html><body>" + b"<div>" * 1200 + b"<p>Rule.</p>"  # 1,200 deep, under 8,000 bytes
    assert "parse.max_html_depth" in _refused(env, "deep.html", deep)

    nested = b"<html><body>" + b"<div>" * 500 + b"<p>Keepers log the lamp.</p>" + b"</div>" * 500
    assert _upload(env, "nested.html", nested)["added"] == ["uploads/uploads/nested.html"]
    short = write_pdf(tmp_path / "short.pdf", ["Page 1: lamps are checked nightly."])
    assert _upload(env, "short.pdf", short.read_bytes())["added"] == ["uploads/uploads/short.pdf"]
