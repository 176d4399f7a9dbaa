"""Uploads live in their own id space: they never replace a corpus document or take its
metadata, say who uploaded them, and only an admin replaces a corpus document, on record."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from assistant.uploads import doc_id_of_file, file_of_doc_id
from tests.api.conftest import ApiEnv

OFFICIAL = "us-ear/744.23.md"
PLANTED = b"# 744.23\n\nNo licence is required for supercomputers and everything is legal.\n"


def _with_official_metadata(env: ApiEnv) -> dict[str, object]:
    """The EAR section with its official date and jurisdiction, as the corpus ingest gives it."""
    sidecar = env.corpus / "us-ear" / "744.23.md.meta.json"
    sidecar.write_text(json.dumps({"date": "2024-04-04", "jurisdiction": "US"}))
    section = env.corpus / OFFICIAL
    # A new version (the ingest re-reads metadata only when the text changes).
    section.write_text(section.read_text() + "\n(c) Amended 2024-04-04.\n")
    report = env.qa.ingest([env.corpus], root=env.corpus)
    assert not report.failed
    official: dict[str, object] = env.get(f"/v1/documents/{OFFICIAL}").json()
    assert official["date"] == "2024-04-04" and official["source"] == "corpus"
    return official


def test_an_upload_under_an_official_name_gets_its_own_id(make_api: Callable[..., ApiEnv]) -> None:
    env = make_api()
    official = _with_official_metadata(env)
    response = env.post(
        "/v1/documents",
        as_="editor",
        files=[("files", ("744.23.md", PLANTED))],
        data={"group": "us-ear"},
    )
    assert response.status_code == 200, response.text
    assert response.json()["added"] == ["us-ear/uploads/744.23.md"]
    assert env.get(f"/v1/documents/{OFFICIAL}").json() == official  # text, date, all
    upload = env.get("/v1/documents/us-ear/uploads/744.23.md").json()
    assert upload["source"] == "upload by editor" and upload["group"] == "us-ear"
    assert upload["date"] is None and upload["jurisdiction"] is None  # nothing inherited
    listed = {d["doc_id"]: d["source"] for d in env.get("/v1/documents").json()}
    assert listed[OFFICIAL] == "corpus" and listed["us-ear/uploads/744.23.md"] == "upload by editor"
    # Ingesting the corpus again leaves both as they are, and the upload's file in place.
    report = env.qa.ingest([env.corpus], root=env.corpus)
    assert "us-ear/uploads/744.23.md" not in report.removed
    assert env.get("/v1/documents/us-ear/uploads/744.23.md").status_code == 200
    assert env.get(f"/v1/documents/{OFFICIAL}").json() == official


def test_a_passage_file_cannot_name_an_official_id(make_api: Callable[..., ApiEnv]) -> None:
    env = make_api()
    official = _with_official_metadata(env)
    records = [{"id": "p1", "text": "Everything is legal.", "metadata": {"doc_id": OFFICIAL}}]
    response = env.post(
        "/v1/documents",
        as_="editor",
        files=[("files", ("sneaky.json", json.dumps(records).encode()))],
        data={"group": "us-ear"},
    )
    assert response.status_code == 200, response.text
    (added,) = response.json()["added"]
    assert added.startswith("us-ear/uploads/sneaky.json") and added != OFFICIAL
    assert env.get(f"/v1/documents/{OFFICIAL}").json() == official


def test_only_an_unscoped_admin_replaces_a_corpus_document(
    make_api: Callable[..., ApiEnv],
) -> None:
    env = make_api()
    _with_official_metadata(env)
    files = [("files", ("new-744.23.md", PLANTED))]
    for who in ("editor", "cn_admin"):
        refused = env.post("/v1/documents", as_=who, files=files, data={"replaces": OFFICIAL})
        assert refused.status_code == 403, who
    wrong_type = env.post(
        "/v1/documents",
        files=[("files", ("x.txt", PLANTED))],
        data={"replaces": OFFICIAL},
    )
    assert wrong_type.status_code == 422 and ".md" in wrong_type.json()["detail"]
    unknown = env.post("/v1/documents", files=files, data={"replaces": "us-ear/none.md"})
    assert unknown.status_code == 404

    replaced = env.post("/v1/documents", files=files, data={"replaces": OFFICIAL})
    assert replaced.status_code == 200, replaced.text
    assert replaced.json()["replaced"] == [OFFICIAL]
    row = env.state.audit.entries()[-1]
    assert row.key_id == env.key_ids["admin"] and row.status == 200
    assert row.detail and row.detail.startswith(f"replaced document {OFFICIAL}")
    doc = env.get(f"/v1/documents/{OFFICIAL}").json()
    assert doc["source"] == "upload by admin" and "everything is legal" in doc["text"]
    # Deleting the replacement removes its file too; the corpus folder brings the original back.
    deleted = env.delete(f"/v1/documents/{OFFICIAL}", as_="editor").json()
    assert deleted["file_removed"] is True
    env.qa.ingest([env.corpus], root=env.corpus)
    assert env.get(f"/v1/documents/{OFFICIAL}").json()["source"] == "corpus"


def test_files_and_ids_map_both_ways(tmp_path: Path) -> None:
    root = tmp_path / "uploads"
    assert file_of_doc_id(root, "team/uploads/a.md") == root / "team" / "a.md"
    assert doc_id_of_file(root, root / "team" / "a.md") == "team/uploads/a.md"
    assert file_of_doc_id(root, OFFICIAL) == root / ".replacements" / "us-ear" / "744.23.md"
    assert doc_id_of_file(root, root / ".replacements" / "us-ear" / "744.23.md") == OFFICIAL
    assert doc_id_of_file(root, tmp_path / "elsewhere.md") is None
