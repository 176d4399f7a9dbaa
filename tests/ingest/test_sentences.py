from ingest.sentences import split_sentences


def test_spans_are_exact_offsets() -> None:
    text = "  第一条 为了保障安全。  The U.S. rule in § 744.23 applies. See No. 5 here!\n（一）制定制度；"
    spans = split_sentences(text)
    assert [s.text for s in spans] == [
        "第一条 为了保障安全。",
        "The U.S. rule in § 744.23 applies.",
        "See No. 5 here!",
        "（一）制定制度；",
    ]
    assert all(text[s.start : s.end] == s.text for s in spans)


def test_decimal_numbers_and_initials_do_not_end_sentences() -> None:
    spans = split_sentences("Section 744.23 was amended by J. Smith on Apr. 4, 2024. Next.")
    assert spans[0].text == "Section 744.23 was amended by J. Smith on Apr. 4, 2024."
