import pytest

from assistant.retrieval.fusion import reciprocal_rank_fusion


def test_item_in_both_rankings_wins() -> None:
    fused = reciprocal_rank_fusion([["a", "b", "c"], ["b", "d"]], k=60)
    assert fused[0][0] == "b"
    assert fused[0][1] == pytest.approx(1 / 62 + 1 / 61)


def test_weights_scale_each_ranking() -> None:
    fused = dict(reciprocal_rank_fusion([["a"], ["b"]], k=10, weights=[0.0, 1.0]))
    assert fused["a"] == 0.0 and fused["b"] == pytest.approx(1 / 11)


def test_ties_keep_first_seen_order() -> None:
    assert [i for i, _ in reciprocal_rank_fusion([["x"], ["y"]])] == ["x", "y"]


def test_weights_must_match_rankings() -> None:
    with pytest.raises(ValueError):
        reciprocal_rank_fusion([["a"]], weights=[1.0, 2.0])
