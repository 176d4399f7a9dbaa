import pytest

from assistant.retrieval.glossary import Entry, load_glossary, translate, translations

ENTRIES = (
    Entry(("出口管制",), ("export control", "export controls")),
    Entry(("出口",), ("export",)),
    Entry(("罚款",), ("fine", "penalty")),
    Entry(("出口管理条例",), ("EAR",)),
)


def test_chinese_terms_bring_their_english_equivalents_and_the_reverse() -> None:
    assert translations("出口管制的罚款", ENTRIES) == [
        "export control",
        "export controls",
        "export",
        "fine",
        "penalty",
    ]
    assert translations("What penalty applies under the EAR?", ENTRIES) == ["罚款", "出口管理条例"]


def test_acronyms_match_case_sensitively_and_words_whole() -> None:
    assert translations("this year my ear hurts", ENTRIES) == []
    assert translations("fines", ENTRIES) == []


def test_translate_keeps_unknown_terms_and_prefers_the_longest_match() -> None:
    assert translate("jaywalking penalty", ENTRIES).split() == ["jaywalking", "罚款"]
    assert translate("出口管制", ENTRIES).split() == ["export", "control", "export", "controls"]


def test_bundled_glossary_loads() -> None:
    entries = load_glossary()
    assert len(entries) > 100 and all(e.zh and e.en for e in entries)


def test_translations_only_into_the_languages_the_index_holds() -> None:
    assert translations("出口管制的罚款 under the EAR", ENTRIES, into=frozenset({"zh"})) == [
        "出口管理条例"
    ]
    assert (
        translations("What penalty applies under the EAR?", ENTRIES, into=frozenset({"en"})) == []
    )


def test_the_laws_table_expands_english_law_names_into_chinese() -> None:
    from assistant.retrieval.glossary import load_laws

    laws = {law.zh[0]: law.en for law in load_laws()}
    assert "Personal Information Protection Law" in laws["个人信息保护法"]
    assert "个人信息保护法" in translations("What fine does the PIPL allow?")


def test_the_bundled_glossary_reads_apply_as_apply_for_only() -> None:
    """A bare "apply" means 适用 in a question ("Do the rules apply to …?"), not 申请."""
    entries = load_glossary()
    assert "申请" not in translations("Do China's personal information rules apply here?", entries)
    assert "申请" in translations("Must the exporter apply for a licence?", entries)


def test_the_us_entity_list_is_not_china_s_control_list() -> None:
    """管控名单 is the Export Control Law's own list; the US Entity List is 实体清单."""
    entries = load_glossary()
    found = translations("Which companies are on the Entity List?", entries)
    assert "实体清单" in found and "管控名单" not in found
    assert "基础电信业务" in translations("Who may operate basic telecom services?", entries)


def test_common_english_wordings_of_chinese_statute_terms() -> None:
    """ "Processor" is how English questions name the PIPL's 个人信息处理者 (its official
    English says "handler")."""
    entries = load_glossary()
    assert "个人信息处理者" in translations(
        "What must a personal information processor do?", entries
    )
    assert "自动化决策" in translations("Rights on automated decision-making", entries)
    assert "技术资料" in translations("Does the law cover technical data?", entries)
    assert "交纳" in translations("What if a user does not pay telecom fees?", entries)


def test_terms_of_art_of_chinese_data_law_have_their_english() -> None:
    entries = load_glossary()
    assert "境内存储" in translations("Is data localisation required?", entries)
    assert "个人信息保护负责人" in translations(
        "Who must appoint a personal information protection officer?", entries
    )
    assert "背景审查" in translations("Are background checks required?", entries)
    assert "数据交易中介" in translations("What must data brokers do?", entries)
    assert "网络数据处理者" in translations("duties of network data processors", entries)


def test_penalty_clause_and_platform_words_have_their_chinese() -> None:
    entries = load_glossary()
    found = translations("the penalty for refusing to cooperate with an investigation", entries)
    assert "拒不配合" in found
    assert "不正当手段" in translations("a licence obtained by improper means", entries)
    assert "注册用户" in translations("platforms with 50 million registered users", entries)
    assert "指定" in translations("when must an officer be appointed", entries)
    assert "检测" in translations("how often must it be tested", entries)
    assert "备案" in translations("what must a provider file with the CAC", entries)
    assert "发布" in translations("information published by users", entries)


@pytest.mark.parametrize(
    ("question", "chinese"),
    [
        ("Who is liable when an employee causes damage?", {"工作人员", "损害", "承担侵权责任"}),
        ("Is the employer liable?", {"用人单位"}),
        ("the secrecy of communications of telecom users", {"通信秘密"}),
        ("duties of the security management body", {"安全管理机构"}),
        ("an end user certificate", {"证明文件"}),
        ("important data catalogues", {"重要数据目录"}),
        (
            "the fine for the person directly in charge in a serious case",
            {"直接负责的主管人员", "情节严重"},
        ),
        ("a website set up for fraud", {"欺骗", "诈骗", "网站"}),
        ("Who identifies critical information infrastructure?", {"认定"}),
        ("reciprocal measures against countries that abuse export controls", {"对等", "滥用"}),
        ("processing that may affect national security", {"影响国家安全"}),
        ("refusing to provide data to the police", {"拒不"}),
        ("a late fee per day", {"违约金"}),
        ("damages for emotional distress", {"精神损害"}),
    ],
)
def test_wordings_of_english_questions_about_chinese_laws_have_their_chinese(
    question: str, chinese: set[str]
) -> None:
    """Concepts English questions about Chinese laws used and the table lacked (session 16)."""
    assert chinese <= set(translations(question, load_glossary()))


def test_a_data_security_incident_is_not_a_cybersecurity_incident() -> None:
    incident = translate("when a data security incident occurs", load_glossary())
    assert "数据安全事件" in incident and "网络安全事件" not in incident
