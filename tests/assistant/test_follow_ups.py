"""Follow-up questions over the real bundled corpus (issue 11, item 4)."""

from __future__ import annotations

import pytest

from assistant.conversation import turn_of
from assistant.models import Turn
from assistant.service import ComplyQA

pytestmark = pytest.mark.slow

SHENZHEN = "How much did Shenzhen University spend to access A100 and H100 chips via AWS?"
CYBERSECURITY_LAW = "cn-regulations/网络安全法(2016-11-07).md"


def test_which_company_names_yunda_technology_with_a_citation(corpus_qa: ComplyQA) -> None:
    first = corpus_qa.ask(SHENZHEN)
    assert "27,996" in first.text
    follow = corpus_qa.ask("Which company did it go through?", history=[turn_of(first)])
    assert not follow.abstained
    cited = [c for c in follow.citations if "Yunda Technology" in c.quote]
    assert cited, follow.text
    assert f"[{cited[0].marker}]" in follow.text


def test_page_boilerplate_is_never_quoted(corpus_qa: ComplyQA) -> None:
    follow = corpus_qa.ask("Which company did it go through?", history=[Turn(question=SHENZHEN)])
    for q in [follow, corpus_qa.ask("Where can I get a free sample of the Company Profile?")]:
        for c in q.citations:
            assert "free sample" not in c.quote and "Company Profiles" not in c.quote
    hits = corpus_qa.search("Company Profile free sample GlobalData download")
    assert all("free sample" not in p.text for p in hits)


def test_article_22_after_article_21_of_the_cybersecurity_law(corpus_qa: ComplyQA) -> None:
    # What `complyqa chat` remembers of the first answer: it cited another regulation's
    # 第二十一条 before the Cybersecurity Law's.
    history = [
        Turn(
            question="What does Article 21 of the Cybersecurity Law require?",
            doc_ids=[
                "cn-regulations/关键信息基础设施安全保护条例(2021-07-30).md",
                CYBERSECURITY_LAW,
                "seeds/000_86c7fe4535ba33b1.txt",
            ],
        )
    ]
    follow = corpus_qa.ask("and what about Article 22?", history=history)
    assert not follow.abstained, follow.evidence
    first = follow.citations[0]
    assert first.doc_id == CYBERSECURITY_LAW and "第二十二条" in (first.section or "")
    assert corpus_qa.document(first.doc_id).text[first.start : first.end] == first.quote
