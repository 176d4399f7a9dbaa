"""The shipped relevance model loads offline from the package and ranks known pairs sensibly."""

from __future__ import annotations

import json

import numpy as np
import pytest

from assistant.models import Passage
from assistant.relevance.model import MODEL_DIR, RelevanceModel, load_model
from assistant.relevance.rerank import Reranker
from ingest.errors import ConfigurationError

PIPL_66 = (
    "第六十六条 违反本法规定处理个人信息，或者处理个人信息未履行本法规定的个人信息保护义务的，"
    "由履行个人信息保护职责的部门责令改正，给予警告，没收违法所得；"
    "有前款规定的违法行为，情节严重的，由省级以上履行个人信息保护职责的部门责令改正，"
    "没收违法所得，并处五千万元以下或者上一年度营业额百分之五以下罚款。"
)
EAR_744_23 = (
    "§ 744.23 'Supercomputer' and semiconductor manufacturing end use. You may not export, "
    "reexport, or transfer an item subject to the EAR when you know it will be used in the "
    "development or production of a supercomputer located in or destined to China."
)
UNRELATED = "第十二条 国家鼓励开发网络数据安全保护和利用技术，促进公共数据资源开放。"


def test_the_shipped_model_is_complete_and_versioned() -> None:
    card = json.loads((MODEL_DIR / "card.json").read_text())
    model = load_model()
    assert model.version == card["version"] and len(model.version) == 12
    for field in ("base_model", "licence", "data", "training", "metrics_on_heldout"):
        assert field in card
    size = sum(p.stat().st_size for p in MODEL_DIR.iterdir())
    assert size < 50 * 1024 * 1024


def test_the_answering_article_outscores_an_unrelated_one() -> None:
    model = load_model()
    zh = model.score("违反个人信息保护法的最高罚款是多少？", [PIPL_66, UNRELATED])
    assert zh[0] > zh[1]
    en = model.score(
        "Does the EAR restrict exports for supercomputer end uses in China?",
        [EAR_744_23, UNRELATED],
    )
    assert en[0] > en[1]
    assert ((zh >= 0) & (zh <= 1)).all()


def test_scores_do_not_depend_on_batching() -> None:
    model = load_model()
    texts = [PIPL_66, EAR_744_23, UNRELATED] * 7
    together = model.score("What is the maximum PIPL fine?", texts)
    alone = np.array([model.score("What is the maximum PIPL fine?", [t])[0] for t in texts[:3]])
    # int8 dynamic quantization scales activations per batch: padding moves scores slightly.
    assert np.allclose(together[:3], alone, atol=0.01)


def test_the_answer_past_the_first_window_still_counts() -> None:
    model = load_model()
    padding = (
        "Definitions. In this part, the term person includes any natural person, partnership, "
        "association or corporation. "
    ) * 8
    question = "Does the EAR restrict exports for supercomputer end uses in China?"
    (first,) = model.score(question, [padding + EAR_744_23])
    (best,) = model.score_windows(question, [("", padding + EAR_744_23)])
    (alone,) = model.score_windows(question, [("", EAR_744_23)])
    assert best > first
    # A passage that fits is one window: the same score as without windows.
    assert np.isclose(alone, model.score(question, [EAR_744_23])[0], atol=0.01)


def test_reranker_orders_the_head_and_keeps_the_tail() -> None:
    def passage(i: int, text: str) -> Passage:
        return Passage(
            chunk_id=f"d{i}::h::{i}", doc_id=f"d{i}", key=str(i), title="t", text=text,
            start=0, end=len(text), score=1.0 / (i + 1),
        )  # fmt: skip

    passages = [passage(0, UNRELATED), passage(1, EAR_744_23), passage(2, PIPL_66)]
    question = "Does the EAR restrict exports for supercomputer end uses in China?"
    out = Reranker(load_model(), depth=2).rerank(question, passages)
    assert [p.doc_id for p in out] == ["d1", "d0", "d2"]
    assert out[0].relevance is not None and out[2].relevance is None


def test_a_missing_model_says_how_to_get_one(tmp_path) -> None:  # noqa: ANN001
    with pytest.raises(ConfigurationError, match="make train-relevance"):
        RelevanceModel(tmp_path)


def test_the_fused_prior_blends_rank_and_relevance() -> None:
    def passage(i: int, text: str) -> Passage:
        return Passage(
            chunk_id=f"d{i}::h::{i}", doc_id=f"d{i}", key=str(i), title="t", text=text,
            start=0, end=len(text), score=1.0 / (i + 1),
        )  # fmt: skip

    passages = [passage(0, UNRELATED), passage(1, EAR_744_23)]
    question = "Does the EAR restrict exports for supercomputer end uses in China?"
    keep = Reranker(load_model(), depth=2, prior=1.0).rerank(question, passages)
    assert [p.doc_id for p in keep] == ["d0", "d1"]
    model_only = Reranker(load_model(), depth=2, prior=0.0).rerank(question, passages)
    assert [p.doc_id for p in model_only] == ["d1", "d0"]


def test_the_reranker_reads_a_long_passage_in_at_most_its_windows() -> None:
    padding = (
        "Definitions. In this part, the term person includes any natural person, partnership, "
        "association or corporation. "
    ) * 8
    long = Passage(
        chunk_id="d0::h::0", doc_id="d0", key="0", title="t", text=padding + EAR_744_23,
        start=0, end=len(padding + EAR_744_23), score=1.0,
    )  # fmt: skip
    question = "Does the EAR restrict exports for supercomputer end uses in China?"
    one = Reranker(load_model(), depth=1, windows=1).rerank(question, [long])[0].relevance
    four = Reranker(load_model(), depth=1, windows=4).rerank(question, [long])[0].relevance
    assert one is not None and four is not None and four > one
