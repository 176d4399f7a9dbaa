from assistant.retrieval.hybrid import named_documents

MANIFEST = {
    "cn-regulations/网络安全法(2016-11-07).md": {"title": "中华人民共和国网络安全法"},
    "cn-regulations/关键信息基础设施安全保护条例(2021-07-30).md": {
        "title": "关键信息基础设施安全保护条例"
    },
    "cn-regulations/个人信息保护法(2021-08-20).md": {"title": "中华人民共和国个人信息保护法"},
    "cn-regulations/互联网信息服务算法推荐管理规定(2021-11-16).md": {
        "title": "互联网信息服务算法推荐管理规定"
    },
    "us-ear/section-744.23.md": {"title": "§ 744.23 Supercomputer end uses"},
}


def test_an_english_law_name_names_that_law_only() -> None:
    assert named_documents("What does Article 21 of the Cybersecurity Law require?", MANIFEST) == (
        "cn-regulations/网络安全法(2016-11-07).md",
    )
    assert named_documents("What is the maximum fine under PIPL?", MANIFEST) == (
        "cn-regulations/个人信息保护法(2021-08-20).md",
    )
    assert named_documents("Do the Algorithm Recommendation Provisions apply?", MANIFEST) == (
        "cn-regulations/互联网信息服务算法推荐管理规定(2021-11-16).md",
    )


def test_chinese_titles_and_section_numbers_still_name_documents() -> None:
    assert named_documents("网络安全法第二十一条", MANIFEST) == (
        "cn-regulations/网络安全法(2016-11-07).md",
    )
    assert named_documents("What does § 744.23 prohibit?", MANIFEST) == (
        "us-ear/section-744.23.md",
    )


def test_an_abbreviation_counts_only_as_a_whole_upper_case_word() -> None:
    assert named_documents("the csl team and pipline", MANIFEST) == ()


def test_a_passage_carries_its_document_s_publisher() -> None:
    """The sidecar's `publisher` (stored on each chunk as `x_publisher`) reaches the passage,
    where the verifier and the answer layer read it as part of the passage's evidence."""
    from assistant.retrieval.hybrid import chunk_to_passage
    from ingest.records import StoredChunk

    meta = {"doc_id": "seeds/a.txt", "title": "A", "start": 0, "end": 4, "x_publisher": "FT"}
    assert chunk_to_passage(StoredChunk("seeds/a.txt::h::0", "text", meta), 0.1).publisher == "FT"
    del meta["x_publisher"]
    assert chunk_to_passage(StoredChunk("seeds/a.txt::h::0", "text", meta), 0.1).publisher is None


def test_aliases_from_metadata_name_every_document_that_has_them() -> None:
    aliased = {"aliases": "EAR; Export Administration Regulations; 美国出口管制条例"}
    manifest = {
        "us-ear/section-744.6.md": {
            "title": "§ 744.6 U.S. persons",
            "x_aliases": aliased["aliases"],
        },
        "us-ear/section-734.9.md": {"title": "§ 734.9 FDP rules", "x_aliases": aliased["aliases"]},
        "cn-regulations/数据安全法(2021-06-10).md": {"title": "中华人民共和国数据安全法"},
    }
    both = ("us-ear/section-734.9.md", "us-ear/section-744.6.md")
    assert named_documents("What is the penalty under the EAR?", manifest) == both
    assert named_documents("Does the Export Administration Regulations cover it?", manifest) == both
    assert named_documents("What did he hear this year?", manifest) == ()
    # A Chinese alias stands inside running text, as Chinese titles do.
    assert named_documents("美国出口管制条例对加密物项有哪些许可例外？", manifest) == both
