"""The eval dataset loader, and the bundled dev set it guards.

A case is useful only if its gold evidence is really in the corpus, so the dev set is loaded
against the real corpus, and every kind of broken case is built in a temporary corpus to
check that it is reported on its own line and kept out of scoring.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from evals.dataset import (
    DEV_DATASET,
    CorpusIndex,
    Dataset,
    DatasetError,
    EvalCase,
    collapse_whitespace,
    load_dataset,
    parse_case,
    resolve_source,
)

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
CJK = re.compile(r"[\u4e00-\u9fff]")


def has_cjk(text: str) -> bool:
    return bool(CJK.search(text))


# --- the bundled dev set ------------------------------------------------------------------


@pytest.fixture(scope="module")
def dev() -> Dataset:
    return load_dataset(DEV_DATASET, CORPUS)


def test_the_probe_set_loads_without_problems() -> None:
    probes = load_dataset(DEV_DATASET.with_name("probes.jsonl"), CORPUS)
    assert [str(p) for p in probes.problems] == []
    assert sum(not c.answerable for c in probes.cases) >= 30


def test_dev_set_loads_without_problems(dev: Dataset) -> None:
    assert [str(p) for p in dev.problems] == []
    assert len(dev.cases) >= 80


def test_dev_set_mix(dev: Dataset) -> None:
    n = len(dev.cases)
    assert len(dev.unanswerable) / n >= 0.15
    assert sum(case.multi_document for case in dev.cases) >= 8
    tags = dev.tag_counts()
    assert tags.get("cross-lingual", 0) >= 12
    assert tags.get("numbers", 0) >= 10
    assert tags.get("negation", 0) >= 5


def test_dev_set_covers_every_corpus_document(dev: Dataset) -> None:
    cited = {source for case in dev.cases for source in case.gold_sources}
    corpus_docs = {
        p.relative_to(CORPUS).as_posix()
        for p in CORPUS.rglob("*")
        if p.is_file() and p.suffix in (".md", ".txt") and p.name != "SOURCES.md"
    }
    assert corpus_docs - cited == set()


def test_dev_set_tags_match_the_cases(dev: Dataset) -> None:
    """Structural tags must be true of the case, or per-tag metrics would lie."""
    for case in dev.cases:
        tags = set(case.tags)
        zh_question = has_cjk(case.question)
        assert ("zh" in tags) == zh_question and ("en" in tags) != zh_question, case.id
        assert ("unanswerable" in tags) == (not case.answerable), case.id
        assert ("multi-doc" in tags) == case.multi_document, case.id
        if case.answerable:
            crosses = any(has_cjk(q) != zh_question for q in case.gold_quotes)
            assert ("cross-lingual" in tags) == crosses, case.id


def test_dev_set_quotes_are_short_single_line_passages(dev: Dataset) -> None:
    for case in dev.cases:
        for quote in case.gold_quotes:
            assert 10 <= len(quote) <= 120, (case.id, quote)
            assert "\n" not in quote and "\\" not in quote, (case.id, quote)
        assert case.reference_answer.strip(), case.id


def test_dev_set_holds_the_agreed_anchor_cases(dev: Dataset) -> None:
    by_question = {case.question: case for case in dev.cases}
    iaas = by_question[
        "Which permit does a provider need in China to offer IaaS computing power services?"
    ]
    assert iaas.gold_sources == ("seeds/000_86c7fe4535ba33b1.txt",)
    assert any("B11" in q for q in iaas.gold_quotes)
    tiers = by_question["网络运营者应当按照网络安全等级保护制度的要求履行哪些安全保护义务？"]
    assert tiers.gold_sources == ("cn-regulations/网络安全法(2016-11-07).md",)
    text = (CORPUS / tiers.gold_sources[0]).read_text(encoding="utf-8")
    article_21 = text[text.index("第二十一条") : text.index("第二十二条")]
    assert all(q in article_21 for q in tiers.gold_quotes)
    jaywalking = by_question["What is the penalty for jaywalking in Paris?"]
    assert not jaywalking.answerable and not jaywalking.gold_sources


def test_dev_set_ids_are_unique_and_ordered(dev: Dataset) -> None:
    ids = [case.id for case in dev.cases]
    assert len(set(ids)) == len(ids)
    assert [case.line for case in dev.cases] == sorted(case.line for case in dev.cases)


# --- a small corpus of our own --------------------------------------------------------------


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    root = tmp_path / "corpus"
    (root / "laws").mkdir(parents=True)
    (root / "news").mkdir()
    (root / "laws" / "cyber.md").write_text(
        "# Cyber law\n\nArticle 21. Operators shall keep network logs for\n"
        "not less than   six months.\n",
        encoding="utf-8",
    )
    (root / "laws" / "same.md").write_text("# A\n\nFirst document named same.\n", "utf-8")
    (root / "news" / "same.md").write_text("# B\n\nSecond document named same.\n", "utf-8")
    (root / "news" / "cloud.txt").write_text(
        "The firm charges \\$10 for one-hour access to eight chips.\n", encoding="utf-8"
    )
    (root / "NOTES.md").write_text("Internal notes, not a document.\n", encoding="utf-8")
    (root / ".complyqaignore").write_text("NOTES.md\n", encoding="utf-8")
    return root


def good(case_id: str, **changes: object) -> dict[str, object]:
    case: dict[str, object] = {
        "id": case_id,
        "question": "How long must network logs be kept?",
        "answerable": True,
        "gold_sources": ["laws/cyber.md"],
        "gold_quotes": ["not less than six months"],
        "reference_answer": "At least six months.",
        "tags": ["en", "numbers"],
    }
    case.update(changes)
    return case


def write_lines(path: Path, lines: list[object]) -> Path:
    rendered = [line if isinstance(line, str) else json.dumps(line) for line in lines]
    path.write_text("\n".join(rendered) + "\n", encoding="utf-8")
    return path


def messages_by_line(dataset: Dataset) -> dict[int, str]:
    found: dict[int, str] = {}
    for problem in dataset.problems:
        found[problem.line] = (found.get(problem.line, "") + " | " + problem.message).strip(" |")
    return found


def test_each_broken_case_is_reported_on_its_line_and_left_out(
    corpus: Path, tmp_path: Path
) -> None:
    path = write_lines(
        tmp_path / "set.jsonl",
        [
            good("c1"),
            good("c2", gold_quotes=["not less than three months"]),
            good("c1", question="Same id again?"),
            good("c4", gold_sources=["laws/missing.md"]),
            good("c5", gold_sources=["same.md"]),
            '{"id": "c6", "question": "broken"',
            good("c7", gold_quotes=[]),
            good("c8", answerable=False),
            good("c9", gold_source=["laws/cyber.md"]),
            good("c10", gold_sources=["NOTES.md"]),
            good("c11", question="   "),
        ],
    )
    dataset = load_dataset(path, corpus)
    assert [case.id for case in dataset.cases] == ["c1"]
    found = messages_by_line(dataset)
    assert set(found) == {2, 3, 4, 5, 6, 7, 8, 9, 10, 11}
    assert "gold quote 'not less than three months' is not in the normalized text" in found[2]
    assert "duplicate id 'c1' (first used on line 1)" in found[3]
    assert "'laws/missing.md' is not a document of the corpus" in found[4]
    assert "'same.md' is ambiguous" in found[5]
    assert "laws/same.md" in found[5] and "news/same.md" in found[5]
    assert found[6].startswith("invalid JSON")
    assert "answerable case needs at least one gold quote" in found[7]
    assert "unanswerable case must have empty gold_sources and gold_quotes" in found[8]
    assert "unknown field(s): gold_source" in found[9]
    assert "'NOTES.md' is not ingested (matched by .complyqaignore)" in found[10]
    assert "field 'question' must be a non-empty string" in found[11]
    problem = next(p for p in dataset.problems if p.line == 3)
    assert problem.case_id == "c1"
    assert str(problem).startswith("line 3 (c1): duplicate id")


def test_a_bare_file_name_resolves_to_the_document_id(corpus: Path, tmp_path: Path) -> None:
    path = write_lines(tmp_path / "set.jsonl", [good("b1", gold_sources=["cyber.md"])])
    dataset = load_dataset(path, corpus)
    assert dataset.problems == []
    assert dataset.cases[0].gold_sources == ("laws/cyber.md",)


def test_a_missing_bare_name_is_reported(corpus: Path, tmp_path: Path) -> None:
    path = write_lines(tmp_path / "set.jsonl", [good("b2", gold_sources=["nowhere.md"])])
    (problem,) = load_dataset(path, corpus).problems
    assert problem.line == 1 and "'nowhere.md' matches no file in the corpus" in problem.message


def test_quotes_are_checked_against_normalized_text(corpus: Path, tmp_path: Path) -> None:
    """The file says `\\$10` and `than   six`; the normalized text, and so the quote, do not."""
    path = write_lines(
        tmp_path / "set.jsonl",
        [
            good("n1", gold_sources=["news/cloud.txt"], gold_quotes=["charges $10 for one-hour"]),
            good("n2", gold_quotes=["keep network logs for not less than six months"]),
            good("n3", gold_quotes=["keep network logs for\nnot  less than six months"]),
        ],
    )
    dataset = load_dataset(path, corpus)
    assert dataset.problems == []
    assert [case.id for case in dataset.cases] == ["n1", "n2", "n3"]


def test_a_quote_may_come_from_any_of_the_gold_documents(corpus: Path, tmp_path: Path) -> None:
    path = write_lines(
        tmp_path / "set.jsonl",
        [
            good(
                "m1",
                gold_sources=["laws/cyber.md", "cloud.txt"],
                gold_quotes=["network logs for not less", "one-hour access to eight chips"],
                tags=["en", "multi-doc"],
            )
        ],
    )
    (case,) = load_dataset(path, corpus).cases
    assert case.gold_sources == ("laws/cyber.md", "news/cloud.txt")
    assert case.multi_document


def test_unanswerable_cases_load_without_evidence(corpus: Path, tmp_path: Path) -> None:
    path = write_lines(
        tmp_path / "set.jsonl",
        ["", good("u1", answerable=False, gold_sources=[], gold_quotes=[], tags=["unanswerable"])],
    )
    dataset = load_dataset(path, corpus)
    assert dataset.problems == []
    assert dataset.unanswerable == dataset.cases
    assert dataset.cases[0].line == 2  # blank lines are skipped but still counted
    assert dataset.tag_counts() == {"unanswerable": 1}


def test_an_unreadable_dataset_raises_a_dataset_error(corpus: Path, tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="does not exist"):
        load_dataset(tmp_path / "nope.jsonl", corpus)
    latin1 = tmp_path / "latin1.jsonl"
    latin1.write_bytes('{"question": "café"}\n'.encode("latin-1"))
    with pytest.raises(DatasetError, match="not UTF-8"):
        load_dataset(latin1, corpus)
    with pytest.raises(DatasetError, match="is a folder"):
        load_dataset(tmp_path, corpus)
    with pytest.raises(DatasetError, match="Corpus folder"):
        load_dataset(write_lines(tmp_path / "ok.jsonl", [good("x")]), tmp_path / "no-corpus")


# --- the pure pieces ------------------------------------------------------------------------


def test_parse_case_names_every_wrong_field() -> None:
    case, errors = parse_case(
        {"id": 7, "question": "Q?", "answerable": "yes", "gold_sources": "a.md", "gold_quotes": []}
    )
    assert case is None
    assert "field 'id' must be a non-empty string" in errors
    assert "field 'answerable' must be true or false" in errors
    assert "field 'gold_sources' must be a list of strings" in errors


def test_parse_case_reports_missing_fields_and_non_objects() -> None:
    assert parse_case(["q"])[1] == ["expected a JSON object, got list"]
    case, errors = parse_case({"id": "a", "question": "Q?"})
    assert case is None
    assert errors == ["missing required field(s): answerable, gold_sources, gold_quotes"]


def test_parse_case_builds_an_eval_case() -> None:
    case, errors = parse_case(good("p1"), line=4)
    assert errors == []
    assert case == EvalCase(
        id="p1",
        question="How long must network logs be kept?",
        answerable=True,
        gold_sources=("laws/cyber.md",),
        gold_quotes=("not less than six months",),
        reference_answer="At least six months.",
        tags=("en", "numbers"),
        line=4,
    )


def test_resolve_source() -> None:
    index = CorpusIndex.from_ids(["a/x.md", "b/x.md", "a/y.md"], {"NOTES.md": "ignored"})
    assert resolve_source("a/x.md", index) == ("a/x.md", None)
    assert resolve_source("y.md", index) == ("a/y.md", None)
    assert "ambiguous" in (resolve_source("x.md", index)[1] or "")
    assert "not ingested (ignored)" in (resolve_source("NOTES.md", index)[1] or "")
    assert "matches no file" in (resolve_source("z.md", index)[1] or "")


def test_collapse_whitespace() -> None:
    assert collapse_whitespace("  a \n\t b   c ") == "a b c"
    assert collapse_whitespace("第二十一条\u3000国家") == "第二十一条 国家"
