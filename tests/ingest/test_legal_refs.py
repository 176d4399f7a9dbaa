"""Article references must normalize the same way in chunks and in answers."""

from __future__ import annotations

import pytest

from ingest.legal_refs import ArticleRef, chinese_numeral_to_int, find_article_refs


@pytest.mark.parametrize(
    ("numeral", "value"),
    [
        ("一", 1), ("十", 10), ("十一", 11), ("二十", 20), ("二十一", 21), ("一百", 100),
        ("一百零五", 105), ("一百一十", 110), ("两百", 200), ("一千二百三十四", 1234),
        ("一千一百六十四", 1164), ("一千零一", 1001), ("三万零二", 30002), ("21", 21),
    ],
)  # fmt: skip
def test_chinese_numerals(numeral: str, value: int) -> None:
    assert chinese_numeral_to_int(numeral) == value


@pytest.mark.parametrize("bad", ["", "abc", "二十x", "条"])
def test_not_numerals(bad: str) -> None:
    assert chinese_numeral_to_int(bad) is None


def _numbers(text: str) -> list[tuple[str, str, str | None]]:
    return [(r.number, r.kind, r.paragraph) for r in find_article_refs(text)]


def test_chinese_articles_and_chapters() -> None:
    text = "依照本法第二十一条、第21条和第一千一百六十五条，以及第三章的规定"
    assert _numbers(text) == [
        ("21", "article", None), ("21", "article", None), ("1165", "article", None),
        ("3", "chapter", None),
    ]  # fmt: skip
    ref = find_article_refs(text)[0]
    assert text[ref.start : ref.end] == "第二十一条"


def test_english_articles() -> None:
    text = "See Article 21, Art. 5 and article 1197 of the Civil Code."
    assert [r.number for r in find_article_refs(text)] == ["21", "5", "1197"]
    assert all(r.kind == "article" for r in find_article_refs(text))


def test_ear_sections_with_paragraphs() -> None:
    text = "Under § 744.23(a)(1), §744.6 and section 744.1 (see Section 734.9(h)(1)(i)(B)(*1*))."
    refs = find_article_refs(text)
    assert [(r.number, r.paragraph) for r in refs] == [
        ("744.23", "(a)(1)"), ("744.6", None), ("744.1", None), ("734.9", "(h)(1)(i)(B)(1)"),
    ]  # fmt: skip
    assert all(r.kind == "section" for r in refs)
    assert text[refs[0].start : refs[0].end] == "§ 744.23(a)(1)"


def test_ear_sections_written_the_chinese_way() -> None:
    refs = find_article_refs("是否受 EAR 第744.23条管制？依照734.9(h)节，不同于第二十一条")
    assert [(r.number, r.kind, r.paragraph) for r in refs] == [
        ("744.23", "section", None), ("734.9", "section", "(h)"), ("21", "article", None),
    ]  # fmt: skip


def test_refs_are_ordered_and_do_not_overlap() -> None:
    refs = find_article_refs("第二十一条之一 and Article 3")
    assert refs == sorted(refs, key=lambda r: r.start)
    assert refs[0] == ArticleRef("21-1", 0, 7, "article")


def test_cfr_citations_name_their_section() -> None:
    text = "What does 15 CFR 744.6 prohibit? See 15 C.F.R. § 744.23(a)(1), not 15 CFR part 744."
    refs = find_article_refs(text)
    assert [(r.number, r.kind, r.paragraph) for r in refs] == [
        ("744.6", "section", None), ("744.23", "section", "(a)(1)"),
    ]  # fmt: skip
