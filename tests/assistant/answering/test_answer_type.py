"""Which kind of value a question asks for, and which sentences state one."""

import pytest

from assistant.answering.answer_type import (
    Kind,
    asked_attributes_named,
    asked_thing,
    asks_authority,
    asks_leader,
    asks_maximum,
    asks_obligation,
    asks_reference,
    asks_sanction,
    expected_kind,
    largest_sum,
    names_authority,
    obliges,
    sanctions,
    states,
    without_asking,
)


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        (
            "What is the maximum fine for violating the Personal Information Protection Law?",
            "money",
        ),
        ("How much per hour did AWS charge for A100 access?", "money"),
        ("What is the capital requirement for a B11 licence?", "money"),
        ("网络数据处理者违反国家安全审查规定、情节严重的，最高可罚多少？", "money"),
        ("How long must network logs be retained under the Cybersecurity Law?", "period"),
        ("具有舆论属性的算法推荐服务上线后，要在多少天内完成算法备案？", "period"),
        ("关键信息基础设施运营者的安全检测和风险评估应当多长时间做一次？", "period"),
        ("《网络安全法》从哪一天开始施行？", "date"),
        ("When did the Data Security Law take effect?", "date"),
        ("What share of the centres are in the western regions?", "percent"),
        ("网络安全等级保护制度一共分为几个等级？", "number"),
        ("How many Chinese entities were found in the tender documents?", "number"),
        ("What computing threshold, in operations, triggers BIS reporting?", "number"),
        ("What is the application fee for a value-added telecom licence?", "money"),
        ("What is the filing deadline for the annual report?", "period"),
        ("What is the maximum prison sentence for smuggling controlled chips?", "period"),
        ("Under what age is a child's personal information sensitive?", "number"),
        ("What is the maximum compensation for an infringement of personal information?", "money"),
        ("不满几岁的未成年人的个人信息属于敏感个人信息？", "number"),
        ("What is the minimum number of staff a security department must have?", "number"),
        ("What is the maximum daily fine for continuing violations?", "money"),
        ("When did BIS publish the interim final rule creating § 744.23?", "date"),
        ("两用物项出口许可证件的申请费是多少？", "money"),
        ("关键信息基础设施运营者每年需要投入多少网络安全预算？", "money"),
        ("What is the minimum age for a platform to use facial recognition on users?", "number"),
        ("电信业务经营许可证年检的时间是每年几月？", "date"),
        ("申请材料不齐全的，应当在几个月内补正？", "period"),
        ("What is the Cyberspace Administration of China's budget for 2025?", "money"),
        ("When did AWS start offering H100 instances to Chinese customers?", "date"),
        ("When was iFlytek blacklisted by Washington?", "date"),
        ("What is the annual cap on data exports under the Data Security Law?", "number"),
    ],
)
def test_question_forms_that_ask_for_a_value(question: str, kind: str) -> None:
    assert expected_kind(question) == Kind(kind)


@pytest.mark.parametrize(
    "question",
    [
        "What is the penalty for jaywalking in Paris?",  # a penalty may be a prison term
        "电信业务分为哪几类？",  # which kinds, not how many
        "When does the PIPL apply to processing outside China?",  # "when" asks a condition
        "When is a licence required for 3A090 items?",  # a condition too
        "Which permit does a provider need in China to offer IaaS services?",
        "网络运营者应当履行哪些安全保护义务？",
        "How much computing power does a provider need?",  # not an amount of money
        "What is the legal basis for the fine?",  # asks for a rule, not the amount
    ],
)
def test_other_questions_ask_for_no_kind(question: str) -> None:
    assert expected_kind(question) is None


def test_sentences_state_values_but_not_the_questions_own_numbers() -> None:
    assert states(Kind.MONEY, "并处五千万元以下或者上一年度营业额百分之五以下罚款")
    assert states(Kind.MONEY, "a fine of up to 4% of annual turnover")
    assert states(Kind.MONEY, "处采购金额1倍以上10倍以下罚款")
    assert not states(Kind.MONEY, "AI will drive a 160% increase in data centre power demand")
    assert states(Kind.PERIOD, "按照规定留存相关的网络日志不少于六个月")
    assert states(Kind.PERIOD, "每年至少进行一次检测评估")
    assert states(Kind.PERIOD, "within the agreed or prescribed period")
    assert states(Kind.DATE, "本法自2017年6月1日起施行。")
    assert states(Kind.DATE, "Publication date: Mar 9, 2023")
    assert not states(Kind.DATE, "Such gaps may mar the controls.")  # no day beside it
    # Article numbers and the codes the question itself names state nothing.
    assert not states(Kind.NUMBER, "第二十一条 网络运营者应当履行下列义务")
    assert not states(
        Kind.NUMBER, "Section 744.23 covers 3A090 items.", "What is the TPP of 3A090?"
    )
    assert states(Kind.NUMBER, "A TPP of 4800 or more.", "What is the TPP of 3A090?")
    # An EAR footnote numbers a designation; it counts no entities.
    entities = "How many entities are on the Entity List?"
    assert not states(Kind.NUMBER, "Activities involving Footnote 1 designated entities.", entities)
    assert states(Kind.NUMBER, "BIS added 140 entities to the Entity List.", entities)


def test_how_soon_is_answered_by_a_time_limit_not_by_a_period() -> None:
    soon = "How soon must a processor notify the regulator after a data breach?"
    assert expected_kind(soon) is Kind.PERIOD
    assert states(
        Kind.PERIOD, "个人信息处理者应当立即采取补救措施，并通知履行个人信息保护职责的部门", soon
    )
    assert states(Kind.PERIOD, "report the incident to BIS within 72 hours", soon)
    assert states(Kind.PERIOD, "the exporter must notify BIS without undue delay", soon)
    # The length of a retention period does not say how soon.
    assert not states(Kind.PERIOD, "处理的个人信息种类、保存期限", soon)
    # "How long" keeps reading periods, and "promptly" is no length.
    keep = "How long must network logs be kept?"
    assert states(Kind.PERIOD, "处理的个人信息种类、保存期限", keep)
    assert not states(Kind.PERIOD, "operators shall promptly take remedial measures", keep)


def test_within_how_long_is_a_time_limit_and_in_good_time_is_none() -> None:
    """多长时间内 asks for a limit, as "how soon" does: a count or 立即 gives one, and so does
    a period left to reason (合理期限内); 及时 ("in good time") sets none."""
    asked = "保护工作部门要在多长时间内重新认定？"
    assert expected_kind(asked) is Kind.PERIOD
    assert states(Kind.PERIOD, "保护工作部门自收到报告之日起3个月内完成重新认定", asked)
    assert not states(Kind.PERIOD, "运营者应当及时将相关情况报告保护工作部门", asked)
    assert states(Kind.PERIOD, "在转送声明到达权利人后的合理期限内，未收到通知的", asked)
    assert states(Kind.PERIOD, "应当立即启动预案", "发生安全事件应当在多长时间内报告？")
    assert not states(
        Kind.PERIOD,
        "the operator shall promptly inform users",
        "Within how long must users be told?",
    )


def test_how_many_days_is_answered_by_a_count_not_by_a_statutory_period() -> None:
    question = "Within how many days must the licence application be decided?"
    assert expected_kind(question) is Kind.PERIOD
    assert states(Kind.PERIOD, "在45个工作日内作出准予或者不予许可的决定", question)
    assert not states(Kind.PERIOD, "并在法定期限内作出准予或者不予许可的决定", question)
    assert not states(Kind.PERIOD, "申请应当在法定期限内审查", "申请应当在多少个工作日内审查？")


def test_a_data_breach_is_a_leak_in_either_language() -> None:
    from assistant.retrieval.glossary import translations

    assert "泄露" in translations("What must be done after a data breach?")
    assert "立即" in translations("Must the processor notify immediately?")
    assert "data breach" in translations("发生个人信息泄露的")


def test_asking_words_are_not_evidence() -> None:
    assert without_asking("How long must logs be kept?").split() == ["must", "logs", "be", "kept?"]
    assert "哪一天" not in without_asking("《网络安全法》从哪一天开始施行？")


def test_a_sum_must_be_of_what_the_question_asks_about() -> None:
    capital = "What is the capital requirement for a B11 licence?"
    fine = "违反本法规定的，处五十万元以上五百万元以下罚款。"
    assert expected_kind(capital) is Kind.MONEY
    assert not states(Kind.MONEY, fine, capital)
    assert states(Kind.MONEY, "注册资本不低于一千万元人民币。", capital)
    pipl = "What is the maximum fine for violating the Personal Information Protection Law?"
    assert states(Kind.MONEY, "处五千万元以下或者上一年度营业额百分之五以下罚款。", pipl)
    # A question that names no kind of sum takes any.
    assert states(Kind.MONEY, fine, "How much must the operator pay?")


def test_earnings_are_answered_by_a_sum_earned() -> None:
    earned = "How much did NVIDIA earn from Chinese cloud providers in 2024?"
    assert expected_kind(earned) is Kind.MONEY
    assert not states(Kind.MONEY, "It charges $10 for one-hour access to eight A100 chips.", earned)
    assert states(Kind.MONEY, "Its revenue from China was $17 billion in 2024.", earned)


def test_a_count_must_be_a_count_of_what_is_asked() -> None:
    levels = "网络安全等级保护制度一共分为几个等级？"
    assert not states(Kind.NUMBER, "按照规定留存相关的网络日志不少于六个月；", levels)
    assert states(Kind.NUMBER, "网络安全等级保护分为五个等级。", levels)
    assert states(Kind.NUMBER, "等级保护共分五级。", levels)
    assert states(Kind.NUMBER, "执法人员不得少于2人", "执法人员少于几人被检查方可以拒绝？")
    entities = "How many Chinese entities sought restricted US chips?"
    assert states(Kind.NUMBER, "At least 11 Chinese entities have sought such chips.", entities)
    assert not states(Kind.NUMBER, "The tender listed 500 cloud servers.", entities)


def test_a_count_in_the_other_language_is_read_by_its_number() -> None:
    """The thing counted is looked for in the question's own words, so across languages the
    number alone counts; within one language the thing must still come with it."""
    servers = "苏州高等研究院招标采购了多少台云服务器？"
    assert states(Kind.NUMBER, "The institute listed a tender for 500 cloud servers.", servers)
    assert not states(Kind.NUMBER, "研究院采购了500颗芯片。", servers)
    # But a period or a sum counts no thing.
    staff = "How many employees must a company have to be an operator?"
    assert not states(Kind.NUMBER, "保护工作部门自收到报告之日起3个月内完成重新认定。", staff)
    assert not states(Kind.NUMBER, "处十万元以上一百万元以下罚款。", staff)
    assert states(Kind.NUMBER, "从业人员超过一千人的运营者。", staff)


def test_a_rate_must_be_stated_as_one() -> None:
    hourly = "How much per hour did AWS charge Shenzhen University for A100 access?"
    assert not states(Kind.MONEY, "Shenzhen University spent approximately $27,996 on AWS.", hourly)
    assert states(Kind.MONEY, "It charges $10 per hour for eight A100 chips.", hourly)
    assert states(Kind.MONEY, "It charges $10 for one-hour access to eight chips.", hourly)


def test_the_top_of_a_scale_is_asked_and_read() -> None:
    assert asks_maximum("What is the maximum fine under the PIPL?")
    assert asks_maximum("网络数据处理者情节严重的，最高可罚多少？")
    assert not asks_maximum("What fine applies to a late filing?")
    assert largest_sum("并处五千万元以下或者上一年度营业额百分之五以下罚款") == 50_000_000
    assert largest_sum("拒不改正的，并处一百万元以下罚款；") == 1_000_000
    assert largest_sum("No amount here.") == 0.0


def test_questions_about_what_a_text_cites_or_where_it_appeared() -> None:
    assert asks_reference("该论文的参考文献中，哪一篇讨论了出口管制？")
    assert asks_reference("论文刊登在哪本期刊的哪一期？")
    assert asks_reference("Which reference does the paper cite on IaaS?")
    assert not asks_reference("What fine applies under the PIPL?")
    assert not asks_reference("网络运营者应当履行哪些安全保护义务？")


@pytest.mark.parametrize(
    ("question", "thing"),
    [
        ("Which permit does a provider need in China?", "permit"),
        ("What kinds of algorithms count as recommendation technology?", "algorithms"),
        ("What fine can a provider face?", "fine"),
        ("What is the maximum fine?", None),
        ("What did the October export controls prohibit?", None),
        ("网络数据安全负责人应当由什么人担任？", "担任"),  # 人 is one character: the next word
        ("商汤科技是通过什么途径绕开出口管制的？", "途径"),
        ("四川大学打算借助哪家公司的服务？", "公司"),
        ("《网络安全法》第二十一条规定了什么？", None),
    ],
)
def test_the_thing_a_which_question_asks_for(question: str, thing: str | None) -> None:
    assert asked_thing(question) == thing


def test_defining_sentences() -> None:
    from assistant.answering.answer_type import defines

    assert defines("（三）网络运营者，是指网络的所有者、管理者和网络服务提供者。")
    assert defines("A major component of a plant means equipment essential to production.")
    assert defines("数据处理，包括数据的收集、存储、使用、加工、传输、提供、公开等。")
    assert not defines("风险评估报告应当包括处理的重要数据的种类、数量。")
    assert not defines("处理敏感个人信息应当取得个人的单独同意。")


def test_a_counted_period_is_told_from_a_named_one() -> None:
    from assistant.answering.answer_type import counts_time

    assert counts_time("临时管制的实施期限不超过二年。")
    assert counts_time("logs must be kept for at least six months")
    assert not counts_time("临时管制实施期限届满前应当及时进行评估")
    assert not counts_time("within the agreed period")


def test_questions_asking_what_is_forbidden_and_sentences_forbidding() -> None:
    from assistant.answering.answer_type import asks_prohibition, prohibits

    assert asks_prohibition("What does 15 CFR 744.6 prohibit US persons from doing?")
    assert asks_prohibition("What are algorithm recommendation providers prohibited from doing?")
    assert asks_prohibition("个人信息保护法禁止哪些行为？")
    assert asks_prohibition("美国出口管制条例第744.6条禁止美国人从事哪些活动？")
    assert asks_prohibition("What must providers not do to users with algorithms?")
    assert asks_prohibition("What can't an exporter do without a licence?")
    assert not asks_prohibition("What must providers do for users?")
    assert not asks_prohibition("Does the EAR prohibit cloud access?")
    assert not asks_prohibition("What fine applies to a late filing?")
    assert prohibits(
        "(b) *General prohibitions.* No “U.S. person” may, without a license, 'support':"
    )
    assert prohibits("网络运营者不得收集与其提供的服务无关的个人信息。")
    assert not prohibits("The general prohibitions in this section apply only to the extent that …")


def test_an_age_is_stated_by_an_age_not_by_another_count_of_years() -> None:
    asked = "Under what age is a child's personal information sensitive?"
    assert states(Kind.NUMBER, "以及不满十四周岁未成年人的个人信息。", asked)
    assert states(Kind.NUMBER, "Children under 14 years of age need consent.", asked)
    assert not states(Kind.NUMBER, "记录应当至少保存三年。", asked)
    minimum = "What is the minimum age for a platform to use facial recognition?"
    assert not states(Kind.NUMBER, "The group has used three senior employees.", minimum)


def test_how_long_something_is_kept_is_not_how_often_it_is_done() -> None:
    kept = "How long must a platform keep user identity information?"
    assert not states(Kind.PERIOD, "平台应当每年度发布个人信息保护社会责任报告。", kept)
    assert states(Kind.PERIOD, "相关资料保存期限不少于5年。", kept)
    took = "How long does a data export security assessment take?"
    assert not states(Kind.PERIOD, "（二）处理重要数据的目的、种类、存储期限、存储地点等；", took)
    assert states(Kind.PERIOD, "评估应当在45个工作日内完成。", took)
    expired = "How long must a dual-use export licence be kept after it expires?"
    assert not states(Kind.PERIOD, "单项许可的有效期不超过1年。", expired)
    lasting = "How long must a provider keep providing security maintenance?"
    assert states(Kind.PERIOD, "在规定或者当事人约定的期限内，不得终止提供安全维护。", lasting)
    often = "重要数据处理者应当多久开展一次风险评估？"
    assert states(Kind.PERIOD, "重要数据的处理者应当每年度开展风险评估。", often)


def test_a_prison_term_is_stated_with_its_kind_of_detention() -> None:
    asked = "What is the maximum prison sentence for illegal exports?"
    assert not states(Kind.PERIOD, "5年内因出口管制违法行为受过行政处罚的。", asked)
    assert states(Kind.PERIOD, "情节较重的，处五日以上十五日以下拘留。", asked)


@pytest.mark.parametrize(
    ("question", "asked"),
    [
        (
            "What is the penalty for a network operator that refuses to delete information?",
            "sanction",
        ),
        ("网络服务不核验用户真实身份的，平台会面临什么处罚？", "sanction"),
        ("与管控名单所列进口商交易的，怎么处罚？", "sanction"),
        ("How are violations of the export rules punished?", "sanction"),
        ("What must network operators do when personal information leaks?", "obligation"),
        ("数据交易中介机构在撮合交易时需要履行哪些义务？", "obligation"),
        ("数据处理者发生数据安全事件时应当怎么做？", "obligation"),
        ("泄露用户个人信息的，公司要负什么责任？", "sanction"),
        # 对 X 负什么责任: what its holder answers for, a duty (负总责), not a penalty.
        ("运营者的主要负责人对关键信息基础设施安全保护负什么责任？", None),
        ("运营者的主要负责人负什么责任？", None),  # so does a person in charge's
        ("Is there a penalty for late filing?", None),  # yes/no
        ("Which permit does a provider need?", None),
    ],
)
def test_questions_asking_for_a_sanction_or_a_duty(question: str, asked: str | None) -> None:
    assert asks_sanction(question) is (asked == "sanction")
    assert asks_obligation(question) is (asked == "obligation")


def test_sentences_that_state_a_sanction_or_a_duty() -> None:
    assert sanctions("由有关主管部门责令改正，处一万元以上十万元以下罚款。")
    assert sanctions("Violators face a civil penalty and denial of export privileges.")
    assert not sanctions("个人有权要求网络运营者删除其个人信息。")
    assert sanctions("任何组织和个人不执行、不配合实施反制措施的，依法追究法律责任。")
    assert obliges("网络运营者应当采取技术措施。") and obliges("Exporters shall keep records.")
    assert not obliges("Exporters shall not ship the items.") and not obliges("个人有权要求删除。")


def test_a_validity_is_stated_as_one() -> None:
    asked = "电信业务经营许可证的有效期是几年？"
    assert not states(Kind.PERIOD, "应当提前90日向原颁发许可证的机关提出申请。", asked)
    assert states(Kind.PERIOD, "单项许可的有效期不超过1年。", asked)


@pytest.mark.parametrize(
    ("question", "asked"),
    [
        ("个人信息保护影响评估报告需要报送哪个部门备案？", True),
        ("在关键信息基础设施保护方面，由哪个国务院部门牵头指导和监督？", True),
        ("Which Chinese agency approves the export of rare earth technology?", True),
        ("Which court has jurisdiction over cross-border data disputes?", False),  # COURT
        ("两用物项出口经营者应当向谁申请出口许可？", True),
        ("To whom must an exporter apply for a licence?", True),
        ("Which permit does a provider need?", False),
        ("Who may process geodata sent back from connected vehicles?", False),
        ("Is the department required to publish its decision?", False),  # yes/no
    ],
)
def test_questions_asking_which_authority(question: str, asked: bool) -> None:
    assert asks_authority(question) is asked


def test_sentences_that_name_an_authority() -> None:
    assert names_authority("由国家网信部门会同国务院有关部门制定。")
    assert names_authority("BIS may inform persons by specific notice.")
    assert not names_authority("个人信息保护影响评估报告和处理情况记录应当至少保存三年。")


def test_questions_asking_who_leads_a_body() -> None:
    assert asks_leader("Who chairs the anti-foreign sanctions coordination mechanism?")
    assert asks_leader("Who is the current head of the Bureau of Industry and Security?")
    assert asks_leader("反外国制裁工作协调机制由谁牵头？")
    assert not asks_leader("Who may process geodata sent back from connected vehicles?")


def test_a_personal_attribute_asked_must_be_named_by_the_passage() -> None:
    article = "个人信息处理者应当指定个人信息保护负责人，负责对个人信息处理活动进行监督。"
    asked = "Must the personal information protection officer be a Chinese citizen?"
    assert not asked_attributes_named(asked, article)
    assert asked_attributes_named(asked, "负责人应当具有中华人民共和国国籍。")
    assert not asked_attributes_named("负责人需要具备什么学历？", article)
    assert not asked_attributes_named("数据安全负责人需要什么资质？", article)
    assert asked_attributes_named("What must the officer do?", article)  # none asked
    assert asked_attributes_named("How is the degree of harm assessed?", article)
    assert asked_attributes_named("Can Chinese citizens sue the processor?", article)  # actors


def test_questions_asking_which_licence_is_needed() -> None:
    from assistant.answering.answer_type import LICENCE

    assert LICENCE.asked_by("Which permit does a provider need in China to offer IaaS?")
    assert LICENCE.asked_by("增值电信业务覆盖多个省份的，需要取得什么许可证？")
    assert not LICENCE.asked_by("Is a licence needed to export 3A090 items?")  # yes/no
    assert LICENCE.stated_by("须经国务院信息产业主管部门审查批准，取得《基础电信业务经营许可证》。")
    assert not LICENCE.stated_by("并可以吊销相关业务许可证或者吊销营业执照。")


def test_an_authority_the_question_names_does_not_answer_which_authority() -> None:
    from assistant.answering.answer_type import AUTHORITY

    assert AUTHORITY.asked_by("Who makes the rules for protecting military data?")
    assert AUTHORITY.asked_by("重要数据目录由谁制定？")

    asked = "Which BIS office reviews § 744.23 license applications?"
    assert AUTHORITY.asked_by(asked)
    assert not AUTHORITY.stated_by("BIS may inform persons that a license is required.", asked)
    assert AUTHORITY.stated_by("The Office of Exporter Services reviews them.", asked)
    # A kind of body the question asks for (哪个部门) still counts in the answer.
    kind = "国务院哪个部门负责两用物项出口管制？"
    assert AUTHORITY.stated_by("国务院商务主管部门负责两用物项出口管制工作", kind)


def test_a_which_court_question_needs_a_court() -> None:
    from assistant.answering.answer_type import COURT, asks_authority

    asked = "出口管制法规定的出口经营者资格认定由哪个法院审理争议？"
    assert COURT.asked_by(asked) and not asks_authority(asked)
    assert not COURT.stated_by("军品出口专营资格由国家军品出口管制管理部门审查批准。")
    assert COURT.stated_by("我国公民、组织可以依法向人民法院提起诉讼。")


_KEPT = "个人信息保护影响评估报告和处理情况记录应当至少保存三年。"
_STATE = "公司中国有股权或者股份不少于51%；"
_DAILY = "What is the maximum daily fine?"
_PUBLISHED = "When did BIS publish the rule?"


@pytest.mark.parametrize(
    ("kind", "sentence", "question", "stated"),
    [
        # whose share a percentage is
        ("percent", _STATE, "What percentage of foreign ownership?", False),
        ("percent", "外资股比不得超过50%。", "What percentage of foreign ownership?", True),
        ("percent", _STATE, "国有股权比例是百分之几？", True),
        # a count of time in the unit asked
        ("period", "自收到报告之日起3个月内完成重新认定。", "For how many hours?", False),
        ("period", "每年培训时长不少于40小时。", "For how many hours?", True),
        ("period", "应当在提供服务之日起十个工作日内填报。", "要在多少天内完成备案？", True),
        ("period", "within 45 working days", "How many working days does it take?", True),
        # a daily amount, a late fee
        ("money", "处一万元以上十万元以下罚款。", _DAILY, False),
        ("money", "逾期不改正的，按日连续处以一万元罚款。", _DAILY, True),
        (
            "money",
            "可以按照所欠费用每日加收3‰的违约金。",
            "How much is the late fee per day?",
            True,
        ),
        # a retention period answers a question about keeping only
        ("period", _KEPT, "What is the reporting deadline for a breach?", False),
        ("period", _KEPT, "How long must assessment records be kept?", True),
        ("period", _KEPT, "How long must assessment records be maintained?", True),
        # "may" is a month only beside a day or a year
        ("date", "BIS may inform persons by specific notice.", _PUBLISHED, False),
        ("date", "The rule was published on May 5, 2023.", _PUBLISHED, True),
        ("date", "It took effect on 5 May.", _PUBLISHED, True),
        # a list item's marker numbers the item, it states no count
        ("number", "(4) the high technical standards in its growth.", "How many employees?", False),
        ("number", "(4) entities with 50 employees or fewer.", "How many employees?", True),
    ],
)
def test_a_value_is_stated_only_as_the_one_asked(
    kind: str, sentence: str, question: str, stated: bool
) -> None:
    assert states(Kind(kind), sentence, question) is stated


def test_keeping_a_record_is_not_keeping_what_it_records() -> None:
    records = "向其他网络数据处理者提供、委托处理个人信息和重要数据的处理情况记录，应当至少保存3年。"
    asked = "How long must network data processors keep personal information?"
    assert not states(Kind.PERIOD, records, asked)
    assert states(Kind.PERIOD, records, "个人信息处理情况记录要保存几年？")
    assert states(Kind.PERIOD, "按照规定留存相关的网络日志不少于六个月", "How long must logs be kept?")
    assert states(Kind.PERIOD, "相关资料，保存期限不少于5年。", "出口经营者应当保存相关资料多长时间？")


def test_regularly_answers_how_often_only_when_nothing_says_how_often() -> None:
    often = "How often must a processor of important data carry out a risk assessment?"
    regular = "重要数据的处理者应当按照规定对其数据处理活动定期开展风险评估"
    assert not states(Kind.PERIOD, regular, often)
    assert states(Kind.PERIOD, regular, often, vague=True)
    assert not states(Kind.PERIOD, regular, "How long must logs be kept?", vague=True)


def test_an_exemption_from_liability_states_no_sanction() -> None:
    from assistant.answering.answer_type import SANCTION

    assert not SANCTION.stated_by("The court ruled that the platform bore no liability.")
    assert not SANCTION.stated_by("有下列情形之一的，医疗机构不承担赔偿责任：")
    assert SANCTION.stated_by("The provider is liable for the harm.")
    assert SANCTION.stated_by("网络服务提供者应当承担侵权责任。")


def test_a_contact_question_needs_a_number_or_an_address() -> None:
    from assistant.answering.answer_type import CONTACT

    assert CONTACT.asked_by("What is Shi Yuhang's phone number?")
    assert CONTACT.asked_by("律师的邮箱是什么？")
    assert CONTACT.stated_by("He can be contacted by phone at +86 21 5237 0950.")
    assert CONTACT.stated_by("E-mail: yuhang.shi@huiyelaw.com")
    assert not CONTACT.stated_by("Shi Yuhang is a partner at Hui Ye Law Firm.")


def test_a_sum_spent_answers_only_how_much_was_spent() -> None:
    spent = "How much did the US government spend on enforcing chip controls?"
    assert expected_kind(spent) is Kind.MONEY
    assert not states(Kind.MONEY, "Al-Galaxy charges $10 for one-hour access.", spent)
    assert states(Kind.MONEY, "Shenzhen University spent approximately $27,996.", spent)


@pytest.mark.parametrize(
    ("question", "whole_law"),
    [
        ("What is the maximum fine under the Cybersecurity Law?", True),
        ("What is the maximum PIPL fine?", True),
        ("What is the maximum fine under the Critical Information Infrastructure regulations?", True),
        ("个人信息保护法最高罚多少钱？", True),
        ("数据安全法最多罚多少？", True),
        # A fine for one act: the top tier of that act's article, not of the law.
        ("违反个人信息保护法处理个人信息，情节严重的，最高罚款多少？", False),
        (
            "What is the maximum fine under the Data Security Law for refusing to provide data "
            "to public security organs?",
            False,
        ),
    ],
)
def test_questions_asking_for_the_largest_fine_of_a_whole_law(question: str, whole_law: bool) -> None:
    from assistant.answering.answer_type import asks_law_maximum

    assert asks_law_maximum(question) is whole_law


def test_a_when_must_question_asks_for_the_condition() -> None:
    from assistant.answering.answer_type import CONDITION

    assert CONDITION.asked_by("When must an impact assessment be carried out?")
    assert CONDITION.asked_by("在什么情况下需要进行个人信息保护影响评估？")
    assert not CONDITION.asked_by("When does the PIPL take effect?")
    assert CONDITION.stated_by("有下列情形之一的，个人信息处理者应当事前进行个人信息保护影响评估")
    assert CONDITION.stated_by("发生重大网络安全事件时，运营者应当报告。")
    assert not CONDITION.stated_by("个人信息保护影响评估应当包括下列内容：")


def test_a_retention_period_named_in_a_list_states_no_deadline() -> None:
    question = "What is the time limit to notify individuals of a breach under the PIPL?"
    listed = "（二）个人信息的处理目的、处理方式，处理的个人信息种类、保存期限；"
    assert not states(Kind.PERIOD, listed, question)
    assert states(Kind.PERIOD, "（二）个人信息的保存期限；", "个人信息的保存期限应当告知吗？多久？")


def test_how_many_counts_a_thing_named_with_a_model_number() -> None:
    """"How many A100 chips": the thing is "A100 chips", not the letter "a"."""
    question = "How many A100 chips did the USTC Suzhou institute buy?"
    sentence = "USTC listed a tender for 500 cloud servers, each with eight Nvidia A100 chips."
    assert states(Kind.NUMBER, sentence, question)
    assert not states(Kind.NUMBER, "USTC listed a tender for 500 cloud servers.", question)
