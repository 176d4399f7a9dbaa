"""The contradiction rule: cited quotes about one thing that disagree on a figure, on whether
something is required, or on whether it is allowed — and quotes that merely differ do not."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from assistant.answering.contradictions import conflict_note, find_conflicts, polarity, quantities
from assistant.models import (
    Answer,
    AnswerDelta,
    AnswerDone,
    AnswerEvent,
    Citation,
    Conflict,
    Passage,
)
from assistant.retrieval.query import PreparedQuery
from assistant.service import ComplyQA
from assistant.settings import Settings
from tests.conftest import FakeEmbedder


def _cite(marker: int, quote: str) -> Citation:
    return Citation(
        marker=marker, doc_id=f"d{marker}", title="t", start=0, end=len(quote), quote=quote
    )


def _kinds(*quotes: str) -> list[tuple[int, int, str, str | None]]:
    found = find_conflicts([_cite(i, q) for i, q in enumerate(quotes, start=1)])
    return [(c.first, c.second, c.kind, c.unit) for c in found]


@pytest.mark.parametrize(
    ("a", "b", "kind"),
    [
        (
            "A provider offering IaaS computing services in China needs a telecommunications "
            "business permit.",
            "A provider offering IaaS computing services in China: no B11 licence is required.",
            "requirement",
        ),
        (
            "Exporters must obtain a licence before exporting advanced computing chips.",
            "Exporters need not obtain a licence before exporting advanced computing chips.",
            "requirement",
        ),
        (
            "网络运营者应当对用户信息严格保密，并建立健全用户信息保护制度。",
            "网络运营者不需要对用户信息严格保密。",
            "requirement",
        ),
        (
            "The export of advanced computing chips to China is prohibited.",
            "The export of advanced computing chips to China is permitted.",
            "permission",
        ),
        (
            "任何个人和组织不得窃取或者以其他非法方式获取个人信息。",
            "任何个人和组织均被允许获取个人信息。",
            "permission",
        ),
    ],
)
def test_opposite_answers_on_one_subject_conflict(a: str, b: str, kind: str) -> None:
    assert (1, 2, kind, None) in _kinds(a, b)


@pytest.mark.parametrize(
    ("a", "b", "unit"),
    [
        (
            "The operator shall report the security incident within 30 days.",
            "The operator shall report the security incident within 60 days.",
            "days",
        ),
        ("运营者应当在三十日内报告安全事件。", "运营者应当在15日内报告安全事件。", "days"),
        (
            "The fine for the violation of the export rules is up to $10 million.",
            "The fine for the violation of the export rules is up to $1 million.",
            "USD",
        ),
        (
            "违反本法规定的，处十万元以上罚款，责令改正。",
            "违反本法规定的，处五十万元以上罚款，责令改正。",
            "CNY",
        ),
    ],
)
def test_different_amounts_of_one_quantity_conflict(a: str, b: str, unit: str) -> None:
    assert _kinds(a, b) == [(1, 2, "amount", unit)]


@pytest.mark.parametrize(
    ("a", "b"),
    [
        # Same figures, or the same answer in other words.
        (
            "The operator shall report the security incident within 30 days.",
            "Within thirty days the operator shall report the security incident.",
        ),
        (
            "Exporters must obtain a licence for advanced computing chips.",
            "A licence is required for exporters of advanced computing chips.",
        ),
        ("网络运营者应当对用户信息严格保密。", "网络运营者必须对用户信息严格保密。"),
        # Opposite words, but about different things.
        (
            "Exporters must obtain a licence for advanced computing chips.",
            "No registration is required for a personal blog.",
        ),
        ("网络运营者应当对用户信息严格保密。", "个人旅游不需要签证。"),
        # A prohibition and the penalty for breaking it agree (可以 / may state a power).
        (
            "网络运营者不得泄露其收集的个人信息。",
            "网络运营者违反本法规定泄露个人信息的，可以并处罚款，没收违法所得。",
        ),
        (
            "Operators must not disclose the personal data they collect.",
            "The authority may fine operators who disclose the personal data they collect.",
        ),
        # Different kinds of quantity are not compared.
        (
            "The operator shall report the security incident within 30 days.",
            "The operator shall keep records of the security incident for 3 years.",
        ),
        # Different durations for different subjects.
        (
            "Applicants receive a licensing decision within 30 days.",
            "Records of chip shipments are kept for 60 days.",
        ),
    ],
)
def test_quotes_that_agree_or_differ_in_subject_do_not_conflict(a: str, b: str) -> None:
    assert _kinds(a, b) == []


def test_a_rule_with_its_own_exception_states_neither_answer() -> None:
    # "required ... unless ... not required" in one quote cannot contradict another quote.
    assert "requirement" not in polarity(
        "A licence is required, but no licence is required for shipments to Canada."
    )
    assert polarity("No B11 licence is required and everything is legal.") == {
        "requirement": False,
        "permission": True,
    }


def test_quantities_read_values_by_unit() -> None:
    assert quantities("within 30 days, a fine of $10 million and 5% of turnover") == {
        "days": frozenset({"num:30"}),
        "USD": frozenset({"num:10000000"}),
        "percent": frozenset({"pct:5"}),
    }


def test_a_calendar_date_is_not_an_amount_of_days() -> None:
    assert "days" not in quantities("本规定自2022年3月1日起施行。2021年11月16日审议通过")
    assert "days" not in quantities("自二〇二二年三月一日起施行")
    assert quantities("应当在十五日内报告")["days"] == frozenset({"num:15"})


def test_spans_of_one_marker_are_read_together_and_never_conflict_with_themselves() -> None:
    quotes = [
        _cite(1, "The operator shall report the security incident within 30 days."),
        _cite(1, "The operator shall report the security incident to the regulator."),
        _cite(2, "The operator shall report the security incident within 60 days."),
    ]
    assert [(c.first, c.second, c.kind) for c in find_conflicts(quotes)] == [(1, 2, "amount")]


def test_the_note_names_both_markers_and_what_they_disagree_on() -> None:
    note = conflict_note(
        [
            Conflict(first=1, second=2, kind="requirement"),
            Conflict(first=1, second=3, kind="amount", unit="days"),
        ]
    )
    assert note.splitlines() == [
        "Note: sources [1] and [2] disagree on whether it is required; "
        "check both before relying on either.",
        "Note: sources [1] and [3] disagree on the amount (days); "
        "check both before relying on either.",
    ]


class _FakeLLM:
    """An LLM answerer that cites the first two passages, one sentence each."""

    mode = "llm"

    def stream(self, prepared: PreparedQuery, passages: Sequence[Passage]) -> Iterator[AnswerEvent]:
        question = prepared.question
        cites = [Citation.of_span(i, p, 0, len(p.text)) for i, p in enumerate(passages[:2], 1)]
        text = "One says so [1]. The other says not [2]."
        yield AnswerDelta(text=text)
        yield AnswerDone(answer=Answer(question=question, text=text, citations=cites, mode="llm"))


def test_llm_answers_get_the_note_too_and_the_stream_carries_it(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus" / "g"
    corpus.mkdir(parents=True)
    (corpus / "rule.md").write_text(
        "# Rule\n\nA provider of IaaS computing services in China needs a business permit.\n"
    )
    (corpus / "memo.md").write_text(
        "# Memo\n\nA provider of IaaS computing services in China needs no business permit.\n"
    )
    settings = Settings.load(data_dir=tmp_path / "data", llm={"base_url": "http://127.0.0.1:9/v1"})
    qa = ComplyQA(settings, embedder=FakeEmbedder())  # type: ignore[arg-type]
    qa.ingest([tmp_path / "corpus"], root=tmp_path / "corpus")
    qa._llm = _FakeLLM()  # type: ignore[assignment]

    events = list(qa.stream_ask("Does an IaaS provider in China need a permit?", mode="llm"))
    done = events[-1]
    assert isinstance(done, AnswerDone) and done.answer.mode == "llm"
    assert [(c.first, c.second, c.kind) for c in done.answer.conflicts] == [(1, 2, "requirement")]
    streamed = "".join(e.text for e in events if isinstance(e, AnswerDelta))
    assert streamed == done.answer.text
    assert done.answer.text.endswith(conflict_note(done.answer.conflicts))


def test_tiers_of_one_text_are_not_sources_that_disagree() -> None:
    tiers = [
        _cite(1, "违反本法规定处理个人信息的，并处一百万元以下罚款").model_copy(
            update={"doc_id": "pipl"}
        ),
        _cite(2, "违反本法规定处理个人信息，情节严重的，并处五千万元以下罚款").model_copy(
            update={"doc_id": "pipl"}
        ),
    ]
    assert find_conflicts(tiers) == []
    other = tiers[1].model_copy(update={"doc_id": "memo"})
    assert [c.kind for c in find_conflicts([tiers[0], other])] == ["amount"]
