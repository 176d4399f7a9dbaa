"""Bounds on figures: a floor turned into a ceiling is caught, paraphrases of one side are not."""

from __future__ import annotations

import pytest

from assistant.evidence.bounds import CEILING, FLOOR, bound_mismatch, figure_bounds
from assistant.evidence.verify import LexicalVerifier
from assistant.models import Passage


@pytest.mark.parametrize(
    ("text", "key", "side"),
    [
        ("留存相关的网络日志不少于六个月", "num:6", FLOOR),
        ("留存相关的网络日志少于六个月", "num:6", CEILING),
        ("执法人员不得少于2人", "num:2", FLOOR),
        ("处五十万元以上罚款", "num:500000", FLOOR),
        ("自收到申请之日起三个工作日内作出决定", "num:3", CEILING),
        ("Logs are kept for at least six months.", "num:6", FLOOR),
        ("Logs are kept for not less than six months.", "num:6", FLOOR),
        ("Logs are kept for less than six months.", "num:6", CEILING),
        ("A fine of up to RMB 50 million.", "num:50000000", CEILING),
        ("Report within 72 hours.", "num:72", CEILING),
        ("Platforms with 50 million users or more.", "num:50000000", FLOOR),
    ],
)
def test_a_bound_is_read_as_its_side(text: str, key: str, side: str) -> None:
    assert figure_bounds(text)[key] == {side}


def test_an_unbounded_figure_has_no_side() -> None:
    assert figure_bounds("The licence is valid for 2 years.") == {"num:2": {None}}


@pytest.mark.parametrize(
    "claim",
    [
        "Operators must keep network logs for at least six months.",
        "Operators must keep network logs for more than six months.",
        "网络日志留存期限不得少于六个月。",
    ],
)
def test_the_same_side_in_other_words_is_no_mismatch(claim: str) -> None:
    assert bound_mismatch(claim, "按照规定留存相关的网络日志不少于六个月") == ""


@pytest.mark.parametrize(
    "claim",
    [
        "Operators must keep network logs for less than six months.",
        "Operators may keep network logs for up to six months.",
        "网络日志留存少于六个月。",
    ],
)
def test_a_floor_turned_into_a_ceiling_is_a_mismatch(claim: str) -> None:
    assert bound_mismatch(claim, "按照规定留存相关的网络日志不少于六个月") == "6"


def test_a_source_bounding_the_figure_on_both_sides_is_no_evidence() -> None:
    source = "违法经营额不足五十万元的，并处五十万元以上五百万元以下罚款"
    assert bound_mismatch("不足五十万元的处五十万元以上罚款。", source) == ""


def test_the_verifier_removes_a_flipped_bound_with_that_reason() -> None:
    text = "第二十一条 网络运营者应当按照规定留存相关的网络日志不少于六个月。"
    cited = Passage(
        chunk_id="csl::21", doc_id="csl", title="网络安全法", text=text,
        start=0, end=len(text), score=1.0,
    )  # fmt: skip
    verifier = LexicalVerifier()
    assert verifier.verify("网络运营者应当留存网络日志少于六个月。", [cited]).reason == (
        "the cited passage bounds 6 on the other side"
    )
    assert verifier.verify("网络运营者应当留存网络日志不少于六个月。", [cited]).supported
