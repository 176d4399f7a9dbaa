"""`ComplyQA.add_files` without HTTP: what an upload keeps on disk and in the index, and the
errors it raises for files it cannot keep."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from assistant.service import ComplyQA
from assistant.uploads import UploadedFile, UploadReport
from ingest.errors import (
    DocumentParseError,
    InvalidUpload,
    NothingToReplace,
    UnsupportedUpload,
    UploadConflict,
    UploadOverLimit,
    UploadRefused,
)

NOTE = b"Lighthouse keepers log the lamp every night.\n"
CORPUS_NOTE = b"The harbour master keeps the corpus copy of this note.\n"

MakeQA = Callable[..., ComplyQA]


@pytest.fixture
def qa(make_fake_qa: MakeQA, tmp_path: Path) -> ComplyQA:
    """A facade whose corpus has a folder named `uploads`, so one corpus id is an upload id."""
    corpus = tmp_path / "corpus"
    (corpus / "seeds" / "uploads").mkdir(parents=True)
    (corpus / "seeds" / "uploads" / "c.txt").write_bytes(CORPUS_NOTE)
    (corpus / "seeds" / "briefing.txt").write_bytes(CORPUS_NOTE + b"Briefing.\n")
    facade = make_fake_qa()
    assert not facade.ingest([corpus], root=corpus).failed
    return facade


def _root(qa: ComplyQA) -> Path:
    return Path(qa.settings.data_dir) / "uploads"


def _add(
    qa: ComplyQA,
    *files: tuple[str, bytes],
    group: str = "uploads",
    replaces: str | None = None,
    pending_review: bool = False,
) -> UploadReport:
    received = [UploadedFile.of_bytes(name, data) for name, data in files]
    return qa.add_files(
        _root(qa),
        group,
        received,
        10**6,
        uploaded_by="editor",
        replaces=replaces,
        pending_review=pending_review,
    )


def test_a_stored_upload_gets_its_own_id_and_says_who_sent_it(qa: ComplyQA) -> None:
    report = _add(qa, ("notes.txt", NOTE), ("x.md.meta.json", b"{}"), ("..", NOTE))
    assert report.added == ["uploads/uploads/notes.txt"] and not report.failed
    assert [f.reason for f in report.skipped] == [
        "metadata sidecars cannot be uploaded on their own",
        "no usable file name",
    ]
    assert (_root(qa) / "uploads" / "notes.txt").read_bytes() == NOTE
    assert qa.document("uploads/uploads/notes.txt").source == "upload by editor"


def test_a_failing_file_brings_back_the_earlier_one_and_the_index_keeps_it(
    qa: ComplyQA,
) -> None:
    _add(qa, ("notes.txt", NOTE))
    with pytest.raises(UploadRefused) as refused:
        _add(qa, ("notes.txt", b""))  # an empty file cannot be parsed
    assert [f.doc_id for f in refused.value.files] == ["uploads/uploads/notes.txt"]
    assert isinstance(refused.value.files[0].cause, DocumentParseError)
    assert (_root(qa) / "uploads" / "notes.txt").read_bytes() == NOTE
    assert qa.document("uploads/uploads/notes.txt").text.strip() == NOTE.decode().strip()
    assert not any((_root(qa).parent / "upload-staging").iterdir())


def test_an_ingest_that_breaks_puts_every_file_back(
    qa: ComplyQA, monkeypatch: pytest.MonkeyPatch
) -> None:
    _add(qa, ("notes.txt", NOTE))

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the embedder went away")

    monkeypatch.setattr(qa, "ingest_documents", broken)
    with pytest.raises(RuntimeError):
        _add(qa, ("notes.txt", NOTE + b"Second version.\n"), ("new.txt", NOTE))
    assert (_root(qa) / "uploads" / "notes.txt").read_bytes() == NOTE
    assert not (_root(qa) / "uploads" / "new.txt").exists()
    assert qa.document("uploads/uploads/notes.txt").text.strip() == NOTE.decode().strip()


def test_an_upload_never_takes_a_corpus_id(qa: ComplyQA) -> None:
    with pytest.raises(UploadRefused) as refused:
        _add(qa, ("c.txt", NOTE), group="seeds")
    (conflict,) = refused.value.files
    assert isinstance(conflict, UploadConflict) and conflict.doc_id == "seeds/uploads/c.txt"
    assert "'replaces'" in str(refused.value)
    assert qa.document("seeds/uploads/c.txt").source == "corpus"
    assert not (_root(qa) / "seeds" / "uploads" / "c.txt").exists()
    # Beside a file that is stored, the conflict is one failed file of the report.
    report = _add(qa, ("c.txt", NOTE), ("d.txt", NOTE), group="seeds")
    assert report.added == ["seeds/uploads/d.txt"]
    assert [f.path for f in report.failed] == ["seeds/uploads/c.txt"]


def test_nothing_stored_raises_each_files_reason(qa: ComplyQA) -> None:
    with pytest.raises(UploadRefused) as refused:
        _add(qa, ("empty.txt", b""), ("scan.pdf", b"%PDF-1.4 this is not really a pdf"))
    files = refused.value.files
    assert [f.doc_id for f in files] == ["uploads/uploads/empty.txt", "uploads/uploads/scan.pdf"]
    assert all(isinstance(f.cause, DocumentParseError) for f in files)
    assert all(f.reason.startswith(f.doc_id) for f in files)  # no server path in a reason
    assert all(str(_root(qa)) not in f.reason for f in files)
    message = str(refused.value)
    assert message.startswith("none of the 2 files was stored: ")
    assert all(f.reason in message for f in files)
    assert not list(_root(qa).rglob("*.*"))


def test_uploads_no_file_may_hold_are_refused_before_anything_is_written(qa: ComplyQA) -> None:
    with pytest.raises(UnsupportedUpload, match="tool.exe"):
        _add(qa, ("fine.txt", NOTE), ("tool.exe", b"MZ"))
    with pytest.raises(UploadOverLimit, match="limit is 10 bytes"):
        qa.add_files(
            _root(qa), "uploads", [UploadedFile.of_bytes("a.txt", NOTE)], 10, uploaded_by="x"
        )
    with pytest.raises(InvalidUpload, match="no files"):
        _add(qa)
    with pytest.raises(InvalidUpload, match="exactly one file"):
        _add(qa, ("a.txt", NOTE), ("b.txt", NOTE), replaces="seeds/briefing.txt")
    with pytest.raises(InvalidUpload, match="must be a .txt file"):
        _add(qa, ("a.md", NOTE), replaces="seeds/briefing.txt")
    with pytest.raises(NothingToReplace):
        _add(qa, ("a.txt", NOTE), replaces="seeds/none.txt")
    assert not _root(qa).exists() or not list(_root(qa).rglob("*.*"))


def test_an_admin_replacement_keeps_the_id_and_marks_who_sent_it(qa: ComplyQA) -> None:
    report = _add(qa, ("new.txt", NOTE), replaces="seeds/briefing.txt", group="seeds")
    assert report.replaced == ["seeds/briefing.txt"]
    assert (_root(qa) / ".replacements" / "seeds" / "briefing.txt").read_bytes() == NOTE
    assert qa.document("seeds/briefing.txt").source == "upload by editor"


def test_an_upload_waiting_for_review_says_so(qa: ComplyQA) -> None:
    _add(qa, ("notes.txt", NOTE), pending_review=True)
    assert qa.document("uploads/uploads/notes.txt").source == "upload by editor, pending review"
