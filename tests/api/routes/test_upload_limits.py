"""Hostile uploads over HTTP: refused with a reason, nothing kept, the server keeps serving."""

from __future__ import annotations

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


def test_docx_bomb_upload_is_refused_and_the_server_keeps_serving(
    make_api: Callable[..., ApiEnv], tmp_path: Path
) -> None:
    env = make_api()
    bomb = write_docx_bomb(tmp_path / "bomb.docx").read_bytes()
    report = _upload(env, "bomb.docx", bomb)
    assert report["added"] == [] and len(report["failed"]) == 1
    failure = report["failed"][0]
    assert failure["path"] == "uploads/uploads/bomb.docx"
    assert "inflates" in failure["reason"] and "parse.max_zip_ratio" in failure["reason"]
    assert str(tmp_path) not in failure["reason"]  # server paths stay private
    assert not (env.settings.data_dir / "uploads" / "uploads" / "bomb.docx").exists()
    assert env.get("/v1/documents/uploads/uploads/bomb.docx").status_code == 404

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
    report = _upload(env, "long.pdf", pdf.read_bytes())
    assert "4 pages" in report["failed"][0]["reason"]
    assert "parse.max_pdf_pages" in report["failed"][0]["reason"]

    big = (
        b"<html><body>" + b"<p>Export rules apply to every shipment.</p>" * 200 + b"</body></html>"
    )
    report = _upload(env, "big.html", big)
    assert "parse.max_html_bytes" in report["failed"][0]["reason"]

    deep = b"<html><body>" + b"<div>" * 1200 + b"<p>Rule.</p>"  # 1,200 deep, under 8,000 bytes
    report = _upload(env, "deep.html", deep)
    assert "parse.max_html_depth" in report["failed"][0]["reason"]

    nested = b"<html><body>" + b"<div>" * 500 + b"<p>Keepers log the lamp.</p>" + b"</div>" * 500
    assert _upload(env, "nested.html", nested)["added"] == ["uploads/uploads/nested.html"]
    short = write_pdf(tmp_path / "short.pdf", ["Page 1: lamps are checked nightly."])
    assert _upload(env, "short.pdf", short.read_bytes())["added"] == ["uploads/uploads/short.pdf"]
