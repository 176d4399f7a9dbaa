"""The extractive answerer on hand-made passages: citations are exact, weak evidence abstains."""

import pytest

from assistant.answering.extractive import (
    QuestionTerms,
    answer_extractively,
    assess_evidence,
    passage_dense,
)
from assistant.evidence.markers import ABSTENTION
from assistant.models import Passage
from assistant.settings import AnswerSettings

DOC = (
    "Intro line that is long enough.\n"
    "In China, providers need a B11 permit for IaaS services. Other text about weather follows here.\n"
    "第二十一条 网络运营者应当履行下列安全保护义务：\n（一）制定内部安全管理制度；\n（二）采取技术措施。"
)


def passage(start: int, end: int, dense: float = 0.7, doc_id: str = "d.txt") -> Passage:
    return Passage(
        chunk_id=f"{doc_id}::{start}",
        doc_id=doc_id,
        title="Doc",
        text=DOC[start:end],
        start=start,
        end=end,
        score=0.03,
        dense_score=dense,
    )


def whole_passage(text: str, title: str) -> Passage:
    """A document of one passage, `text`, titled `title`, on topic (cosine 0.8)."""
    return Passage(chunk_id="w::0", doc_id="w.md", title=title, text=text, start=0,
                   end=len(text), score=0.03, dense_score=0.8)  # fmt: skip


def test_answer_sentences_are_cited_with_document_offsets() -> None:
    p = passage(32, len(DOC))
    answer = answer_extractively(
        "Which permit do IaaS providers need in China?", [p], AnswerSettings()
    )
    assert not answer.abstained
    assert answer.citations, answer
    for c in answer.citations:
        assert DOC[c.start : c.end] == c.quote
        assert f"[{c.marker}]" in answer.text
    assert "B11" in answer.citations[0].quote


def test_a_sentence_ending_in_a_colon_takes_its_list_items() -> None:
    start = DOC.index("第二十一条")
    answer = answer_extractively(
        "网络运营者应当履行哪些安全保护义务", [passage(start, len(DOC))], AnswerSettings()
    )
    quote = answer.citations[0].quote
    assert quote.startswith("第二十一条") and "（二）采取技术措施。" in quote


def test_weak_evidence_abstains_with_the_named_sentence() -> None:
    answer = answer_extractively(
        "What is the penalty for jaywalking in Paris?",
        [passage(0, 120, dense=0.1)],
        AnswerSettings(),
    )
    assert answer.abstained and answer.text == ABSTENTION and not answer.citations


def test_no_passages_abstains() -> None:
    assert answer_extractively("anything at all here", [], AnswerSettings()).abstained


def test_rare_terms_weigh_more_than_common_ones() -> None:
    p = [passage(32, 130)]
    idf = {"permit": 0.1, "jaywalk": 5.0}.get
    common = assess_evidence("permit jaywalking", p, lambda t: idf(t) or 1.0, 5)
    flat = assess_evidence("permit jaywalking", p, None, 5)
    assert common.coverage < flat.coverage


def test_the_dense_part_of_evidence_reads_the_model_s_own_cosine_range() -> None:
    """0.88 is a weak e5 cosine but beyond MiniLM's "clear match": each model's range scales
    its own cosines (`AnswerSettings.dense_floor/ceiling`)."""
    p = [passage(32, 130, dense=0.88)]
    minilm = assess_evidence("permit jaywalking", p, None, 5)
    e5 = assess_evidence("permit jaywalking", p, None, 5, dense_range=(0.80, 0.93))
    assert minilm.dense == 1.0
    assert e5.dense == pytest.approx((0.88 - 0.80) / (0.93 - 0.80))
    assert e5.score < minilm.score


LOGS = (
    "第二十一条 网络运营者应当履行下列安全保护义务：\n（一）制定内部安全管理制度；\n"
    "（二）采取监测、记录网络运行状态的技术措施，并按照规定留存相关的网络日志不少于六个月；\n"
    "（三）采取数据分类、重要数据备份和加密等措施。"
)


def test_a_question_asking_for_a_period_leads_with_the_list_item_that_states_one() -> None:
    p = Passage(chunk_id="l::0", doc_id="l.md", title="网络安全法", text=LOGS, start=0,
                end=len(LOGS), score=0.03, dense_score=0.7)  # fmt: skip
    answer = answer_extractively("网络运营者留存网络日志需要多久？", [p], AnswerSettings())
    assert not answer.abstained
    first = answer.citations[0].quote
    assert (
        first.startswith("（二）")
        and "六个月" in first
        and LOGS[answer.citations[0].start :].startswith(first)
    )


def test_a_passage_on_topic_that_states_no_amount_does_not_answer_how_much() -> None:
    text = "Shenzhen University rented A100 servers from AWS through a cloud contract."
    p = whole_passage(text, "AWS")
    question = "How much per hour did AWS charge Shenzhen University for A100 servers?"
    assert answer_extractively(question, [p], AnswerSettings()).abstained
    assert not answer_extractively(
        "Which company rented A100 servers to Shenzhen University?", [p], AnswerSettings()
    ).abstained


def test_the_best_scoring_sentence_leads_even_from_a_later_passage() -> None:
    """The reader sees the answering sentence first; the rest follow in passage order."""
    text = (
        "Providers of IaaS computing services in China should check licences for stability. "
        "Such checks help with supply chain risks in many provinces.\n"
        "A B11 permit is required for IaaS computing power services in China."
    )
    first = Passage(
        chunk_id="doc::0", doc_id="doc.txt", title="Doc", text=text[: text.index("\n")],
        start=0, end=text.index("\n"), score=0.05, dense_score=0.7,
    )  # fmt: skip
    second_start = text.index("A B11")
    second = Passage(
        chunk_id="doc::1", doc_id="doc.txt", title="Doc", text=text[second_start:],
        start=second_start, end=len(text), score=0.04, dense_score=0.7,
    )  # fmt: skip
    answer = answer_extractively(
        "Which permit is required for IaaS computing power services in China?",
        [first, second],
        AnswerSettings(follow_ratio=0.3),
    )
    assert not answer.abstained
    assert answer.text.startswith("A B11 permit is required"), answer.text
    assert "should check licences" in answer.text  # kept, after the lead


def test_a_report_is_answered_by_what_it_reports_not_by_its_attribution() -> None:
    text = (
        "The Financial Times reports. SenseTime, which is under sanctions, bought equipment "
        "through subsidiaries not on the U.S. blacklist."
    )
    answer = answer_extractively(
        "What did the FT report about SenseTime?", [cloud_passage(text)], AnswerSettings()
    )
    assert answer.text.startswith("SenseTime, which is under sanctions"), answer.text


def test_a_question_about_a_paper_s_references_is_answered_by_its_reference_list() -> None:
    text = (
        "参考文献：\n"
        "HEIM L, EGAN J. Accessing controlled AI chips via Infrastructure-as-a-Service (IaaS): "
        "implications for export controls[EB/OL].\n"
        "Cloud providers rent out AI chips."
    )
    p = whole_passage(text, "Paper")
    asked = answer_extractively(
        "Which reference is on controlled AI chips via Infrastructure-as-a-Service?",
        [p],
        AnswerSettings(),
    )
    assert asked.text.startswith("HEIM L, EGAN J."), asked.text
    other = answer_extractively(
        "What is said on controlled AI chips via Infrastructure-as-a-Service?",
        [p],
        AnswerSettings(),
    )
    assert "[EB/OL]" not in other.text


def cloud_passage(text: str) -> Passage:
    """One passage of a news article on cloud access to chips."""
    return whole_passage(text, "Cloud")


def test_a_value_about_other_names_does_not_answer() -> None:
    """Another firm's hourly price does not say what AWS charged Shenzhen University."""
    text = (
        "AI-Galaxy, a Shanghai cloud company, charges $10 for one-hour access to eight A100 "
        "chips. Shenzhen University rented A100 chips via AWS for a project."
    )
    p = cloud_passage(text)
    settings = AnswerSettings()
    asked = "How much per hour did AWS charge Shenzhen University for A100 access?"
    assert answer_extractively(asked, [p], settings).abstained
    own = answer_extractively(
        "How much per hour does AI-Galaxy charge for A100 access?", [p], settings
    )
    assert own.text.startswith("AI-Galaxy, a Shanghai cloud company, charges $10"), own.text
    # A question naming one thing is not held to it: a section leaves its subject unsaid.
    one = answer_extractively("How much per hour does access to A100 chips cost?", [p], settings)
    assert not one.abstained


def test_a_name_the_sentence_leaves_out_must_be_in_its_passage_unless_it_is_the_source() -> None:
    """Shenzhen University's H100 bill does not say what Alibaba paid; a question's source
    ("according to the FT") may be named nowhere in the passage that answers it."""
    text = (
        "Shenzhen University spent approximately $27,996 to access H100 chips via AWS. "
        "iFlytek was blacklisted by Washington in 2019 and now rents chips."
    )
    p = cloud_passage(text)
    settings = AnswerSettings()
    assert answer_extractively("How much did Alibaba pay for H100 chips?", [p], settings).abstained
    paid = answer_extractively(
        "How much did Shenzhen University pay for H100 chips?", [p], settings
    )
    assert paid.text.startswith("Shenzhen University spent approximately $27,996"), paid.text
    cited = answer_extractively(
        "In which year was iFlytek blacklisted by Washington, according to the FT?", [p], settings
    )
    assert not cited.abstained and "2019" in cited.text.split("\n")[0]
    other = answer_extractively(
        "In which year was iFlytek blacklisted by Washington, according to Alibaba?", [p], settings
    )
    assert not other.abstained  # the source is exempt, whoever it is
    named_subject = answer_extractively(
        "In which year was Huawei blacklisted by Washington?", [p], settings
    )
    assert named_subject.abstained


def test_a_question_bounded_by_a_month_needs_a_passage_that_states_it() -> None:
    """A passage on the Entity List that never says December 2024 does not say who was added
    then; a year alone is not held to, and a stated day implies its month."""
    undated = cloud_passage(
        "BIS added several Chinese companies to the Entity List for acquiring AI chips."
    )
    dated = cloud_passage(
        "On December 2, 2024, BIS added several Chinese companies to the Entity List."
    )
    settings = AnswerSettings()
    asked = "Which Chinese companies did BIS add to the Entity List in December 2024?"
    assert answer_extractively(asked, [undated], settings).abstained
    assert not answer_extractively(asked, [dated], settings).abstained
    assert not answer_extractively(
        "Which Chinese companies did BIS add to the Entity List in 2024?", [undated], settings
    ).abstained
    zh = "2024年12月，美国商务部把哪些中国公司列入了实体清单？"
    assert answer_extractively(zh, [undated], settings).abstained


def test_a_definition_question_is_answered_by_the_item_that_defines_the_term() -> None:
    """In a list of definitions the item defining the asked term leads, not the list's
    opening or the article that uses the term with more of the question's words."""
    text = (
        "第七十六条 本法下列用语的含义：\n"
        "（一）网络，是指由计算机或者其他信息终端及相关设备组成的系统。\n"
        "（二）网络安全，是指通过采取必要措施，防范对网络的攻击、侵入、干扰、破坏。\n"
        "（三）网络运营者，是指网络的所有者、管理者和网络服务提供者。\n"
        "第四十三条 个人发现网络运营者违反法律、行政法规的规定收集、使用其个人信息的，有权要求网络运营者删除其个人信息。"
    )
    p = whole_passage(text, "网络安全法")
    answer = answer_extractively("网络运营者的定义是什么？", [p], AnswerSettings())
    assert answer.text.startswith("（三）网络运营者，是指"), answer.text
    used = answer_extractively("网络运营者违法收集个人信息怎么办？", [p], AnswerSettings())
    assert not used.text.startswith("（三）"), used.text


EXCEPTIONS = (
    "(i) *Directly destined to Macau.* Any item subject to the EAR and specified on the "
    "CCL when destined to Macau for the production of items requires a license.\n"
    "(c) *License exceptions.* No license exceptions may overcome the prohibition "
    "described in paragraph (a) of this section."
)
CONDITIONS = (
    "第十条 经营基础电信业务，应当具备下列条件：\n"
    "（一）经营者为依法设立的公司，且公司中国有股权或者股份不少于51%；\n"
    "（二）有可行性研究报告和组网技术方案；\n"
    "（三）有与从事经营活动相适应的资金和专业人员。"
)
TEMPORARY = (
    "临时管制实施期限届满前应当及时进行评估，根据评估结果决定取消临时管制或者延长临时管制。"
    "临时管制的实施期限不超过二年。"
)


@pytest.mark.parametrize(
    ("text", "title", "question", "lead"),
    [
        # A paragraph headed by the asked topic, before a longer one under another heading
        # that shares more of the question's words.
        (
            EXCEPTIONS,
            "§ 744.23",
            "Is there a license exception for items under § 744.23?",
            "(c) *License exceptions.*",
        ),
        # The one list item the question asks about; a question the opening covers keeps
        # the whole list.
        (
            CONDITIONS,
            "电信条例",
            "经营基础电信业务的公司对国有股权比例有什么要求？",
            "（一）经营者",
        ),
        (CONDITIONS, "电信条例", "经营基础电信业务应当具备哪些条件？", "第十条 经营基础电信业务"),
        # A counted period before one only named.
        (TEMPORARY, "出口管制法", "出口临时管制最长能持续多久？", "临时管制的实施期限不超过二年"),
        # Not when the question asks how soon: 立即 answers as well as a count.
        (
            "发生网络数据安全事件时，网络数据处理者应当立即启动预案，并向有关主管部门报告。"
            "发现安全事件涉及公共利益的，还应当在24小时内报告。",
            "网络数据安全管理条例",
            "发生网络数据安全事件应当在多长时间内报告？",
            "发生网络数据安全事件时",
        ),
    ],
    ids=["run-in-heading", "asked-item", "whole-list", "counted-period", "soon-at-once"],
)
def test_the_answering_part_leads(text: str, title: str, question: str, lead: str) -> None:
    answer = answer_extractively(question, [whole_passage(text, title)], AnswerSettings())
    assert answer.text.startswith(lead), answer.text


def test_follow_ratio_drops_sentences_that_answer_much_less_than_the_lead() -> None:
    """A sentence sharing only part of the question's terms is context at a low ratio and
    padding at a high one: the lead alone answers."""
    text = (
        "A B11 permit is required for IaaS computing power services in China. "
        "Providers in China should keep records of their customers."
    )
    p = Passage(
        chunk_id="doc::0", doc_id="doc.txt", title="Doc", text=text, start=0, end=len(text),
        score=0.05, dense_score=0.7,
    )  # fmt: skip
    question = "Which permit is required for IaaS computing power services in China?"
    loose = answer_extractively(question, [p], AnswerSettings(follow_ratio=0.1))
    strict = answer_extractively(question, [p], AnswerSettings(follow_ratio=0.9))
    assert [c.quote.split()[0] for c in loose.citations] == ["A", "Providers"]
    assert [c.quote.split()[0] for c in strict.citations] == ["A"]


def test_the_sentence_naming_the_thing_asked_for_outranks_one_only_on_topic() -> None:
    """ "Which permit …": a sentence naming a permit answers; one about licensing in general,
    though it shares more of the question's other words, is context at most."""
    text = "IaaS providers in China must hold licences. A B11 permit covers IaaS."
    p = Passage(
        chunk_id="doc::0", doc_id="doc.txt", title="Doc", text=text, start=0, end=len(text),
        score=0.05, dense_score=0.7,
    )  # fmt: skip
    question = "Which permit do IaaS providers need in China?"
    idf = {"permit": 1.5}
    terms = QuestionTerms(idf=lambda term: idf.get(term, 1.0))
    answer = answer_extractively(question, [p], AnswerSettings(), terms)
    assert answer.citations[0].quote == "A B11 permit covers IaaS.", answer.text


def test_a_passage_in_the_other_language_reads_its_cosine_on_a_lower_range() -> None:
    """English question, Chinese passage: the same cosine says more than within a language."""
    zh = passage(0, 31, dense=0.79).model_copy(update={"language": "zh"})
    en = zh.model_copy(update={"language": "en"})
    assert passage_dense(en, "en", (0.80, 0.93), 0.02) == 0.0
    assert passage_dense(zh, "en", (0.80, 0.93), 0.02) == pytest.approx(0.01 / 0.13)
    assert passage_dense(zh, "en", (0.80, 0.93), 0.0) == 0.0


def test_an_article_label_does_not_make_its_first_sentence_the_answer() -> None:
    """The question names 第十二条 to say where to look; its second paragraph answers."""
    text = (
        "第十二条 任何组织和个人均不得执行或者协助执行外国国家对我国公民、组织采取的歧视性限制措施。\n\n"
        "组织和个人违反前款规定，侵害我国公民、组织合法权益的，我国公民、组织可以依法向人民法院提起诉讼，"
        "要求其停止侵害、赔偿损失。"
    )
    answer = answer_extractively(
        "第十二条规定谁可以提起诉讼？", [whole_passage(text, "反外国制裁法")], AnswerSettings()
    )
    assert answer.citations[0].quote.startswith("组织和个人违反前款规定"), answer.text


def test_a_question_asking_what_is_forbidden_leads_with_the_prohibition() -> None:
    text = (
        "(a) *Scope.* The general prohibitions in this section on activities of U.S. persons apply "
        "only where no other agency requires a license for those activities.\n\n"
        "(b) *General prohibitions.* No U.S. person may, without a license, support the "
        "development of missiles in a listed country."
    )
    answer = answer_extractively(
        "What does this section prohibit U.S. persons from doing?",
        [whole_passage(text, "§ 744.6 Restrictions on specific activities of U.S. persons")],
        AnswerSettings(),
    )
    assert answer.citations[0].quote.startswith("(b) *General prohibitions.*"), answer.text


def test_a_value_question_drops_sentences_that_state_no_such_value() -> None:
    text = (
        "第七十五条 违反本条例的规定，擅自经营电信业务的，处1万元以上10万元以下的罚款。"
        "电信业务经营者应当按照国家规定的电信服务标准向电信用户提供服务。"
        "情节严重的，处10万元以上100万元以下的罚款。"
    )
    answer = answer_extractively(
        "擅自经营电信业务的，电信业务经营者要被处多少罚款？",
        [whole_passage(text, "电信条例")],
        AnswerSettings(follow_ratio=0.0),
    )
    quotes = [c.quote for c in answer.citations]
    assert quotes and all("罚款" in q for q in quotes), answer.text


def test_a_definition_question_keeps_only_definitions_after_the_lead() -> None:
    text = (
        "第七十三条 本法下列用语的含义：（一）个人信息处理者，是指在个人信息处理活动中自主决定处理目的、处理方式的组织、个人。\n"
        "第五十一条 个人信息处理者应当采取措施确保个人信息处理活动符合法律规定，并防止未经授权的访问以及个人信息泄露。"
    )
    answer = answer_extractively(
        "什么是个人信息处理者？",
        [whole_passage(text, "个人信息保护法")],
        AnswerSettings(follow_ratio=0.0),
    )
    assert "是指" in answer.citations[0].quote
    assert all("防止未经授权" not in c.quote for c in answer.citations), answer.text


def test_of_several_items_stating_a_count_the_one_on_the_question_leads() -> None:
    text = (
        "第六十二条 本条例下列用语的含义：\n"
        "（六）共同处理，是指两个以上的网络数据处理者共同决定网络数据的处理目的和处理方式的网络数据处理活动。\n"
        "（八）大型网络平台，是指注册用户5000万以上或者月活跃用户1000万以上的网络平台。"
    )
    answer = answer_extractively(
        "大型网络平台的注册用户要达到多少？",
        [whole_passage(text, "网络数据安全管理条例")],
        AnswerSettings(),
    )
    assert answer.citations[0].quote.startswith("（八）大型网络平台"), answer.text


def test_a_definition_of_another_term_does_not_lead() -> None:
    text = (
        "第二十九条 国家数据安全工作协调机制统筹协调有关部门制定重要数据目录，加强对重要数据的保护。\n"
        "第二条 本条例所称关键信息基础设施，是指一旦遭到破坏或者数据泄露，可能严重危害国家安全的重要网络设施。"
    )
    answer = answer_extractively(
        "什么是重要数据？", [whole_passage(text, "网络数据安全管理条例")], AnswerSettings()
    )
    assert not answer.citations[0].quote.startswith("第二条"), answer.text


def test_a_definition_by_a_list_leads_with_its_list() -> None:
    text = (
        "(5) A 'military-intelligence end use' as defined in § 744.22(f).\n\n"
        "(6) 'Support' means:\n\n"
        "(i) Shipping or transmitting from one foreign country to another any item;\n\n"
        "(ii) Facilitating such shipment, transmission, or transfer (in-country); or"
    )
    answer = answer_extractively(
        "Under 744.6, what does 'support' mean?",
        [whole_passage(text, "EAR 744.6")],
        AnswerSettings(),
    )
    lead = answer.citations[0].quote
    assert lead.startswith("(6) 'Support' means:") and "(ii) Facilitating" in lead, answer.text


def test_a_value_question_naming_one_party_needs_it_in_the_passage() -> None:
    """A question naming one agency is not answered by another agency's time limit: the
    passage must name it somewhere (its title counts), in either language."""
    text = "第十七条 国务院商务主管部门应当自受理出口许可申请之日起45个工作日内作出决定。"
    p = whole_passage(text, "两用物项出口管制条例")
    settings = AnswerSettings()
    bis = "How many working days does BIS take to decide on a licence application?"
    terms = QuestionTerms(alternate="工作日 出口许可 申请 作出决定")
    assert answer_extractively(bis, [p], settings, terms).abstained
    own = answer_extractively("商务主管部门多少个工作日内对出口许可申请作出决定？", [p], settings)
    assert not own.abstained and "45个工作日" in own.text


def test_a_value_from_a_passage_that_barely_touches_the_question_does_not_answer() -> None:
    """Sharing the party asked about is not enough: 提前90日 on changing a licence does not
    say how long call records are kept."""
    text = (
        "第十五条 电信业务经营者变更经营主体、业务范围或者停止经营的，应当提前90日向原颁发"
        "许可证的机关提出申请。"
    )
    p = whole_passage(text, "电信条例")
    settings = AnswerSettings()
    # Every article of the telecom regulations names the operator: its words weigh little.
    common = {"电信", "电信业", "电信业务", "业务", "经营", "经营者"}
    terms = QuestionTerms(
        alternate="电信业务经营者 通话记录 保存", idf=lambda t: 0.1 if t in common else 1.0
    )
    asked = "How long must telecom operators keep call records?"
    assert answer_extractively(asked, [p], settings, terms).abstained
    notice = answer_extractively("电信业务经营者停止经营的，应当提前多久提出申请？", [p], settings)
    assert not notice.abstained and "提前90日" in notice.text


def test_a_penalty_counts_the_acts_its_list_names() -> None:
    """ "有下列行为之一的，…罚款" is the fine for each act listed after it, though its own words
    name none of them: the question on one listed act is answered by it, not by a fine for a
    different act whose sentence shares more words with the question."""
    text = (
        "第三十四条 出口经营者有下列行为之一的，责令停止违法行为，并处违法经营额五倍以上十倍以下罚款；"
        "情节严重的，责令停业整顿：\n（一）未经许可擅自出口管制物项；\n（二）出口禁止出口的管制物项。\n"
        "第三十五条 以欺骗手段获取管制物项出口许可证件的，撤销许可，并处违法经营额二倍以上五倍以下罚款。"
    )
    p = whole_passage(text, "出口管制法")
    answer = answer_extractively("未经许可擅自出口管制物项的，罚款多少？", [p], AnswerSettings())
    assert answer.text.startswith("第三十四条"), answer.text


def test_a_clause_after_a_semicolon_counts_the_words_of_the_clause_before_it() -> None:
    """ "…应当…采取必要措施；未及时采取必要措施的，…承担连带责任" names whose failure it is only
    in its first half: asked what the provider is liable for, the second half answers."""
    text = (
        "第一千一百九十五条 网络服务提供者接到通知后，应当及时将该通知转送相关网络用户，并采取必要"
        "措施；未及时采取必要措施的，对损害的扩大部分与该网络用户承担连带责任。\n"
        "权利人因错误通知造成网络用户或者网络服务提供者损害的，应当承担侵权责任。"
    )
    p = whole_passage(text, "民法典")
    answer = answer_extractively(
        "网络服务提供者接到通知后没有及时采取措施，要承担什么责任？", [p], AnswerSettings()
    )
    assert answer.text.startswith("未及时采取必要措施的"), answer.text


def test_a_bare_exception_does_not_lead() -> None:
    text = (
        "第二十一条 网络数据处理者不得在个人明确表示不同意后频繁征求同意；"
        "个人明确拒绝频繁征求同意的除外。"
    )
    answer = answer_extractively(
        "个人明确拒绝频繁征求同意后，还能征求同意吗？",
        [whole_passage(text, "条例")],
        AnswerSettings(),
    )
    assert answer.text.startswith("第二十一条"), answer.text


@pytest.mark.parametrize(
    ("asked", "title", "text", "added", "shown", "alternate"),
    [
        (  # which authority: a rule on the topic that names none does not answer
            "个人信息保护影响评估报告需要报送哪个部门备案？",
            "个人信息保护法",
            "第五十六条 个人信息处理者应当事前进行个人信息保护影响评估，并对处理情况进行记录。"
            "个人信息保护影响评估报告和处理情况记录应当至少保存三年。",
            "评估报告应当报送履行个人信息保护职责的部门备案。",
            "部门备案",
            None,
        ),
        (  # who heads a body: the sentence that only says it exists does not answer
            "Who chairs the anti-foreign sanctions coordination mechanism?",
            "反外国制裁法",
            "第十条 国家设立反外国制裁工作协调机制，负责统筹协调相关工作。",
            "协调机制由国务院外交主管部门牵头。",
            "牵头",
            "反外国制裁 协调机制 牵头",
        ),
        (  # which licence is needed: a penalty that revokes one does not answer
            "数据交易中介机构需要取得什么许可证？",
            "数据安全法",
            "第四十七条 从事数据交易中介服务的机构未履行本法第三十三条规定的义务的，由有关主管"
            "部门责令改正，处十万元以上一百万元以下罚款，并可以吊销相关业务许可证或者吊销营业执照。",
            "从事数据交易中介服务的机构，应当取得数据交易中介服务许可证。",
            "应当取得",
            None,
        ),
    ],
)
def test_a_question_asking_for_a_form_abstains_without_a_sentence_of_it(
    asked: str, title: str, text: str, added: str, shown: str, alternate: str | None
) -> None:
    settings = AnswerSettings()
    terms = QuestionTerms(alternate=alternate)
    bare = answer_extractively(asked, [whole_passage(text, title)], settings, terms)
    assert bare.abstained, bare.text
    answer = answer_extractively(asked, [whole_passage(text + added, title)], settings, terms)
    assert not answer.abstained and shown in answer.text.splitlines()[0], answer.text


def test_the_maximum_fine_is_the_top_tier_of_the_asked_act_only() -> None:
    text = (
        "第四十八条 违反本法第三十五条规定，拒不配合数据调取的，处五万元以上五十万元以下罚款。\n"
        "违反本法第三十六条规定，未经主管机关批准向外国司法机构提供数据的，处十万元以上一百万元"
        "以下罚款；造成严重后果的，处一百万元以上五百万元以下罚款。\n"
        "第六十六条 违反本法规定处理个人信息的，处一百万元以下罚款。\n"
        "有前款规定的违法行为，情节严重的，处五千万元以下罚款。"
    )
    p = whole_passage(text, "数据安全法")
    settings = AnswerSettings(max_sentences=1)
    refused = answer_extractively("拒不配合数据调取的，最高罚款多少？", [p], settings)
    assert "五十万元以下" in refused.text and "五百万元" not in refused.text, refused.text
    processed = answer_extractively("违反规定处理个人信息的，最高罚款多少？", [p], settings)
    assert "五千万元" in processed.text, processed.text


def test_the_named_law_answers_before_a_neighbouring_regulation() -> None:
    def law(doc_id: str, text: str, rank: int) -> Passage:
        return Passage(chunk_id=f"{doc_id}::0", doc_id=doc_id, title=doc_id, text=text,
                       start=0, end=len(text), score=0.03 - rank * 0.01, dense_score=0.8)  # fmt: skip

    regulation = law("条例.md", "网络数据处理者发生网络数据安全事件时，应当立即启动应急预案。", 0)
    statute = law("数据安全法.md", "数据处理者发生数据安全事件时，应当立即采取处置措施。", 1)
    question = "数据处理者发生数据安全事件时应当怎么做？"
    settings = AnswerSettings(max_sentences=1)
    unnamed = answer_extractively(question, [regulation, statute], settings)
    assert unnamed.citations[0].doc_id == "条例.md", unnamed.text
    terms = QuestionTerms(named=frozenset({"数据安全法.md"}))
    named = answer_extractively(question, [regulation, statute], settings, terms)
    assert named.citations[0].doc_id == "数据安全法.md", named.text


def test_a_penalty_question_abstains_when_no_passage_states_a_sanction() -> None:
    text = (
        "It should also be noted that part 764 of the EAR prohibits exports to denied parties. "
        "Exporters must screen parties against the Entity List before export."
    )
    p = whole_passage(text, "EAR 744.1")
    settings = AnswerSettings()
    asked = "What is the penalty under part 764 of the EAR for exports to denied parties?"
    assert answer_extractively(asked, [p], settings).abstained
    fined = " Exports to denied parties in breach of part 764 are subject to a civil penalty."
    stated = whole_passage(text + fined, "EAR 744.1")
    assert not answer_extractively(asked, [stated], settings).abstained


def test_a_translated_phrase_counts_only_where_its_words_stand_together() -> None:
    """个人信息 reads as "personal information" in English passages: "U.S. persons informed by
    BIS" holds both stems, apart, and says nothing about personal information."""
    from assistant.answering.extractive import _phrases_apart

    phrase = (("personal", "information"),)
    apart = "BIS may inform U.S. persons by specific notice."
    terms = frozenset({"bis", "inform", "u.s", "person", "specif", "notic"})
    assert _phrases_apart(apart, terms, phrase) == {"person", "inform"}
    together = "Processors must protect personal information."
    assert _phrases_apart(together, frozenset({"process", "person", "inform"}), phrase) == set()
    # Words of a phrase of which the sentence holds only one are left alone.
    assert _phrases_apart("persons only", frozenset({"person"}), phrase) == set()


@pytest.mark.parametrize(
    ("text", "question", "lead"),
    [
        # "He" is the person the sentence before names, not the partner named a line earlier.
        (
            "Li Tianhang is a senior partner. He can be contacted at li@example.com\n"
            "Shi Yuhang is a partner. He can be contacted at shi@example.com",
            "What is Shi Yuhang's email address?",
            "He can be contacted at shi@example.com",
        ),
        # News articles write one sentence a paragraph: "This method of access" is the cloud
        # access the paragraph before describes.
        (
            "Chinese entities rent US AI chips through the cloud services of Amazon.\n\n"
            "This method of access does not violate US regulations, as it involves no export.\n\n"
            "A review of public tender documents found eleven entities sought such services.",
            "Does using cloud services to access US AI chips violate US regulations?",
            "This method of access",
        ),
        # The fine in the third clause of a semicolon chain is the algorithm provider's,
        # though only the first clause names it.
        (
            "第一条 网络运营者违反本法规定的，责令改正；拒不改正的，处五万元以上五十万元以下罚款。\n"
            "第二条 算法推荐服务提供者违反本规定的，法律有规定的，依照其规定；"
            "法律没有规定的，由网信部门和电信、公安等有关部门依据职责给予警告、通报批评，"
            "责令限期改正；拒不改正的，并处一万元以上十万元以下罚款。",
            "算法推荐服务提供者拒不改正的，罚款多少？",
            "拒不改正的，并处一万元",
        ),
        # 第六条 lists the measures, though 第五条 names 反制措施 (while listing the persons
        # they apply to) and so matches the question's words better.
        (
            "第五条 国务院有关部门还可以决定对下列个人、组织采取反制措施：\n"
            "（一）列入反制清单个人的配偶和直系亲属；\n"
            "第六条 国务院有关部门可以根据实际情况决定采取下列一种或者几种措施：\n"
            "（一）不予签发签证、不准入境、注销签证或者驱逐出境；",
            "反外国制裁法规定的反制措施有哪些？",
            "第六条",
        ),
    ],
)
def test_the_sentence_that_answers_leads(text: str, question: str, lead: str) -> None:
    answer = answer_extractively(question, [whole_passage(text, "Source")], AnswerSettings())
    assert answer.citations[0].quote.startswith(lead), answer.text


def test_a_demonstrative_pointing_at_the_document_refers_back_to_nothing() -> None:
    from assistant.answering.extractive import _refers_back
    from ingest.sentences import split_sentences

    text = "Cloud services are used.\n\nThis section sets out the rules.\n\nThese firms rent chips."
    spans = split_sentences(text)
    assert [_refers_back(text, s) for s in spans] == [False, False, True]

