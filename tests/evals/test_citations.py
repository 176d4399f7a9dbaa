"""Citation support, quote exactness and answer-text scores on hand-made answers."""

from __future__ import annotations

import pytest

from assistant.evidence.markers import ABSTENTION
from assistant.models import Answer, Citation
from evals.citations import (
    DocumentTexts,
    cited_sentences,
    gold_quote_containment,
    key_terms,
    lead_text,
    score_citations,
    terms_supported,
    token_f1,
)
from evals.metrics import find_gold_spans
from ingest.errors import DocumentNotFound

DOC = (
    "第二十一条 网络运营者应当按照网络安全等级保护制度的要求，履行下列安全保护义务。"
    "留存相关的网络日志不少于六个月。"
    "Section 744.23 applies to exports after 2023-10-17. Licences are reviewed within 30 days."
)
TEXTS = {"law": DOC}


def cite(marker: int, quote: str, doc_id: str = "law", exact: bool = True) -> Citation:
    start = DOC.find(quote) + (0 if exact else 1)  # off by one: the quote is not at the offsets
    assert start >= 0
    return Citation(
        marker=marker, doc_id=doc_id, title="law", start=start, end=start + len(quote), quote=quote
    )


def test_markers_after_the_full_stop_belong_to_the_sentence_before() -> None:
    got = cited_sentences(
        "网络日志不少于六个月。[1] Licences are reviewed within 30 days. [2][3] Tail"
    )
    assert [(s.text, s.markers) for s in got] == [
        ("网络日志不少于六个月。", (1,)),
        ("Licences are reviewed within 30 days.", (2, 3)),
        ("Tail", ()),
    ]


def test_a_marker_group_cites_the_lines_written_since_the_previous_group() -> None:
    text = (
        "第一条 总则。 [1]\n应当履行下列义务：\n\n（一）制定制度；\n\n（二）留存日志。 [2]\n"
        "It applies to a “facility.” [3, 4] Uncited tail."
    )
    got = [(s.text, s.markers) for s in cited_sentences(text)]
    assert got == [
        ("第一条 总则。", (1,)),
        ("应当履行下列义务：", (2,)),
        ("（一）制定制度；", (2,)),
        ("（二）留存日志。", (2,)),
        ("It applies to a “facility.”", (3, 4)),
        ("Uncited tail.", ()),
    ]


def test_key_terms_include_numbers_dates_and_content_words() -> None:
    terms = key_terms("Section 744.23 applies to exports after 2023-10-17.")
    assert {"744.23", "2023-10-17", "exports", "applies"} <= terms
    assert "after" not in terms and "to" not in terms
    assert "六个月" in "".join(key_terms("网络日志不少于六个月"))


def test_terms_supported_needs_every_number() -> None:
    span = "Licences are reviewed within 30 days."
    assert terms_supported("Licences are reviewed within 30 days", span)
    assert not terms_supported("Licences are reviewed within 60 days", span)
    assert not terms_supported("—", span)  # nothing to check is not support


def test_score_citations_counts_pairs_sentences_and_exact_quotes() -> None:
    gold = ["留存相关的网络日志不少于六个月"]
    spans = find_gold_spans(gold, ["law"], TEXTS.get)
    answer = Answer(
        question="q",
        text=(
            "留存相关的网络日志不少于六个月。[1] "
            "Licences are reviewed within 30 days. [2] "
            "Licences are reviewed within 90 days. [2][9]"
        ),
        citations=[
            cite(1, "留存相关的网络日志不少于六个月"),  # overlaps the gold quote
            cite(2, "Licences are reviewed within 30 days.", exact=False),  # offsets off by one
        ],
    )
    s = score_citations(answer, gold, spans, TEXTS.get)
    assert (s.sentences, s.supported_sentences) == (3, 2)
    # pairs: (s1,[1]) ok, (s2,[2]) ok by key terms, (s3,[2]) wrong number, (s3,[9]) no citation
    assert (s.citation_pairs, s.supporting_pairs) == (4, 2)
    assert s.precision == pytest.approx(0.5) and s.recall == pytest.approx(2 / 3)
    assert s.unsupported == ["Licences are reviewed within 90 days."]
    assert (s.citations, s.exact_quotes) == (2, 1)
    assert s.quote_exact_rate == pytest.approx(0.5)


def test_gold_overlap_supports_even_when_wording_differs() -> None:
    gold = ["Section 744.23 applies to exports after 2023-10-17."]
    spans = find_gold_spans(gold, ["law"], TEXTS.get)
    answer = Answer(
        question="q", text="It covers later shipments [1].", citations=[cite(1, "744.23 applies")]
    )
    assert score_citations(answer, gold, spans, TEXTS.get).supporting_pairs == 1
    assert score_citations(answer, [], [], TEXTS.get).supporting_pairs == 0


def test_abstention_has_no_sentences_but_quotes_are_still_checked() -> None:
    answer = Answer(question="q", text=ABSTENTION, abstained=True, citations=[cite(1, "744.23")])
    s = score_citations(answer, [], [], TEXTS.get)
    assert (s.sentences, s.citation_pairs, s.exact_quotes) == (0, 0, 1)
    assert s.precision is None and s.recall is None


def test_token_f1_chinese_by_characters_english_by_words() -> None:
    assert token_f1("不少于六个月", "不少于六个月") == 1.0
    # 3 shared characters; P = 3/6, R = 3/3 -> F1 = 2/3 (punctuation is not a token)
    assert token_f1("不少于六个月。", "六个月") == pytest.approx(2 / 3)
    assert token_f1("Within 30 days.", "within thirty days") == pytest.approx(2 / 3)
    assert token_f1("", "anything") == 0.0


def test_gold_quote_containment_ignores_markers_and_whitespace() -> None:
    text = "留存相关的网络日志[1]不少于 六个月。"
    assert gold_quote_containment(text, ["网络日志不少于六个月", "absent"]) == 0.5
    assert gold_quote_containment(text, []) is None


def test_document_texts_fetch_once_and_survive_missing_documents() -> None:
    calls: list[str] = []

    def fetch(doc_id: str) -> str:
        calls.append(doc_id)
        if doc_id == "gone":
            raise DocumentNotFound("no such document")
        return "text"

    texts = DocumentTexts(fetch)
    assert texts("a") == "text" and texts("a") == "text" and texts.get("gone") is None
    assert texts("gone") is None
    assert calls == ["a", "gone"]


def test_the_note_on_disagreeing_sources_is_not_scored_as_a_claim() -> None:
    from assistant.answering.contradictions import conflict_note
    from assistant.models import Conflict
    from evals.citations import claimed_text

    gold = ["留存相关的网络日志不少于六个月"]
    spans = find_gold_spans(gold, ["law"], TEXTS.get)
    conflicts = [Conflict(first=1, second=2, kind="amount", unit="days")]
    claim = "留存相关的网络日志不少于六个月。[1]"
    answer = Answer(
        question="q",
        text=claim + "\n\n" + conflict_note(conflicts),
        citations=[cite(1, "留存相关的网络日志不少于六个月")],
        conflicts=conflicts,
    )
    assert claimed_text(answer) == claim
    s = score_citations(answer, gold, spans, TEXTS.get)
    assert (s.sentences, s.supported_sentences) == (1, 1) and s.precision == 1.0


def test_lead_text_is_the_first_quote_a_reader_sees() -> None:
    text = "Padding that says little. [1]\nLogs are kept 网络日志不少于六个月. [2]"
    assert gold_quote_containment(lead_text(text), ["网络日志不少于六个月"]) == 0.0
    assert gold_quote_containment(lead_text(text.split("\n")[1]), ["网络日志不少于六个月"]) == 1.0
