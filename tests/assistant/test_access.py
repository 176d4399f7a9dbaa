"""The access rules (`assistant/access.py`): pure functions, no index or web layer."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant import access
from assistant.access import AccessDenied, ScopeLeak
from assistant.models import Filters
from assistant.settings import Settings
from ingest.models import Document
from ingest.records import document_metadata

MANIFEST = {
    "us-ear/744.23.md": {"group": "us-ear", "language": "en", "jurisdiction": "US"},
    "cn-regulations/数据安全法.txt": {"group": "cn-regulations", "language": "zh"},
    "seeds/a.txt": {"group": "seeds", "language": "en", "jurisdiction": "EU"},
    "top.txt": {"language": "en"},
}


@pytest.mark.parametrize(
    "doc_id", ["us-ear/744.23.md", "cn-regulations/数据安全法.txt", "a/b/c.txt", "top.txt", ""]
)
def test_group_of_an_id_is_the_group_ingest_indexes(doc_id: str) -> None:
    doc = Document(doc_id=doc_id, text="x", title="t", language="en", content_hash="h")
    assert access.group_of(doc_id) == doc.group
    assert document_metadata(doc, 1).get("group", "") == access.group_of(doc_id)


def test_an_unscoped_key_sees_every_group() -> None:
    assert access.may_see(None, "us-ear")
    assert access.may_see(None, "")
    assert access.may_see(None, None)
    assert access.outside_scope(None, ["a", "b"]) == []
    access.check_groups(None, ["anything"])
    access.check_document(None, "other/doc.txt")


def test_a_scoped_key_sees_only_its_groups() -> None:
    scope = ["cn-regulations"]
    assert access.may_see(scope, "cn-regulations")
    assert not access.may_see(scope, "us-ear")
    assert not access.may_see(scope, "")
    assert not access.may_see(scope, None)  # unknown group: outside any scope


def test_outside_scope_lists_distinct_sorted_groups() -> None:
    scope = ["seeds"]
    assert access.outside_scope(scope, ["us-ear", "seeds", "cn", "us-ear", None]) == [
        "",
        "cn",
        "us-ear",
    ]
    assert access.outside_scope(scope, ["seeds"]) == []


def test_check_groups_fails_closed() -> None:
    access.check_groups(["seeds"], ["seeds", "seeds"])
    access.check_groups(["seeds"], [])
    with pytest.raises(ScopeLeak) as leak:
        access.check_groups(["seeds"], ["seeds", "us-ear"])
    assert leak.value.groups == ["us-ear"]


def test_check_document_decides_on_the_id_alone() -> None:
    access.check_document(["seeds"], "seeds/no-such.txt")
    with pytest.raises(AccessDenied, match="does not include this document's group"):
        access.check_document(["seeds"], "us-ear/744.23.md")
    with pytest.raises(AccessDenied):
        access.check_document(["seeds"], "top.txt")


def test_narrow_filters_without_scope_keeps_the_filter() -> None:
    filters = Filters(groups=["us-ear"], languages=["en"])
    assert access.narrow_filters(filters, None) is filters


def test_narrow_filters_adds_the_scope() -> None:
    narrowed = access.narrow_filters(Filters(languages=["en"]), ["seeds", "us-ear"])
    assert narrowed.groups == ["seeds", "us-ear"]
    assert narrowed.languages == ["en"]
    inside = access.narrow_filters(Filters(groups=["us-ear"]), ["seeds", "us-ear"])
    assert inside.groups == ["us-ear"]


def test_narrow_filters_refuses_groups_outside_the_scope() -> None:
    with pytest.raises(AccessDenied, match=r"group\(s\): cn, us-ear"):
        access.narrow_filters(Filters(groups=["us-ear", "seeds", "cn"]), ["seeds"])


def test_narrow_filters_never_leaves_an_empty_group_list() -> None:
    # An empty group list would read as "no filter" further down.
    with pytest.raises(AccessDenied, match="leaves no document group"):
        access.narrow_filters(Filters(groups=[]), ["seeds"])
    with pytest.raises(AccessDenied, match="leaves no document group"):
        access.narrow_filters(Filters(), [])


def test_document_matches_reads_the_indexed_group() -> None:
    meta = {"group": "seeds", "language": "en"}
    # The stored group decides, not the id's path.
    assert access.document_matches("elsewhere/x.txt", meta, Filters(groups=["seeds"]))
    assert not access.document_matches("seeds/x.txt", {"group": "other"}, Filters(groups=["seeds"]))


def test_document_matches_every_condition() -> None:
    meta = MANIFEST["us-ear/744.23.md"]
    doc_id = "us-ear/744.23.md"
    assert access.document_matches(doc_id, meta, None)
    assert access.document_matches(doc_id, meta, Filters())
    assert access.document_matches(doc_id, meta, Filters(doc_ids=[doc_id]))
    assert not access.document_matches(doc_id, meta, Filters(doc_ids=["other"]))
    assert access.document_matches(doc_id, meta, Filters(languages=["en", "zh"]))
    assert not access.document_matches(doc_id, meta, Filters(languages=["zh"]))
    assert access.document_matches(doc_id, meta, Filters(jurisdictions=["US"]))
    assert not access.document_matches(doc_id, meta, Filters(jurisdictions=["EU"]))
    assert not access.document_matches(doc_id, meta, Filters(groups=[]))
    # No jurisdiction stored: a jurisdiction filter excludes the document.
    cn = "cn-regulations/数据安全法.txt"
    assert not access.document_matches(cn, MANIFEST[cn], Filters(jurisdictions=["CN"]))
    # No group stored: the top-level group "".
    assert access.document_matches("top.txt", MANIFEST["top.txt"], Filters(groups=[""]))


def test_select_documents_filters_and_sorts_the_manifest() -> None:
    assert access.select_documents(MANIFEST, None) == sorted(MANIFEST)
    assert access.select_documents(MANIFEST, Filters(languages=["en"])) == [
        "seeds/a.txt",
        "top.txt",
        "us-ear/744.23.md",
    ]
    scoped = access.narrow_filters(Filters(languages=["en"]), ["seeds", "cn-regulations"])
    assert access.select_documents(MANIFEST, scoped) == ["seeds/a.txt"]
    assert access.select_documents({}, Filters(groups=["seeds"])) == []


def test_settings_with_profile_carries_the_data_and_endpoints_over() -> None:
    base = Settings.load(
        "default",
        data_dir=Path("/tmp/somewhere"),
        chroma_url="http://chroma:8000",
        corpus_dir=Path("/tmp/corpus"),
        chunking={"max_chars": 777},
        llm={"base_url": "http://llm", "model": "m", "api_key": "secret"},
        api={"rate_limit_per_minute": 7},
    )
    other = base.with_profile("rerank")
    assert other.profile == "rerank"
    assert other.data_dir == base.data_dir and other.chroma_url == base.chroma_url
    assert other.corpus_dir == base.corpus_dir
    assert other.embedding == base.embedding and other.chunking == base.chunking
    assert other.llm.base_url == "http://llm" and other.llm.model == "m"
    assert other.llm.api_key.get_secret_value() == "secret"
    assert other.api == base.api
    # The profile's own retrieval/relevance settings apply.
    assert other.relevance == Settings.load("rerank").relevance
    assert other.retrieval == Settings.load("rerank").retrieval
