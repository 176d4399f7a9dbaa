"""Lexical index updates: scores equal bm25s, and an updated index equals a full rebuild.

Both on the bundled corpus (741 chunks, Chinese and English), chunked as an ingest would but
not embedded.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import bm25s
import numpy as np
import pytest

from ingest.lexical import Condition, LexicalIndex, _index_text
from ingest.models import Document
from ingest.records import PENDING_FIELD, StoredChunk
from ingest.tokenize import tokenize
from ingest.unembedded import document_chunks, load_documents
from tests.conftest import CORPUS

QUERIES = [
    "网络运营者应当保存网络日志不少于六个月",
    "个人信息出境需要安全评估吗",
    "关键信息基础设施运营者的安全保护义务",
    "数据处理者违反本法规定的罚款",
    "算法推荐服务提供者应当公示算法",
    "出口管制物项的最终用户证明",
    "反外国制裁法 反制措施",
    "电信业务经营许可证",
    "侵权责任 损害赔偿",
    "网络安全等级保护制度",
    "国家网信部门 统筹协调",
    "第二十一条",
    "个人信息处理者应当取得个人同意",
    "敏感个人信息",
    "重要数据目录",
    "两用物项出口经营者",
    "未成年人个人信息",
    "自动化决策",
    "网络数据安全 风险评估 年度报告",
    "违法所得一倍以上十倍以下罚款",
    "export administration regulations license requirement",
    "§ 744.23 supercomputer end use",
    "deemed export of technology",
    "personal information protection impact assessment",
    "data breach notification within 72 hours",
    "entity list foreign direct product rule",
    "controller processor obligations",
    "penalties for violations",
    "734.9",
    "3A090 integrated circuits",
    "cross-border transfer of personal data",
    "who must keep network logs",
    "the the of and",
    "网络安全法 network security law",
    "xyzzy 不存在的词",
    "等级保护 personal information 罚款",
]


@pytest.fixture(scope="module")
def documents() -> list[Document]:
    return load_documents([CORPUS], CORPUS)


@pytest.fixture(scope="module")
def chunks(documents: list[Document]) -> list[StoredChunk]:
    return [c for doc in documents for c in document_chunks(doc)]


def test_scores_equal_bm25s_on_the_bundled_corpus(chunks: list[StoredChunk]) -> None:
    """The figures of the default profile stay the same: bm25s (lucene, k1 1.5, b 0.75)."""
    assert len(chunks) > 700
    index = LexicalIndex.build("fp", chunks)
    reference = bm25s.BM25()
    reference.index([tokenize(_index_text(c)) or [""] for c in chunks], show_progress=False)
    mask = np.array([c.metadata["group"] == "cn-regulations" for c in chunks], np.float32)
    for query in QUERIES:
        tokens = tokenize(query)
        known = reference.get_tokens_ids(tokens)
        for weights in (None, mask):
            expected = (
                reference.get_scores(known, weight_mask=weights)
                if known
                else np.zeros(len(chunks), np.float32)
            )
            ours = index.postings.scores([index.vocab[t] for t in tokens if t in index.vocab])
            if weights is not None:
                ours *= weights
            np.testing.assert_allclose(ours, expected, rtol=1e-6, atol=1e-6, err_msg=query)
        hits = index.search(query, 30, {"group": ["cn-regulations"]})
        top = sorted(np.flatnonzero(expected > 0), key=lambda i: (-expected[i], chunks[i].chunk_id))
        assert [h.chunk_id for h in hits] == [chunks[i].chunk_id for i in top[:30]], query
        assert [h.score for h in hits] == pytest.approx([float(expected[i]) for i in top[:30]])


def _amended(doc: Document) -> Document:
    """A new version of `doc`: one more article, so its hash and its term counts change."""
    text = f"{doc.text}\n\n第九十九条 网络运营者应当每年报告个人信息出境的安全评估情况。"
    return dataclasses.replace(doc, text=text, content_hash="amended" + doc.content_hash[7:])


def _with(chunks: list[StoredChunk], **meta: int) -> list[StoredChunk]:
    return [dataclasses.replace(c, metadata={**c.metadata, **meta}) for c in chunks]


def _as_of(day: int) -> dict[str, Condition]:
    return {"valid_from": {"$lte": day}, "valid_to": {"$gt": day}}


WHERES: list[dict[str, Condition] | None] = [
    None,
    {"group": ["cn-regulations"]},
    {"group": ["us-ear", "seeds"], "language": ["en"]},
    _as_of(20150101),
    {**_as_of(20260101), PENDING_FIELD: {"$ne": 1}},
    {PENDING_FIELD: {"$ne": 1}},
]


def test_updated_index_equals_a_full_rebuild(documents: list[Document], tmp_path: Path) -> None:
    by_doc = {doc.doc_id: document_chunks(doc) for doc in documents}
    added, replaced, deleted, retimed, pending = (d.doc_id for d in documents[:5])
    before = {doc_id: c for doc_id, c in by_doc.items() if doc_id != added}
    index = LexicalIndex.build("v1", [c for cs in before.values() for c in cs])

    # One document added, one replaced by a new version, one deleted, one given an end of
    # its period (a newer version elsewhere), one uploaded and waiting for review; and the
    # index saved and loaded in between, as another process would.
    new_version = document_chunks(_amended(documents[1]))
    assert {c.chunk_id for c in new_version}.isdisjoint(c.chunk_id for c in by_doc[replaced])
    index = index.updated("v2", [], by_doc[added])
    index = index.updated("v3", [replaced], new_version)
    index.save(tmp_path / "index.npz")
    loaded = LexicalIndex.load(tmp_path / "index.npz")
    assert loaded is not None
    index = loaded.updated("v4", [deleted], [])
    retimed_chunks = _with(by_doc[retimed], valid_from=20100101, valid_to=20200101)
    pending_chunks = _with(by_doc[pending], **{PENDING_FIELD: 1})
    index = index.updated("v5", [retimed, pending], [*retimed_chunks, *pending_chunks])

    after = dict(by_doc)
    after[replaced] = new_version
    after[retimed] = retimed_chunks
    after[pending] = pending_chunks
    del after[deleted]
    # The full rebuild reads the chunks in another order, as a paged Chroma read would.
    rebuilt = LexicalIndex.build("v5", [c for d in sorted(after, reverse=True) for c in after[d]])

    assert sorted(index.ids) == sorted(rebuilt.ids)
    compared = 0
    for query in [*QUERIES, "第九十九条 每年报告 安全评估情况"]:
        for where in WHERES:
            got, want = index.search(query, 20, where), rebuilt.search(query, 20, where)
            assert [h.chunk_id for h in got] == [h.chunk_id for h in want], (query, where)
            assert [h.score for h in got] == pytest.approx([h.score for h in want], abs=1e-6)
            compared += len(got)
        for term in tokenize(query):
            assert index.idf(term) == pytest.approx(rebuilt.idf(term))
    assert compared > 1000
    # The changes are visible: the new article, the period, the review flag.
    assert index.search("第九十九条 每年报告", 1)[0].chunk_id.startswith(f"{replaced}::amended")
    as_of_2015 = {
        h.chunk_id.split("::")[0] for h in index.search("个人信息", 500, _as_of(20150101))
    }
    assert retimed in as_of_2015
    assert retimed not in {
        h.chunk_id.split("::")[0] for h in index.search("个人信息", 500, _as_of(20250101))
    }
    assert deleted not in {h.chunk_id.split("::")[0] for h in index.search("个人信息", 500)}


def test_matches_reads_conditions_as_the_mask_does() -> None:
    """The dense search filters its over-fetch with `matches`; the lexical side with `mask`."""
    from ingest.lexical import matches

    where = {"valid_from": {"$lte": 20261130}, "valid_to": {"$gt": 20261130}, "group": ["cn"]}
    assert matches({"valid_from": 20210101, "valid_to": 99991231, "group": "cn"}, where)
    assert not matches({"valid_from": 20210101, "valid_to": 20261130, "group": "cn"}, where)
    assert not matches({"valid_from": 20210101, "valid_to": 99991231, "group": "us"}, where)
    # Missing numbers take the index's defaults: no start, open end, not pending.
    assert matches({"group": "cn"}, where)
    assert matches({}, {"x_pending_review": {"$ne": 1}})
    assert not matches({"x_pending_review": 1}, {"x_pending_review": {"$ne": 1}})
