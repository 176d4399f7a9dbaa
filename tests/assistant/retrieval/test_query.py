"""What a question becomes before retrieval: entry-into-force questions are recognised."""

from __future__ import annotations

import pytest

from assistant.retrieval.query import asks_definition, asks_penalty, prepare_query


@pytest.mark.parametrize(
    ("question", "asks"),
    [
        ("When did the PIPL take effect?", True),
        ("When does the Data Security Law come into force?", True),
        ("《个人信息保护法》什么时候生效？", True),
        ("《数据安全法》从哪一天开始施行？", True),
        ("What does Article 21 of the Cybersecurity Law require?", False),
        ("数据出境安全评估结果的有效期是多长时间？", False),
    ],
)
def test_entry_into_force_questions_are_recognised(question: str, asks: bool) -> None:
    assert prepare_query(question).asks_in_force is asks


def test_the_statute_word_is_looked_for_in_answers_not_in_retrieval() -> None:
    prepared = prepare_query("《个人信息保护法》什么时候生效？")
    assert "施行" in prepared.answer_terms
    assert "施行" not in prepared.expanded.split("\n")[0]


def test_a_definition_question_is_marked_for_the_definitions_search() -> None:
    assert prepare_query(
        "How does the Cybersecurity Law define a network operator?"
    ).asks_definition
    assert prepare_query("什么是两用物项？").asks_definition
    assert not prepare_query("What is the maximum fine under the PIPL?").asks_definition


def test_definition_questions() -> None:
    assert asks_definition("What counts as a 'major component' of a plant?")
    assert asks_definition("《网络数据安全管理条例》中的大型网络平台是怎么界定的？")
    assert asks_definition("大型网络平台怎么认定？")
    assert asks_definition("大型网络平台的认定标准是什么？")
    # Whether one thing is inside a definition, or where it is, is another question.
    assert not asks_definition("Does providing a service count as 'support'?")
    assert not asks_definition("Where is 'support' defined?")
    assert not asks_definition("夫妻一方继承所得的财产属于夫妻共同财产吗？")


@pytest.mark.parametrize(
    ("question", "asks"),
    [
        ("What is sensitive personal information under the PIPL?", True),
        ("What are important data?", True),
        ("What is a network operator?", True),
        ("What is the maximum fine under the PIPL?", False),
        ("What is China's maximum fine?", False),
        ("What are US persons prohibited from doing?", False),
        ("What is required to export 3A090 items?", False),
    ],
)
def test_what_is_a_bare_term_asks_for_its_definition(question: str, asks: bool) -> None:
    assert asks_definition(question) is asks


def test_a_question_asking_what_a_breach_costs_asks_for_a_penalty() -> None:
    assert asks_penalty("算法推荐服务提供者违反规定的，最高可以处多少罚款？")
    assert asks_penalty("What fine can regulators impose on a provider that refuses to comply?")
    assert asks_penalty("网络服务不核验用户真实身份的，平台会面临什么处罚？")
    assert prepare_query("What are the penalties for violating the EAR?").asks_penalty
    # A penalty as the question's setting, not what it asks.
    assert not asks_penalty("受过出口管制处罚的企业，多长时间内主管部门可以不受理其出口许可申请？")
    assert not asks_penalty("Which permit does a provider need in China?")


def test_a_lay_chinese_question_about_a_fine_looks_for_the_word_fine() -> None:
    """最高罚多少钱 names no word an article uses: 罚款 is looked for instead."""
    prepared = prepare_query("个人信息保护法最高罚多少钱？")
    assert "罚款" in prepared.expanded and "罚款" in prepared.answer_terms
    assert "罚款" not in prepare_query("个人信息保护法的适用范围是什么？").answer_terms


def test_a_list_question_asks_for_the_general_noun_of_its_things() -> None:
    from assistant.retrieval.query import introduces_list_of, listed_thing

    assert listed_thing("反外国制裁法规定的反制措施有哪些？") == "措施"
    assert listed_thing("可以对列入反制清单的对象采取哪些反制措施？") == "措施"
    assert listed_thing("商标侵权损害赔偿的抗辩都有哪些？") == "抗辩"
    assert listed_thing("哪些情形下需要评估？") == ""  # a condition, not a list
    assert listed_thing("个人信息处理者可以公开吗？") == ""
    assert prepare_query("安全管理机构有哪些职责？").listed == "职责"
    assert introduces_list_of("决定采取下列一种或者几种措施：", "措施")
    assert introduces_list_of("履行下列安全保护义务，保障网络免受干扰:", "义务")
    # A list of persons whom the measures are taken against is not a list of measures.
    assert not introduces_list_of("还可以决定对下列个人、组织采取反制措施：", "措施")
