"""How a refused upload reads over HTTP: `assistant/api/errors.py` turns the domain's upload
errors into the statuses and problem types the API has always answered with."""

from __future__ import annotations

from assistant.api.errors import UPLOAD_REFUSED, problem_for_exception
from ingest.errors import (
    FileOverLimit,
    FileRefused,
    InvalidUpload,
    NothingToReplace,
    UnsupportedUpload,
    UploadConflict,
    UploadOverLimit,
    UploadRefused,
)

BOMB = FileRefused("g/uploads/bomb.docx", "too big", FileOverLimit("too big"))
CONFLICT = UploadConflict("g/uploads/c.txt", "a corpus document has this id")
BROKEN = FileRefused("g/uploads/x.txt", "no text to index")


def test_one_refused_file_answers_with_its_own_status_and_type() -> None:
    p = problem_for_exception(UploadRefused([BOMB]))
    assert (p.status, p.type, p.detail) == (413, "urn:complyqa:error:file-over-limit", "too big")
    assert p.errors == [
        {
            "loc": "g/uploads/bomb.docx",
            "msg": "too big",
            "type": "urn:complyqa:error:file-over-limit",
        }
    ]
    conflict = problem_for_exception(UploadRefused([CONFLICT]))
    assert (conflict.status, conflict.type) == (409, UPLOAD_REFUSED)
    broken = problem_for_exception(UploadRefused([BROKEN]))
    assert (broken.status, broken.type) == (422, UPLOAD_REFUSED)


def test_several_refused_files_answer_with_their_common_status_else_422() -> None:
    two_bombs = problem_for_exception(UploadRefused([BOMB, BOMB]))
    assert (two_bombs.status, two_bombs.type) == (413, UPLOAD_REFUSED)
    assert two_bombs.detail.startswith("none of the 2 files was stored: too big; too big.")
    mixed = problem_for_exception(UploadRefused([BOMB, CONFLICT, BROKEN]))
    assert (mixed.status, mixed.type) == (422, UPLOAD_REFUSED)
    assert [e["type"] for e in mixed.errors or []] == [
        "urn:complyqa:error:file-over-limit",
        UPLOAD_REFUSED,
        UPLOAD_REFUSED,
    ]


def test_upload_checks_are_plain_problems() -> None:
    for exc, status in [
        (InvalidUpload("x"), 422),
        (UnsupportedUpload("x"), 415),
        (UploadOverLimit("x"), 413),
        (NothingToReplace("x"), 404),
    ]:
        p = problem_for_exception(exc)
        assert (p.status, p.type, p.errors) == (status, "about:blank", None)
    # Their bases keep their own types elsewhere.
    assert problem_for_exception(FileOverLimit("x")).type == "urn:complyqa:error:file-over-limit"
