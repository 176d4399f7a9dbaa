"""End to end on the bundled corpus with the real embedding model (the issue's examples)."""

from __future__ import annotations

import pytest

from assistant.evidence.markers import ABSTENTION
from assistant.models import Filters, Passage, Turn
from assistant.retrieval.hybrid import HybridSearch
from assistant.service import ComplyQA
from ingest.errors import InvalidQuestion

pytestmark = pytest.mark.slow


def test_iaas_permit_question_cites_the_law_firm_briefing_with_b11(corpus_qa: ComplyQA) -> None:
    answer = corpus_qa.ask(
        "Which permit does a provider need in China to offer IaaS computing power services?"
    )
    assert not answer.abstained
    assert any(
        c.doc_id == "seeds/000_86c7fe4535ba33b1.txt" and "B11" in c.quote for c in answer.citations
    )


def test_chinese_question_cites_cybersecurity_law_article_21(corpus_qa: ComplyQA) -> None:
    answer = corpus_qa.ask("网络运营者应当按照网络安全等级保护制度的要求履行哪些安全保护义务？")
    assert not answer.abstained
    assert any(
        c.doc_id == "cn-regulations/网络安全法(2016-11-07).md" and "第二十一条" in (c.section or "")
        for c in answer.citations
    ), answer.citations


def test_question_outside_the_corpus_abstains(corpus_qa: ComplyQA) -> None:
    answer = corpus_qa.ask("What is the penalty for jaywalking in Paris?")
    assert answer.abstained and answer.text == ABSTENTION and not answer.citations


def test_a_question_about_a_law_the_corpus_lacks_abstains_and_says_which(
    corpus_qa: ComplyQA,
) -> None:
    """The GDPR is not in the corpus: its "fine" and "data breach" match Chinese passages,
    which must not be quoted as the answer (issue 8's public example)."""
    answer = corpus_qa.ask("What is the GDPR fine for a data breach?")
    assert answer.abstained and not answer.citations
    assert answer.text.startswith(ABSTENTION) and "GDPR" in answer.text


def test_a_version_of_a_law_newer_than_the_indexed_text_abstains_and_says_so(
    corpus_qa: ComplyQA,
) -> None:
    """The corpus holds the Cybersecurity Law of 2016: quoting it for the 2025 amendment would
    pass a superseded text off as the one asked about."""
    answer = corpus_qa.ask(
        "2025年修订后的《网络安全法》把关键信息基础设施运营者的最高罚款提高到了多少？"
    )
    assert answer.abstained and not answer.citations
    assert "2025" in answer.text and "2016-11-07" in answer.text
    english = corpus_qa.ask("What did the 2025 amendment to China's Cybersecurity Law change?")
    assert english.abstained and "中华人民共和国网络安全法" in english.text


def test_a_paragraph_the_indexed_section_lacks_abstains_and_says_which(
    corpus_qa: ComplyQA,
) -> None:
    """The bundled § 734.9 runs from (a) to (g): its (b) is no answer about (h), however well
    "product scope" matches it; a paragraph it has is still answered."""
    answer = corpus_qa.ask("What are the product scope conditions of the rule in § 734.9(h)?")
    assert answer.abstained and not answer.citations and "§ 734.9(h)" in answer.text
    held = corpus_qa.ask("What is the product scope of the Entity List FDP rule in § 734.9(e)?")
    assert not held.abstained and "(e)" in held.text


def test_every_citation_quote_is_the_document_text_at_its_offsets(corpus_qa: ComplyQA) -> None:
    questions = [
        "Does renting A100 GPUs through a cloud service breach US export controls?",
        "出口管制法规定的出口经营者应当建立什么制度？",
        "What does § 744.23 prohibit for supercomputers?",
    ]
    for q in questions:
        answer = corpus_qa.ask(q)
        for c in answer.citations:
            assert corpus_qa.document(c.doc_id).text[c.start : c.end] == c.quote


@pytest.mark.parametrize(
    "question",
    ["网络安全法第二十一条规定了什么？", "What does Article 21 of the Cybersecurity Law require?"],
)
def test_follow_up_resolves_the_article_within_the_discussed_law(
    corpus_qa: ComplyQA, question: str
) -> None:
    first = corpus_qa.ask(question)
    assert first.citations[0].doc_id == "cn-regulations/网络安全法(2016-11-07).md"
    history = [
        Turn(question=question, answer=first.text, doc_ids=[c.doc_id for c in first.citations])
    ]
    follow = corpus_qa.ask("and what about Article 22?", history=history)
    assert follow.passages[0].doc_id == "cn-regulations/网络安全法(2016-11-07).md"
    assert "第二十二条" in (follow.passages[0].section or "")
    assert not follow.abstained


class _Contrary:
    """A reranker that always prefers what the fused order put last."""

    depth = 8

    def rerank(self, question: str, passages: list[Passage], *, depth: int | None = None):  # noqa: ANN201
        return list(reversed(passages[: depth or self.depth])) + passages[depth or self.depth :]


def test_a_reranker_does_not_move_the_article_the_user_named(corpus_qa: ComplyQA) -> None:
    """The relevance model does not read article numbers; the named article stays first."""
    search = HybridSearch(corpus_qa.index, corpus_qa.settings.retrieval, _Contrary())  # type: ignore[arg-type]
    query = search.prepare("网络安全法第二十二条规定了什么？")
    passages = search.search(query, rerank_depth=8)
    assert "第二十二条" in (passages[0].section or ""), [p.section for p in passages]
    unnamed = search.search(search.prepare("网络安全法规定了哪些安全保护义务？"), rerank_depth=8)
    fused = search.search(search.prepare("网络安全法规定了哪些安全保护义务？"), rerank_depth=0)
    assert [p.chunk_id for p in unnamed] == [p.chunk_id for p in reversed(fused)]


def test_filters_restrict_answers(corpus_qa: ComplyQA) -> None:
    answer = corpus_qa.ask(
        "export control licence requirements", filters=Filters(groups=["us-ear"])
    )
    assert answer.passages and all(p.group == "us-ear" for p in answer.passages)


def test_empty_and_overlong_questions_are_refused(corpus_qa: ComplyQA) -> None:
    with pytest.raises(InvalidQuestion, match="empty"):
        corpus_qa.ask("   ")
    with pytest.raises(InvalidQuestion, match="limit is 4000"):
        corpus_qa.ask("x" * 4001)


def test_an_english_question_naming_a_chinese_law_finds_the_answering_article(
    corpus_qa: ComplyQA,
) -> None:
    # "PIPL" is in every article of its law; inside the named law only "fine" (罚款) tells
    # them apart, so the penalty article must be among the first passages.
    found = corpus_qa.search(
        "What is the maximum fine for violating the Personal Information Protection Law?", k=5
    )
    assert any("第六十六条" in p.text and "五千万元" in p.text for p in found)
    answer = corpus_qa.ask(
        "What is the maximum fine for violating the Personal Information Protection Law?"
    )
    assert any(
        c.doc_id.endswith("个人信息保护法(2021-08-20).md") and "五千万元" in c.quote
        for c in answer.citations
    )
    # "The maximum": the top tier leads, not the article's first (一百万元).
    assert "五千万元" in answer.citations[0].quote
    assert not answer.conflicts  # the article's tiers are not sources that disagree
    article = corpus_qa.search("What does Article 21 of the Cybersecurity Law require?", k=1)
    assert article[0].doc_id.endswith("网络安全法(2016-11-07).md")
    assert "第二十一条" in article[0].text


def test_the_network_log_question_leads_with_the_item_that_says_six_months(
    corpus_qa: ComplyQA,
) -> None:
    """Issue 8's public example: the answering list item first, not the duties before it."""
    answer = corpus_qa.ask("How long must network logs be retained under the Cybersecurity Law?")
    assert not answer.abstained
    first = answer.citations[0]
    assert first.doc_id == "cn-regulations/网络安全法(2016-11-07).md"
    assert "第二十一条" in (first.section or "")
    assert first.quote.startswith("（三）") and "六个月" in first.quote


@pytest.mark.parametrize(
    ("question", "doc_id", "article", "phrase"),
    [
        # "Data breach" is 泄露, and "how soon" is answered by 立即, not by a 保存期限.
        (
            "How soon must a personal information processor notify regulators after a data "
            "breach under the PIPL?",
            "cn-regulations/个人信息保护法(2021-08-20).md",
            "第五十七条",
            "立即",
        ),
        # The legal phrase for "refuses to correct" is 拒不改正: the fine for it comes first.
        (
            "What is the fine for a company that refuses to correct a violation of Article 21 "
            "of the Cybersecurity Law?",
            "cn-regulations/网络安全法(2016-11-07).md",
            "第五十九条",
            "拒不改正",
        ),
        # A definition question is answered by the law's definitions article, item (三).
        (
            "How does the Cybersecurity Law define a network operator?",
            "cn-regulations/网络安全法(2016-11-07).md",
            "第七十六条",
            "网络运营者，是指",
        ),
        # With no law named, by the sentence that defines the term (本条例所称…，是指).
        (
            "什么是关键信息基础设施？",
            "cn-regulations/关键信息基础设施安全保护条例(2021-07-30).md",
            "第二条",
            "所称关键信息基础设施，是指",
        ),
        # "Within how long" asks for a time limit: 立即, not a list's 存储期限.
        (
            "数据处理者发生网络数据安全事件应当在多长时间内报告？",
            "cn-regulations/网络数据安全管理条例(2024-09-24).md",
            "第十一条",
            "立即",
        ),
        # A fine asked for with no law named: the rules' liability articles are looked for.
        (
            "算法推荐服务提供者违反规定的，最高可以处多少罚款？",
            "cn-regulations/互联网信息服务算法推荐管理规定(2021-11-16).md",
            "第三十三条",
            "十万元",
        ),
        # The fine of 第三十四条 is for the acts its list names (未经许可擅自出口管制物项).
        (
            "What is the fine under the Export Control Law for exporting controlled items "
            "without a licence?",
            "cn-regulations/出口管制法(2020-10-17).md",
            "第三十四条",
            "罚款",
        ),
        # An age is answered by an age (十四周岁), read across languages.
        (
            "Under what age is a child's personal information sensitive under the PIPL?",
            "cn-regulations/个人信息保护法(2021-08-20).md",
            "第二十八条",
            "十四周岁",
        ),
        # A list question of a named law: the article that lists the measures (下列…措施：).
        (
            "反外国制裁法规定的反制措施有哪些？",
            "cn-regulations/反外国制裁法(2021-06-10).md",
            "第六条",
            "采取下列一种或者几种措施",
        ),
        # "When must …" asks for the condition: 有下列情形之一的, not the assessment's contents.
        (
            "When must a personal information protection impact assessment be carried out?",
            "cn-regulations/个人信息保护法(2021-08-20).md",
            "第五十五条",
            "有下列情形之一的",
        ),
        # A late-payment penalty is a 违约金 (it abstained for want of a 罚款).
        (
            "Under the Telecommunications Regulations, how much is the late payment penalty?",
            "cn-regulations/电信条例(2016-02-06).md",
            "第三十四条",
            "违约金",
        ),
    ],
)
def test_the_answering_article_leads(
    corpus_qa: ComplyQA, question: str, doc_id: str, article: str, phrase: str
) -> None:
    first = corpus_qa.ask(question).citations[0]
    assert first.doc_id == doc_id
    assert article in (first.section or "") and phrase in first.quote


def test_a_question_for_an_amount_the_corpus_never_states_abstains(corpus_qa: ComplyQA) -> None:
    """The corpus names the B11 permit but never a capital requirement for it."""
    answer = corpus_qa.ask("What is the capital requirement for a B11 licence?")
    assert answer.abstained and not answer.citations


@pytest.mark.parametrize(
    "question",
    [
        # 提前90日 is the notice for changing a licence, not how long records are kept.
        "How long must telecom operators keep call records?",
        # 商务部's 45 working days are not BIS's.
        "How long does BIS take on average to process a licence application?",
        # The EAR sections indexed state no penalty; the dual-use regulations' fines are not it.
        "What are the penalties for violating the EAR?",
        # A law the corpus does not hold, named the way Chinese laws are in English.
        "What is the maximum penalty under China's Anti-Monopoly Law?",
        # The telecom regulations never state a licence's validity.
        "电信业务经营许可证的有效期是几年？",
    ],
)
def test_a_value_or_penalty_from_a_passage_about_something_else_abstains(
    corpus_qa: ComplyQA, question: str
) -> None:
    answer = corpus_qa.ask(question)
    assert answer.abstained and not answer.citations, answer.text


@pytest.mark.parametrize(
    "question",
    [
        "When did the Personal Information Protection Law take effect?",
        "《个人信息保护法》什么时候生效？",  # the statute says 施行, not 生效
    ],
)
def test_when_a_named_law_took_effect_is_its_entry_into_force_article(
    corpus_qa: ComplyQA, question: str
) -> None:
    answer = corpus_qa.ask(question)
    assert not answer.abstained, answer.text
    lead = answer.citations[0]
    assert lead.doc_id.endswith("个人信息保护法(2021-08-20).md")
    assert "2021年11月1日起施行" in lead.quote
