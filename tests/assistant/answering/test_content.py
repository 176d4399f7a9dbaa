"""What the answerers never quote: headings, bare names, record fields, references."""

import pytest

from assistant.answering.content import is_content


def test_reference_list_entries_are_not_answers() -> None:
    assert not is_content("Reporting requirements for advanced AI models and clusters[EB/OL].")
    assert not is_content("人工智能风险治理: 模式、工具与策略[J].")
    assert not is_content("北京工业大学学报(社会科学版), 2024(5): 1-20.")
    assert not is_content("https://www.example.org/publication/376721652_Accessing_AI_Chips.")
    assert is_content("第二十一条 国家实行网络安全等级保护制度。")
    assert is_content("Items in Country Group [D:5] need a licence.")
    # Unless the question asks what a text cites or where it appeared.
    assert is_content("人工智能风险治理: 模式、工具与策略[J].", references=True)
    assert is_content("北京: 中国社会科学出版社, 2024: 26.", references=True)


@pytest.mark.parametrize(
    ("line", "content"),
    [
        # Run-in headings of one or two words.
        ("Security maintenance.", False),
        ("Operational licences.", False),
        ("Licences are required.", True),
        ("Renting is not exporting.", True),
        ("第二十二条 应当持续提供安全维护。", True),
        # Fields of a bibliographic record, keyword lines, newspaper and book references.
        ("Location: China; United States--US", False),
        ("Subject: Bans; Surveillance; Semiconductors; Cloud computing;", False),
        ("Sanctions; Export controls; Artificial intelligence", False),
        ("证券时报, 2024-09-05(A08).", False),
        ("北京: 中国社会科学出版社, 2024: 26.", False),
        ("Note: the licence requirement applies to all exports.", True),
        ("The rule covers exports; reexports; and transfers by any person.", True),
        # A name alone (an author line), a source with nothing reported.
        ("Industry and Security Bureau.", False),
        ("The Financial Times reports.", False),
        ("U.S. Department of Commerce.", False),
        ("The Financial Times reports that SenseTime bought chips.", True),
        ("BIS added three firms to the Entity List.", True),
    ],
)
def test_what_is_not_an_answer(line: str, content: bool) -> None:
    """Headings, record fields, references and bare names file or label a text; they state
    nothing a question could be answered with."""
    assert is_content(line) is content
