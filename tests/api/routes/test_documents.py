"""`/v1/documents`: list, read, upload (safe names, limits, no half-ingested files), delete."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.api.conftest import ApiEnv, doc_text

NOTE = (
    b"Export notes\n\nA licence is required before shipping quantum sensors abroad. "
    b"Quantum sensor exports are reviewed case by case.\n"
)


def test_list_documents_with_metadata(api: ApiEnv) -> None:
    docs = api.get("/v1/documents", as_="reader").json()
    assert [d["doc_id"] for d in docs] == sorted(d["doc_id"] for d in docs)
    assert len(docs) == 4
    law = next(d for d in docs if d["doc_id"].startswith("cn-regulations/数据安全法"))
    assert law["group"] == "cn-regulations" and law["language"] == "zh"
    assert law["date"] == "2021-06-10"
    only_seeds = api.get("/v1/documents", params={"group": "seeds"}).json()
    assert [d["group"] for d in only_seeds] == ["seeds"]


def test_read_a_document_by_id_with_slashes_and_unicode(api: ApiEnv) -> None:
    doc = api.get("/v1/documents/cn-regulations/数据安全法(2021-06-10).md", as_="reader")
    assert doc.status_code == 200
    assert "第二十一条" in doc.json()["text"] and doc.json()["title"]


def test_unknown_document_is_404(api: ApiEnv) -> None:
    response = api.get("/v1/documents/us-ear/nothing.md")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert api.delete("/v1/documents/us-ear/nothing.md", as_="editor").status_code == 404


def test_upload_ingests_and_reports_per_file(make_api: Callable[..., ApiEnv]) -> None:
    env = make_api()
    response = env.post(
        "/v1/documents",
        as_="editor",
        files=[
            ("files", ("notes.txt", NOTE, "text/plain")),
            (
                "files",
                (
                    "policy.md",
                    b"# Policy\n\nStaff must log every export decision.\n",
                    "text/markdown",
                ),
            ),
        ],
        data={"group": "team-docs"},
    )
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["group"] == "team-docs"
    assert sorted(report["added"]) == ["team-docs/uploads/notes.txt", "team-docs/uploads/policy.md"]
    assert not report["failed"] and report["chunks_embedded"] >= 2
    assert (env.settings.data_dir / "uploads" / "team-docs" / "notes.txt").read_bytes() == NOTE
    found = env.get("/v1/search", params={"q": "quantum sensors"}).json()["passages"]
    assert "team-docs/uploads/notes.txt" in [p["doc_id"] for p in found]  # searchable at once

    again = env.post(
        "/v1/documents",
        as_="editor",
        files=[("files", ("notes.txt", NOTE))],
        data={"group": "team-docs"},
    ).json()
    assert again["unchanged"] == ["team-docs/uploads/notes.txt"]
    changed = env.post(
        "/v1/documents",
        as_="editor",
        files=[("files", ("notes.txt", NOTE + b"Also lasers.\n"))],
        data={"group": "team-docs"},
    ).json()
    assert changed["replaced"] == ["team-docs/uploads/notes.txt"]


def test_default_group_is_uploads(make_api: Callable[..., ApiEnv]) -> None:
    env = make_api()
    report = env.post("/v1/documents", as_="editor", files=[("files", ("n.txt", NOTE))]).json()
    assert report["added"] == ["uploads/uploads/n.txt"]


def test_file_names_cannot_escape_the_uploads_folder(make_api: Callable[..., ApiEnv]) -> None:
    env = make_api()
    response = env.post(
        "/v1/documents",
        as_="editor",
        files=[
            ("files", ("../../../evil.txt", NOTE)),
            ("files", ("..\\..\\win.txt", NOTE)),
            ("files", (".hidden.md", NOTE)),
        ],
    )
    assert response.status_code == 200, response.text
    assert sorted(response.json()["added"]) == [
        "uploads/uploads/evil.txt",
        "uploads/uploads/hidden.md",
        "uploads/uploads/win.txt",
    ]
    data = env.settings.data_dir
    stored = sorted(p.relative_to(data).as_posix() for p in data.rglob("*.txt"))
    assert stored == ["uploads/uploads/evil.txt", "uploads/uploads/win.txt"]
    assert not (data.parent / "evil.txt").exists()
    bad_group = env.post(
        "/v1/documents", as_="editor", files=[("files", ("a.txt", NOTE))], data={"group": "../etc"}
    )
    assert bad_group.status_code == 422


def test_unsupported_type_is_415_and_nothing_is_kept(make_api: Callable[..., ApiEnv]) -> None:
    env = make_api()
    response = env.post(
        "/v1/documents",
        as_="editor",
        files=[("files", ("fine.txt", NOTE)), ("files", ("tool.exe", b"MZ\x90\x00"))],
    )
    assert response.status_code == 415
    assert response.headers["content-type"] == "application/problem+json"
    assert "tool.exe" in response.json()["detail"]
    assert not (env.settings.data_dir / "uploads").exists()


def test_upload_over_the_limit_is_413(make_api: Callable[..., ApiEnv]) -> None:
    env = make_api(max_upload_bytes=1000)
    response = env.post("/v1/documents", as_="editor", files=[("files", ("big.txt", b"a " * 600))])
    assert response.status_code == 413
    assert "1000" in response.json()["detail"]
    # A body far over the limit is cut off before it is read.
    huge = env.post("/v1/documents", as_="editor", files=[("files", ("huge.txt", b"a" * 200_000))])
    assert huge.status_code == 413
    assert huge.headers["content-type"] == "application/problem+json"
    assert not list((env.settings.data_dir).rglob("*.txt"))


def test_a_failed_ingest_keeps_neither_the_file_nor_an_index_change(
    make_api: Callable[..., ApiEnv],
) -> None:
    env = make_api()
    first = env.post("/v1/documents", as_="editor", files=[("files", ("notes.txt", NOTE))]).json()
    assert first["added"] == ["uploads/uploads/notes.txt"]
    before = env.get("/v1/documents").json()
    fingerprint = env.client.get("/readyz").json()["fingerprint"]

    broken = env.post(
        "/v1/documents",
        as_="editor",
        files=[
            ("files", ("notes.txt", b"")),  # replacing a good file with an empty one fails
            ("files", ("scan.pdf", b"%PDF-1.4 this is not really a pdf")),
        ],
    )
    # Nothing of it stored: refused whole, one error per file.
    assert broken.status_code == 422, broken.text
    errors = broken.json()["errors"]
    assert sorted(e["loc"] for e in errors) == [
        "uploads/uploads/notes.txt",
        "uploads/uploads/scan.pdf",
    ]
    assert all(str(env.settings.data_dir) not in e["msg"] for e in errors)
    uploads = env.settings.data_dir / "uploads" / "uploads"
    assert (uploads / "notes.txt").read_bytes() == NOTE  # the earlier version is back
    assert not (uploads / "scan.pdf").exists()
    assert env.get("/v1/documents").json() == before
    assert env.client.get("/readyz").json()["fingerprint"] == fingerprint
    assert not any((env.settings.data_dir / "upload-staging").iterdir())


def test_delete_removes_document_and_uploaded_file(make_api: Callable[..., ApiEnv]) -> None:
    env = make_api()
    env.post("/v1/documents", as_="editor", files=[("files", ("notes.txt", NOTE))])
    path = env.settings.data_dir / "uploads" / "uploads" / "notes.txt"
    assert path.exists()
    response = env.delete("/v1/documents/uploads/uploads/notes.txt", as_="editor")
    assert response.status_code == 200
    assert response.json() == {
        "doc_id": "uploads/uploads/notes.txt",
        "deleted": True,
        "file_removed": True,
    }
    assert not path.exists()
    assert env.get("/v1/documents/uploads/uploads/notes.txt").status_code == 404
    corpus_doc = env.delete("/v1/documents/seeds/cloud-briefing.txt", as_="editor").json()
    assert corpus_doc["file_removed"] is False
    assert (env.corpus / "seeds" / "cloud-briefing.txt").exists()


def test_readers_cannot_upload_or_delete(api: ApiEnv) -> None:
    upload = api.post("/v1/documents", as_="reader", files=[("files", ("a.txt", NOTE))])
    assert upload.status_code == 403
    assert "editor" in upload.json()["detail"]
    assert api.delete("/v1/documents/seeds/cloud-briefing.txt", as_="reader").status_code == 403
    assert len(api.get("/v1/documents").json()) == 4


def test_document_text_matches_what_search_cites(api: ApiEnv) -> None:
    p = api.get("/v1/search", params={"q": "数据分类分级保护制度"}).json()["passages"][0]
    assert doc_text(api, p["doc_id"])[p["start"] : p["end"]] == p["text"]


def test_paths_are_data_dir_relative(tmp_path: Path) -> None:
    from assistant.uploads import remove_uploaded, safe_filename

    assert safe_filename("../../a b(1).txt") == "a b(1).txt"
    assert safe_filename("C:\\Users\\x\\报告.docx") == "报告.docx"
    assert safe_filename("..") is None and safe_filename("") is None
    assert safe_filename("a\x00b<>|.txt") == "ab_.txt"
    root = tmp_path / "uploads"
    (tmp_path / "outside.txt").write_text("x")
    root.mkdir()
    assert remove_uploaded(root, "../outside.txt") is False
    assert (tmp_path / "outside.txt").exists()
