"""Answers from the version in force: two real versions of a judicial interpretation (cn-laws).

The older text arrives first and is in force; the newer one arrives in a later ingest and
ends the older one's period. Asked today, answers cite the newer text; asked as of a day
between them, the older one, which says it is superseded and when it was in force.
"""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from assistant.models import DocumentInfo, Filters
from assistant.retrieval.hybrid import chroma_where, lexical_where
from assistant.service import ComplyQA
from assistant.settings import Settings
from tests.conftest import CORPUS, FakeEmbedder

CN_LAWS = Path(__file__).resolve().parents[3] / "shared" / "corpus-large" / "cn-laws"
FOLDER = "司法解释"
OLD = f"{FOLDER}/最高人民法院关于适用《刑事诉讼法》的解释(2012-12-20).md"
NEW = f"{FOLDER}/最高人民法院关于适用《刑事诉讼法》的解释(2021-01-26).md"
QUESTION = "人民法院直接受理的自诉案件包括哪些？"
BETWEEN = dt.date(2015, 6, 1)

needs_cn_laws = pytest.mark.skipif(
    not (CN_LAWS / OLD).is_file(),
    reason="needs ../shared/corpus-large/cn-laws (not in this checkout)",
)


def fake_qa(data: Path) -> ComplyQA:
    # The relevance model is not under test here: which version answers is.
    settings = Settings.load(data_dir=data, relevance={"enabled": False})
    return ComplyQA(settings, embedder=FakeEmbedder())  # type: ignore[arg-type]


@dataclass
class TwoVersions:
    qa: ComplyQA
    corpus: Path
    before_new: dict[str, DocumentInfo]  # the manifest when only the old text was indexed


@pytest.fixture(scope="module")
def versions(tmp_path_factory: pytest.TempPathFactory) -> TwoVersions:
    root = tmp_path_factory.mktemp("versions")
    corpus = root / "cn-laws"
    (corpus / FOLDER).mkdir(parents=True)
    shutil.copy(CN_LAWS / OLD, corpus / OLD)
    qa = fake_qa(root / "data")
    assert qa.ingest([corpus]).added == [OLD]
    before = {d.doc_id: d for d in qa.documents()}
    shutil.copy(CN_LAWS / NEW, corpus / NEW)
    report = qa.ingest([corpus])
    assert report.added == [NEW] and report.unchanged == [OLD]
    return TwoVersions(qa, corpus, before)


@needs_cn_laws
def test_a_later_version_regroups_the_instrument(versions: TwoVersions) -> None:
    alone = versions.before_new[OLD]
    assert (alone.status, alone.effective_from, alone.effective_to) == (
        "in_force",
        "2013-01-01",
        None,
    )
    docs = {d.doc_id: d for d in versions.qa.documents()}
    old, new = docs[OLD], docs[NEW]
    assert old.instrument == new.instrument == f"{FOLDER}/最高人民法院关于适用《刑事诉讼法》的解释"
    assert (old.status, old.effective_from, old.effective_to) == (
        "superseded",
        "2013-01-01",
        "2021-03-01",
    )
    assert old.superseded_by == NEW
    assert (new.status, new.effective_from, new.effective_to) == ("in_force", "2021-03-01", None)


@needs_cn_laws
def test_asked_today_the_answer_cites_the_text_in_force(versions: TwoVersions) -> None:
    answer = versions.qa.ask(QUESTION)
    assert not answer.abstained and answer.citations
    assert {c.doc_id for c in answer.citations} == {NEW}
    assert {p.doc_id for p in answer.passages} == {NEW}
    assert all(c.status == "in_force" for c in answer.citations)


@needs_cn_laws
def test_asked_as_of_a_day_between_the_answer_cites_the_older_text_marked_superseded(
    versions: TwoVersions,
) -> None:
    answer = versions.qa.ask(QUESTION, filters=Filters(as_of=BETWEEN))
    assert not answer.abstained and answer.citations
    assert {p.doc_id for p in answer.passages} == {OLD}
    for c in answer.citations:
        assert c.doc_id == OLD and c.status == "superseded"
        assert (c.effective_from, c.effective_to) == ("2013-01-01", "2021-03-01")
        assert c.validity == "superseded · text in force 2013-01-01 to 2021-03-01"
    dumped = answer.model_dump(mode="json")["citations"][0]
    assert dumped["status"] == "superseded" and dumped["effective_to"] == "2021-03-01"


@needs_cn_laws
def test_search_follows_the_same_day(versions: TwoVersions) -> None:
    query = "自诉案件 告诉才处理"
    assert {p.doc_id for p in versions.qa.search(query, k=10)} == {NEW}
    assert {p.doc_id for p in versions.qa.search(query, k=10, filters=Filters(as_of=BETWEEN))} == {
        OLD
    }
    # Before the first text took effect nothing of this instrument was in force.
    early = Filters(as_of=dt.date(2012, 12, 31))
    assert versions.qa.search(query, k=10, filters=early) == []


@needs_cn_laws
def test_the_day_is_applied_inside_both_rankings(versions: TwoVersions) -> None:
    """Dense (Chroma `where`) and lexical (BM25 mask) each see only the day's texts."""
    index, filters = versions.qa.index, Filters(as_of=BETWEEN)
    manifest = index.manifest()
    vector = index.embedder.encode_query(QUESTION)
    dense = index.store.query(vector, 50, chroma_where(filters), manifest)
    lexical = index.lexical().search(QUESTION, 50, lexical_where(filters))
    assert dense and {c.metadata["doc_id"] for c in dense} == {OLD}
    assert lexical and {h.chunk_id.split("::")[0] for h in lexical} == {OLD}
    unfiltered = index.lexical().search(QUESTION, 50, None)
    assert {h.chunk_id.split("::")[0] for h in unfiltered} == {OLD, NEW}


@needs_cn_laws
def test_the_dense_over_fetch_keeps_only_the_day_s_texts(versions: TwoVersions) -> None:
    """Dense search filters the day after Chroma (over-fetch) and falls back to Chroma's own
    `where` when too few pass; either way only the day's text comes back."""
    search, index = versions.qa.search_engine, versions.qa.index
    manifest = index.manifest()
    vector = index.embedder.encode_query(QUESTION)
    for day, text in ((BETWEEN, OLD), (None, NEW)):
        dense = search._dense(vector, Filters(as_of=day), manifest)
        assert dense and {c.metadata["doc_id"] for c in dense} == {text}
    settings = search.settings
    search.settings = settings.model_copy(update={"dense_k": 10_000})  # must fall back
    try:
        dense = search._dense(vector, Filters(as_of=BETWEEN), manifest)
    finally:
        search.settings = settings
    assert dense and {c.metadata["doc_id"] for c in dense} == {OLD}


SMALL = f"{FOLDER}/最高人民法院关于设立国际商事法庭若干问题的规定"


@needs_cn_laws
def test_deleting_the_newer_text_puts_the_older_back_in_force(tmp_path: Path) -> None:
    # A smaller interpretation in two versions (in force 2018-07-01, then 2024-01-01).
    old, new = f"{SMALL}(2018-06-27).md", f"{SMALL}(2023-12-18).md"
    corpus = tmp_path / "cn-laws"
    (corpus / FOLDER).mkdir(parents=True)
    for rel in (old, new):
        shutil.copy(CN_LAWS / rel, corpus / rel)
    qa = fake_qa(tmp_path / "data")
    qa.ingest([corpus])
    assert {p.doc_id for p in qa.search("国际商事法庭 受理 案件", k=5)} == {new}
    assert qa.delete_document(new)
    left = qa.documents()[0]
    assert (left.doc_id, left.status, left.effective_to) == (old, "in_force", None)
    assert {p.doc_id for p in qa.search("国际商事法庭 受理 案件", k=5)} == {old}


def test_bundled_cybersecurity_law_answers_carry_the_amendment_warning(tmp_path: Path) -> None:
    qa = fake_qa(tmp_path / "data")
    qa.ingest([CORPUS / "cn-regulations"], root=CORPUS)
    answer = qa.ask("网络安全法第二十一条规定了什么？")
    cited = [c for c in answer.citations if c.doc_id == "cn-regulations/网络安全法(2016-11-07).md"]
    assert cited, answer.citations
    for c in cited:
        assert c.status == "amended_not_in_corpus"
        assert c.validity == (
            "amended 2025-10-28, amendment not in corpus · text in force 2017-06-01 to 2026-01-01"
        )
    # Still the best text the corpus has for earlier days, and then it was the one in force.
    before = qa.ask("网络安全法第二十一条规定了什么？", filters=Filters(as_of=dt.date(2020, 1, 1)))
    assert any(c.doc_id.endswith("网络安全法(2016-11-07).md") for c in before.citations)
    # Texts that took effect later are not answers for 2020 (the Data Security Law: 2021-09-01).
    assert all("数据安全法" not in p.doc_id for p in before.passages)
