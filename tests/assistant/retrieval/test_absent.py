"""Names a question gives that nothing indexed holds (assistant/retrieval/absent.py)."""

from __future__ import annotations

import pytest

from assistant.retrieval.absent import absent_names, absent_versions

TITLES = ["中华人民共和国网络安全法", "中华人民共和国个人信息保护法", "Title 15 § 744.23"]
VOCABULARY = {"ear", "bis", "iaas", "ear act", "a100", "3a090"}


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
        # Statute titles: held by an indexed title or passage, or known to the glossary.
        ("Under the EU AI Act, what must providers of AI models do?", ("EU AI Act",)),
        (
            "Does Hong Kong's Personal Data (Privacy) Ordinance restrict transfers?",
            ("Personal Data (Privacy) Ordinance",),
        ),
        ("Does the EAR Act apply?", ()),  # its words meet in a passage (here: the vocabulary)
        # The glossary's 民法典, not indexed here: said once, by the laws table's rule.
        ("Under China's Civil Code, who is liable?", ("Civil Code",)),
        ("What Act governs cloud access?", ()),  # a word that opens the question is no name
        # Codes: held as written, in the plural, or with a paragraph letter; quantities are none.
        ("What were Nvidia's H20 chip sales to China in 2024?", ("H20",)),
        ("英伟达H800芯片能否出口？", ("H800",)),
        ("Can a cloud rent out A100s covered by 3A090.a?", ()),
        ("Do 5G networks with 100MB links need a licence in the 10th year?", ()),
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


CSL = "cn-regulations/网络安全法(2016-11-07).md"
TELECOM = "cn-regulations/电信条例(2016-02-06).md"
MANIFEST = {
    CSL: {
        "title": "中华人民共和国网络安全法",
        "date": "2016-11-07",
        "effective_from": "2017-06-01",
    },
    TELECOM: {"title": "中华人民共和国电信条例", "date": "2016-02-06"},
    "seeds/a.txt": {"title": "An article", "date": ""},
}


@pytest.mark.parametrize(
    ("question", "named", "missing"),
    [
        (
            "2025年修订后的《网络安全法》把最高罚款提高到了多少？",
            (CSL,),
            ("the 2025 version of 中华人民共和国网络安全法 (indexed: the text of 2016-11-07)",),
        ),
        (
            "What did the 2025 amendment to China's Cybersecurity Law change?",
            (CSL,),
            ("the 2025 version of 中华人民共和国网络安全法 (indexed: the text of 2016-11-07)",),
        ),
        ("What does the Cybersecurity Law as amended in 2025 require?", (CSL,), ("the 2025",)),
        # Held: the indexed text is that version or a later one.
        ("《电信条例》2016年修订具体修改了哪些条款？", (TELECOM,), ()),
        ("What did the 2017 revision of the Cybersecurity Law say?", (CSL,), ()),
        # A year that names no version, a question naming no document, an undated document.
        ("What fines were imposed under the Cybersecurity Law in 2025?", (CSL,), ()),
        ("What did the 2025 amendment change?", (), ()),
        ("What did the 2025 revision of the article say?", ("seeds/a.txt",), ()),
    ],
)
def test_a_version_newer_than_every_indexed_text_is_absent(
    question: str, named: tuple[str, ...], missing: tuple[str, ...]
) -> None:
    found = absent_versions(question, named, MANIFEST)
    assert len(found) == len(missing)
    assert all(f.startswith(m) for f, m in zip(found, missing, strict=True))


def test_two_indexed_versions_hold_the_newer_one() -> None:
    manifest = {
        **MANIFEST,
        "cn/网络安全法(2025-10-28).md": {"title": "中华人民共和国网络安全法", "date": "2025-10-28"},
    }
    named = (CSL, "cn/网络安全法(2025-10-28).md")
    assert absent_versions("2025年修正的《网络安全法》规定了什么？", named, manifest) == ()


# -- paragraphs of an indexed section -------------------------------------------------------

SECTION_734_9 = {
    "734.9": [
        "§ 734.9 Foreign-Direct Product (FDP) Rules. > (a)\n(a) *Definitions.* …",
        "§ 734.9 Foreign-Direct Product (FDP) Rules. > (b)\n(b) *National Security FDP rule.*\n"
        "(1) *Product scope.* …\n(i) *Direct product of technology.* …",
        "§ 734.9 Foreign-Direct Product (FDP) Rules. > (g)\n(g) *Russia/Belarus-Military …",
        # Run together: a paragraph that opens mid-line with its italic title.
        "… of this section. (j) *Another rule.* A foreign-produced item … see paragraph (k).",
    ]
}


def paragraphs(question: str) -> tuple[str, ...]:
    from assistant.retrieval.absent import absent_paragraphs
    from ingest.legal_refs import find_article_refs

    return absent_paragraphs(find_article_refs(question), lambda n: SECTION_734_9.get(n, []))


@pytest.mark.parametrize(
    ("question", "missing"),
    [
        ("What is the product scope of the rule in § 734.9(h)?", ("§ 734.9(h)",)),
        ("What does § 734.9(h)(1)(ii) cover?", ("§ 734.9(h)",)),
        ("What does Section 734.9(m) say?", ("§ 734.9(m)",)),
        # Indexed paragraphs, at any depth.
        ("What does § 734.9(b)(1) require?", ()),
        ("What does § 734.9(g) cover?", ()),
        ("What does § 734.9(j) cover?", ()),
        # Merely referred to ("see paragraph (k)") is not indexed.
        ("What does § 734.9(k)(2) cover?", ("§ 734.9(k)",)),
        # (i) and (v) also number deeper items: their absence proves nothing.
        ("What does § 734.9(i) say?", ()),
        # A section the sources only refer to is not judged here, nor a section without a
        # paragraph, nor a Chinese article.
        ("What does § 740.6(a) allow?", ()),
        ("What does § 734.9 cover?", ()),
        ("网络安全法第二十一条第三项是什么？", ()),
    ],
)
def test_a_paragraph_the_indexed_section_lacks_is_absent(
    question: str, missing: tuple[str, ...]
) -> None:
    assert paragraphs(question) == missing


def test_a_law_title_nothing_indexed_holds_is_absent_unless_it_only_says_whose_law() -> None:
    held = ("中华人民共和国网络安全法",)
    never = lambda _: False  # noqa: E731
    missing = absent_names(
        "What is the maximum penalty under China's Anti-Monopoly Law?", held, never
    )
    assert missing == ("Anti-Monopoly Law",)
    assert absent_names("What does Chinese Law say about encryption exports?", held, never) == ()
    assert absent_names("What fine does the Cybersecurity Law set?", held, never) == ()
