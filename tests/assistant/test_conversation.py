from assistant.conversation import condense
from assistant.models import Turn

HISTORY = [
    Turn(question="网络安全法第二十一条规定了什么？", answer="…", doc_ids=["cn/网络安全法.md"])
]


def test_standalone_question_is_left_alone() -> None:
    c = condense(
        "Which permit does an IaaS provider need in China to offer computing power?", HISTORY
    )
    assert not c.used_history and c.context_doc_ids == ()


def test_follow_up_carries_the_earlier_question_and_its_documents() -> None:
    c = condense("and what about Article 22?", HISTORY)
    assert c.used_history
    assert "第二十一条" in c.query and "Article 22" in c.query
    assert c.context_doc_ids == ("cn/网络安全法.md",)


def test_no_history_means_no_change() -> None:
    assert condense("and what about Article 22?", []).query == "and what about Article 22?"
