"""The versions of an instrument and each text's period in force (pure rules, real file names)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from ingest.errors import DocumentParseError
from ingest.loaders import load_file
from ingest.versions import (
    OPEN_END,
    Status,
    VersionFacts,
    describe,
    facts_of,
    instrument_id,
    version_table,
)

CN_LAWS = Path(__file__).resolve().parents[3] / "shared" / "corpus-large" / "cn-laws"
REPO = Path(__file__).resolve().parents[2]

OLD = "司法解释/最高人民法院关于适用《刑事诉讼法》的解释(2012-12-20).md"
NEW = "司法解释/最高人民法院关于适用《刑事诉讼法》的解释(2021-01-26).md"


def test_versions_of_one_instrument_share_its_id() -> None:
    assert (
        instrument_id(OLD)
        == instrument_id(NEW)
        == "司法解释/最高人民法院关于适用《刑事诉讼法》的解释"
    )
    assert instrument_id("民法典/物权编.md") == "民法典/物权编"
    assert instrument_id("law.md") == "law"


def _info_block(effective: str, closing: str) -> str:
    return f"# 某解释\n\n2020年12月7日 通过\n\n{effective}\n\n<!-- INFO END -->\n\n第一条 甲。\n\n{closing}\n"


def test_effective_date_comes_from_the_text_unless_it_is_an_older_versions() -> None:
    # The info block's 施行 line wins; then the closing article; then the file-name date.
    assert (
        facts_of("a/X(2021-01-26).md", _info_block("2021年3月1日 施行", ""), {}).effective_from
        == "2021-03-01"
    )
    closing = _info_block("", "第九条 本法自2024年7月1日起施行。")
    assert facts_of("a/X(2023-12-29).md", closing, {}).effective_from == "2024-07-01"
    # An amended law still ends with its first text's date: that is not this version's start.
    amended = _info_block("", "第九条 本法自2006年1月1日起施行。")
    assert facts_of("a/X(2018-10-26).md", amended, {}).effective_from == "2018-10-26"
    # Outside a law's info-block format the text is not read for dates (an article may quote one).
    assert facts_of("notes/n.txt", "本法自2021年9月1日起施行。", {}).effective_from is None
    # The sidecar wins over everything.
    stated = facts_of("a/X(2018-10-26).md", amended, {"effective_from": "2019-01-01"})
    assert stated.effective_from == "2019-01-01"


def test_a_malformed_sidecar_date_is_the_users_error_with_a_fix() -> None:
    with pytest.raises(DocumentParseError, match="repealed.*2021-03-01"):
        facts_of("a/X.md", "text", {"repealed": "yes"})


def _facts(doc_id: str, start: str | None, **kw: str) -> VersionFacts:
    return VersionFacts(doc_id=doc_id, instrument=instrument_id(doc_id), effective_from=start, **kw)


def test_a_newer_version_ends_the_older_ones_period() -> None:
    table = version_table(
        [_facts("j/X(2021-01-26).md", "2021-03-01"), _facts("j/X(2012-12-20).md", "2013-01-01")]
    )
    old, new = table["j/X(2012-12-20).md"], table["j/X(2021-01-26).md"]
    assert (old.effective_from, old.effective_to, old.end) == (
        "2013-01-01",
        "2021-03-01",
        Status.SUPERSEDED,
    )
    assert old.superseded_by == "j/X(2021-01-26).md"
    assert (old.valid_from, old.valid_to) == (20130101, 20210301)
    assert (new.effective_to, new.end, new.valid_to) == (None, None, OPEN_END)
    day = dt.date(2015, 6, 1)
    assert old.status_on(day) == Status.IN_FORCE and new.status_on(day) == Status.NOT_YET
    today = dt.date(2026, 11, 30)
    assert old.status_on(today) == Status.SUPERSEDED and new.status_on(today) == Status.IN_FORCE


def test_three_versions_chain_and_a_same_day_correction_is_never_in_force() -> None:
    table = version_table(
        [
            _facts("j/Y(2020-12-29).md", "2020-12-29"),
            _facts("j/Y(2022-04-04).md", "2022-05-01"),
            _facts("j/Y(2022-04-24).md", "2022-05-01"),
        ]
    )
    assert table["j/Y(2020-12-29).md"].effective_to == "2022-05-01"
    corrected = table["j/Y(2022-04-04).md"]
    assert corrected.valid_from == corrected.valid_to  # an empty period: no date retrieves it
    assert table["j/Y(2022-04-24).md"].end is None


def test_sidecar_link_repeal_and_amendment_outside_the_corpus() -> None:
    linked = facts_of("a/old-rules.md", "text", {"superseded_by": "new-rules(2024-01-01).md"})
    assert linked.superseded_by == "a/new-rules(2024-01-01).md"
    table = version_table([linked, facts_of("a/new-rules(2024-01-01).md", "text", {})])
    assert table["a/old-rules.md"].end == Status.SUPERSEDED
    assert table["a/old-rules.md"].effective_to == "2024-01-01"

    repealed = version_table([_facts("a/R(2010-01-01).md", "2010-01-01", repealed="2020-01-01")])
    assert repealed["a/R(2010-01-01).md"].status_on(dt.date(2021, 1, 1)) == Status.REPEALED
    assert repealed["a/R(2010-01-01).md"].valid_to == 20200101  # nothing answers from it after

    # Amended, the amendment not indexed: flagged after the amendment's date, yet still
    # retrievable, since it is the best text the corpus has.
    amended = version_table(
        [
            _facts(
                "a/C(2016-11-07).md",
                "2017-06-01",
                stated_to="2026-01-01",
                note="amended 2025-10-28",
            )
        ]
    )["a/C(2016-11-07).md"]
    assert amended.status_on(dt.date(2026, 11, 30)) == Status.AMENDED
    assert amended.status_on(dt.date(2025, 11, 1)) == Status.IN_FORCE
    assert amended.valid_to == OPEN_END


def test_describe_says_when_a_text_is_not_current() -> None:
    assert describe("superseded", "2013-01-01", "2021-03-01") == (
        "superseded · text in force 2013-01-01 to 2021-03-01"
    )
    assert describe("in_force", "2021-03-01", None) == "in force · since 2021-03-01"
    assert describe(None, None, None) is None
    note = "amended 2025-10-28, amendment not in corpus"
    assert describe("amended_not_in_corpus", "2017-06-01", "2026-01-01", note) == (
        f"{note} · text in force 2017-06-01 to 2026-01-01"
    )


def test_changing_a_sidecar_claim_reindexes_the_document(tmp_path: Path) -> None:
    law = tmp_path / "cn" / "法(2020-01-01).md"
    law.parent.mkdir()
    law.write_text("# 法\n\n第一条 甲。\n", encoding="utf-8")
    plain = load_file(law, tmp_path)[0].content_hash
    sidecar = law.with_name(law.name + ".meta.json")
    sidecar.write_text(json.dumps({"repealed": "2024-01-01"}), encoding="utf-8")
    repealed = load_file(law, tmp_path)[0].content_hash
    sidecar.write_text(json.dumps({"repealed": "2025-01-01"}), encoding="utf-8")
    assert len({plain, repealed, load_file(law, tmp_path)[0].content_hash}) == 3
    sidecar.write_text(json.dumps({"repealed": "soon"}), encoding="utf-8")
    with pytest.raises(DocumentParseError, match="法\\(2020-01-01\\).md"):
        load_file(law, tmp_path)


def test_bundled_cybersecurity_law_is_flagged_as_amended() -> None:
    path = REPO / "corpus" / "cn-regulations" / "网络安全法(2016-11-07).md"
    doc = load_file(path, REPO / "corpus")[0]
    validity = version_table([facts_of(doc.doc_id, doc.text, doc.extra)])[doc.doc_id]
    assert validity.effective_from == "2017-06-01" and validity.effective_to == "2026-01-01"
    assert validity.status_on(dt.date(2026, 11, 30)) == Status.AMENDED
    assert validity.note == "amended 2025-10-28, amendment not in corpus"


@pytest.mark.skipif(
    not CN_LAWS.is_dir(), reason="needs ../shared/corpus-large/cn-laws (not in this checkout)"
)
def test_cn_laws_interpretation_versions_from_the_real_files() -> None:
    docs = [load_file(CN_LAWS / rel, CN_LAWS)[0] for rel in (OLD, NEW)]
    assert [d.doc_id for d in docs] == [OLD, NEW]  # ids are paths relative to the pack root
    table = version_table(facts_of(d.doc_id, d.text, d.extra) for d in docs)
    assert (table[OLD].effective_from, table[OLD].effective_to) == ("2013-01-01", "2021-03-01")
    assert table[NEW].effective_from == "2021-03-01" and table[NEW].end is None
