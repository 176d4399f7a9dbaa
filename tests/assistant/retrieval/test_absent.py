"""Names a question gives that nothing indexed holds (assistant/retrieval/absent.py)."""

from __future__ import annotations

import pytest

from assistant.retrieval.absent import absent_names

TITLES = ["中华人民共和国网络安全法", "中华人民共和国个人信息保护法", "Title 15 § 744.23"]
VOCABULARY = {"ear", "bis", "iaas"}


def absent(question: str) -> tuple[str, ...]:
    return absent_names(question, TITLES, lambda term: term.lower() in VOCABULARY)


@pytest.mark.parametrize(
    ("question", "missing"),
    [
        ("What is the GDPR fine for a data breach?", ("GDPR",)),
        ("What fine can Singapore's PDPC impose?", ("PDPC",)),
        ("Does HIPAA law apply to clinics?", ("HIPAA",)),
        (
            "《生成式人工智能服务管理暂行办法》规定的备案流程是怎样的？",
            ("《生成式人工智能服务管理暂行办法》",),
        ),
        # Held: by title (with or without 中华人民共和国), by the glossary, by the corpus's words.
        ("《网络安全法》第二十一条规定了什么？", ()),
        ("《中华人民共和国个人信息保护法》的罚款上限？", ()),
        ("What is the maximum fine under the PIPL?", ()),
        ("What did the CAC require?", ()),
        ("Which licences does the EAR require under the BIS rules?", ()),
        # Not used as a name: a compound, a sentence-initial word, an unmarked acronym.
        ("Are exceptions available for support of WMD-related end uses?", ()),
        ("FAQ: which permit does an IaaS provider need?", ()),
        ("Does the PIPL apply to our CRM system?", ()),
    ],
)
def test_absent_names(question: str, missing: tuple[str, ...]) -> None:
    assert absent(question) == missing


def test_a_law_known_by_its_english_name_but_not_indexed_is_absent() -> None:
    # The glossary knows the Data Security Law; this index holds no 数据安全法.
    assert absent("What does the Data Security Law say about core data?") != ()
    held = absent_names(
        "What does the Data Security Law say about core data?",
        [*TITLES, "中华人民共和国数据安全法"],
        lambda term: False,
    )
    assert held == ()
