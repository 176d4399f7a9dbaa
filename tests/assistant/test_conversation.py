from assistant.conversation import condense, subject_of, turn_of
from assistant.models import Answer, Citation, Turn

HISTORY = [
    Turn(question="网络安全法第二十一条规定了什么？", answer="…", doc_ids=["cn/网络安全法.md"])
]


def test_standalone_question_is_left_alone() -> None:
    c = condense(
        "Which permit does an IaaS provider need in China to offer computing power?", HISTORY
    )
    assert not c.used_history and c.context_doc_ids == () and c.subject == ""


def test_follow_up_naming_another_article_restates_the_earlier_question() -> None:
    c = condense("and what about Article 22?", HISTORY)
    assert c.used_history
    assert c.query == "网络安全法第二十二条规定了什么？"
    assert c.context_doc_ids == ("cn/网络安全法.md",)
    # The law the earlier question named, not its article, is what the answer must cover.
    assert c.subject == "网络安全法"


def test_english_law_name_puts_that_law_first_among_the_cited_documents() -> None:
    # The first answer cited another regulation's 第二十一条 before the Cybersecurity Law's.
    history = [
        Turn(
            question="What does Article 21 of the Cybersecurity Law require?",
            doc_ids=[
                "cn-regulations/关键信息基础设施安全保护条例(2021-07-30).md",
                "cn-regulations/网络安全法(2016-11-07).md",
                "seeds/000_86c7fe4535ba33b1.txt",
            ],
        )
    ]
    c = condense("and what about Article 22?", history)
    assert c.context_doc_ids[0] == "cn-regulations/网络安全法(2016-11-07).md"
    assert c.query == "What does Article 22 of the Cybersecurity Law require?"
    assert c.subject == "网络安全法"


def test_follow_up_without_an_article_carries_the_earlier_question_as_subject() -> None:
    earlier = "How much did Shenzhen University spend to access A100 and H100 chips via AWS?"
    history = [Turn(question=earlier, answer="… $27,996 … [1]", doc_ids=["seeds/001.txt"])]
    c = condense("Which company did it go through?", history)
    assert c.query == f"Which company did it go through?\n{earlier}"
    assert c.subject == earlier and c.context_doc_ids == ("seeds/001.txt",)


def test_subject_drops_the_articles_a_question_names() -> None:
    assert subject_of("What does Article 21 of the Cybersecurity Law require?") == (
        "What does of the Cybersecurity Law require?"
    )


def test_no_history_means_no_change() -> None:
    assert condense("and what about Article 22?", []).query == "and what about Article 22?"


def test_turn_of_keeps_cited_documents_once_in_citation_order() -> None:
    def cite(marker: int, doc_id: str) -> Citation:
        return Citation(marker=marker, doc_id=doc_id, title="t", start=0, end=1, quote="x")

    answer = Answer(
        question="q", text="a [1] b [2] c [3]", citations=[cite(1, "b"), cite(2, "a"), cite(3, "b")]
    )
    assert turn_of(answer) == Turn(question="q", answer=answer.text, doc_ids=["b", "a"])
