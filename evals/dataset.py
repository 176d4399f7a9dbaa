"""Evaluation datasets: questions with their gold evidence, checked against the corpus.

A case is worth scoring only if its gold evidence really exists: every gold source must name
exactly one corpus file, and every gold quote must appear in the normalized text of one of
those files (the same text that citations point into). `load_dataset` checks each case,
reports every case that fails with its line number and a message that says what to fix, and
leaves such cases out of `Dataset.cases`; a bad case is never scored and never silently
repaired.

File format (JSON Lines, one case per line)::

    {"id": "q001", "question": "...", "answerable": true,
     "gold_sources": ["seeds/000_86c7fe4535ba33b1.txt"], "gold_quotes": ["B11 permit"],
     "reference_answer": "...", "tags": ["licence"]}

A gold source is a document id (path relative to the corpus folder) or, when unique in the
corpus, a bare file name; `EvalCase.gold_sources` always holds the resolved ids.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ingest.discovery import discover_files
from ingest.errors import ComplyqaError
from ingest.loaders import load_file

__all__ = [
    "DEV_DATASET",
    "CaseProblem",
    "CorpusIndex",
    "Dataset",
    "DatasetError",
    "EvalCase",
    "TextReader",
    "check_case",
    "collapse_whitespace",
    "corpus_text_reader",
    "load_dataset",
    "parse_case",
    "resolve_source",
    "scan_corpus",
    "validate_lines",
]

#: The bundled development set.
DEV_DATASET = Path(__file__).parent / "datasets" / "dev.jsonl"

REQUIRED_FIELDS = ("id", "question", "answerable", "gold_sources", "gold_quotes")
OPTIONAL_FIELDS = ("reference_answer", "tags")

#: Reads the normalized text of one document, given its id; raises `ComplyqaError` on failure.
TextReader = Callable[[str], str]

_WHITESPACE = re.compile(r"\s+")


class DatasetError(ComplyqaError):
    """The dataset file (or the corpus folder it is checked against) cannot be read at all."""


@dataclass(frozen=True)
class EvalCase:
    """One question with the evidence a correct answer must cite (or none, if unanswerable)."""

    id: str
    question: str
    answerable: bool
    gold_sources: tuple[str, ...] = ()  # resolved document ids
    gold_quotes: tuple[str, ...] = ()
    reference_answer: str = ""
    tags: tuple[str, ...] = ()
    line: int = 0  # 1-based line in the dataset file, so reports can point back to it

    @property
    def multi_document(self) -> bool:
        """True when answering needs evidence from two or more documents."""
        return len(self.gold_sources) >= 2


@dataclass(frozen=True)
class CaseProblem:
    """Why one line of a dataset was left out; `case_id` is None when no id could be read."""

    line: int
    case_id: str | None
    message: str

    def __str__(self) -> str:
        who = f" ({self.case_id})" if self.case_id else ""
        return f"line {self.line}{who}: {self.message}"


@dataclass(frozen=True)
class Dataset:
    """The valid cases of a dataset file, and a report on every line that was not valid."""

    path: Path
    cases: list[EvalCase] = field(default_factory=list)
    problems: list[CaseProblem] = field(default_factory=list)

    @property
    def answerable(self) -> list[EvalCase]:
        return [case for case in self.cases if case.answerable]

    @property
    def unanswerable(self) -> list[EvalCase]:
        return [case for case in self.cases if not case.answerable]

    def tag_counts(self) -> dict[str, int]:
        """How many valid cases carry each tag, most frequent first."""
        counts = Counter(tag for case in self.cases for tag in case.tags)
        return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


@dataclass(frozen=True)
class CorpusIndex:
    """The document ids of a corpus, and which ids share each bare file name."""

    ids: frozenset[str]
    by_name: Mapping[str, tuple[str, ...]]
    skipped: Mapping[str, str] = field(default_factory=dict)  # path -> why ingest skips it

    @classmethod
    def from_ids(cls, ids: Iterable[str], skipped: Mapping[str, str] | None = None) -> CorpusIndex:
        unique = frozenset(ids)
        names: dict[str, list[str]] = {}
        for doc_id in sorted(unique):
            names.setdefault(doc_id.rsplit("/", 1)[-1], []).append(doc_id)
        return cls(
            ids=unique,
            by_name={name: tuple(found) for name, found in names.items()},
            skipped=dict(skipped or {}),
        )


# --- pure checks -------------------------------------------------------------------------


def collapse_whitespace(text: str) -> str:
    """Runs of whitespace become one space: normalization collapses spaces, quotes may not."""
    return _WHITESPACE.sub(" ", text).strip()


def _string_list(raw: dict[str, object], name: str, errors: list[str]) -> tuple[str, ...]:
    value = raw.get(name, [])
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        errors.append(f"field {name!r} must be a list of strings")
        return ()
    if any(not item.strip() for item in value):
        errors.append(f"field {name!r} contains an empty string")
    return tuple(value)


def parse_case(raw: object, line: int = 0) -> tuple[EvalCase | None, list[str]]:
    """Check one decoded JSON value for fields and types; return the case or what is wrong.

    Only the shape is checked here; whether the gold evidence exists is `check_case`'s job.
    """
    if not isinstance(raw, dict):
        return None, [f"expected a JSON object, got {type(raw).__name__}"]
    errors: list[str] = []
    missing = [name for name in REQUIRED_FIELDS if name not in raw]
    if missing:
        errors.append("missing required field(s): " + ", ".join(missing))
    unknown = sorted(set(raw) - set(REQUIRED_FIELDS) - set(OPTIONAL_FIELDS))
    if unknown:
        # A misspelt field (say "gold_source") would otherwise silently drop the evidence.
        errors.append("unknown field(s): " + ", ".join(unknown))

    case_id = raw.get("id")
    if "id" in raw and (not isinstance(case_id, str) or not case_id.strip()):
        errors.append("field 'id' must be a non-empty string")
    question = raw.get("question")
    if "question" in raw and (not isinstance(question, str) or not question.strip()):
        errors.append("field 'question' must be a non-empty string")
    answerable = raw.get("answerable")
    if "answerable" in raw and not isinstance(answerable, bool):
        errors.append("field 'answerable' must be true or false")
    sources = _string_list(raw, "gold_sources", errors)
    quotes = _string_list(raw, "gold_quotes", errors)
    reference = raw.get("reference_answer", "")
    if not isinstance(reference, str):
        errors.append("field 'reference_answer' must be a string")
    tags = _string_list(raw, "tags", errors)

    if isinstance(answerable, bool) and not errors:
        if answerable and not sources:
            errors.append("answerable case needs at least one gold source")
        if answerable and not quotes:
            errors.append("answerable case needs at least one gold quote")
        if not answerable and (sources or quotes):
            errors.append("unanswerable case must have empty gold_sources and gold_quotes")
    if errors:
        return None, errors
    assert isinstance(case_id, str) and isinstance(question, str) and isinstance(answerable, bool)
    assert isinstance(reference, str)
    return (
        EvalCase(
            id=case_id,
            question=question,
            answerable=answerable,
            gold_sources=sources,
            gold_quotes=quotes,
            reference_answer=reference,
            tags=tags,
            line=line,
        ),
        [],
    )


def resolve_source(source: str, corpus: CorpusIndex) -> tuple[str | None, str | None]:
    """Map a gold source to its document id; return `(doc_id, None)` or `(None, error)`.

    A bare file name is accepted only when exactly one corpus file has it, so that adding a
    document to the corpus can never silently change which file a case points at.
    """
    if source in corpus.ids:
        return source, None
    if source in corpus.skipped:
        return None, f"gold source {source!r} is not ingested ({corpus.skipped[source]})"
    if "/" in source:
        return None, f"gold source {source!r} is not a document of the corpus"
    found = corpus.by_name.get(source, ())
    if not found:
        return None, f"gold source {source!r} matches no file in the corpus"
    if len(found) > 1:
        return None, (
            f"gold source {source!r} is ambiguous: it matches {', '.join(found)}; "
            "write the full document id"
        )
    return found[0], None


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def check_case(
    case: EvalCase, corpus: CorpusIndex, read_text: TextReader
) -> tuple[EvalCase | None, list[str]]:
    """Resolve the case's gold sources and find each gold quote in their normalized text.

    Quotes are compared after collapsing whitespace on both sides, because normalization
    collapses runs of spaces and a quote copied from the raw file may still carry them.
    Returns the case with resolved ids, or the list of what is wrong with it.
    """
    errors: list[str] = []
    resolved: list[str] = []
    for source in case.gold_sources:
        doc_id, error = resolve_source(source, corpus)
        if error:
            errors.append(error)
        elif doc_id is not None and doc_id not in resolved:
            resolved.append(doc_id)
    if errors:
        return None, errors

    texts: list[str] = []
    for doc_id in resolved:
        try:
            texts.append(collapse_whitespace(read_text(doc_id)))
        except ComplyqaError as exc:
            errors.append(f"gold source {doc_id!r} could not be loaded: {exc}")
    if errors:
        return None, errors

    where = ", ".join(resolved)
    for quote in case.gold_quotes:
        needle = collapse_whitespace(quote)
        if not any(needle in text for text in texts):
            errors.append(f"gold quote {_short(quote)!r} is not in the normalized text of {where}")
    if errors:
        return None, errors
    return EvalCase(
        id=case.id,
        question=case.question,
        answerable=case.answerable,
        gold_sources=tuple(resolved),
        gold_quotes=case.gold_quotes,
        reference_answer=case.reference_answer,
        tags=case.tags,
        line=case.line,
    ), []


def validate_lines(
    path: Path, lines: Iterable[str], corpus: CorpusIndex, read_text: TextReader
) -> Dataset:
    """Check every line of a dataset; valid cases go to `cases`, the rest to `problems`."""
    cases: list[EvalCase] = []
    problems: list[CaseProblem] = []
    first_seen: dict[str, int] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(
                CaseProblem(number, None, f"invalid JSON: {exc.msg} (column {exc.colno})")
            )
            continue
        raw_id = raw.get("id") if isinstance(raw, dict) else None
        case_id = raw_id if isinstance(raw_id, str) and raw_id.strip() else None
        case, errors = parse_case(raw, number)
        if case is not None and case.id in first_seen:
            errors = [f"duplicate id {case.id!r} (first used on line {first_seen[case.id]})"]
            case = None
        if case is not None:
            first_seen[case.id] = number
            case, errors = check_case(case, corpus, read_text)
        if case is None:
            problems.extend(CaseProblem(number, case_id, message) for message in errors)
        else:
            cases.append(case)
    return Dataset(path=path, cases=cases, problems=problems)


# --- the few functions that touch the disk -------------------------------------------------


def scan_corpus(corpus_dir: Path) -> CorpusIndex:
    """List the documents under `corpus_dir` exactly as ingest discovers them.

    Using ingest's own discovery keeps the two sides in step: a file that ingest passes over
    (hidden, a metadata sidecar, matched by `.complyqaignore`, an unsupported type) can never
    be a gold source, since no answer could ever cite it.
    """
    if not corpus_dir.is_dir():
        raise DatasetError(
            f"Corpus folder {corpus_dir} does not exist; pass the folder the dataset's gold "
            "sources are relative to (the repository's corpus/)."
        )
    found = discover_files([corpus_dir], corpus_dir)
    ids = [path.relative_to(corpus_dir).as_posix() for path in found.files]
    skipped = {path.relative_to(corpus_dir).as_posix(): why for path, why in found.skipped}
    return CorpusIndex.from_ids(ids, skipped)


def corpus_text_reader(corpus_dir: Path) -> TextReader:
    """Read a document's normalized text through ingest's loader, once per document."""
    cache: dict[str, str] = {}

    def read(doc_id: str) -> str:
        if doc_id not in cache:
            documents = load_file(corpus_dir / doc_id, corpus_dir)
            matching = [doc.text for doc in documents if doc.doc_id == doc_id]
            cache[doc_id] = "\n".join(matching or [doc.text for doc in documents])
        return cache[doc_id]

    return read


def load_dataset(path: Path, corpus_dir: Path, *, read_text: TextReader | None = None) -> Dataset:
    """Load a JSONL dataset and check every case against the corpus in `corpus_dir`.

    Raises `DatasetError` only when the file itself cannot be read; problems with single
    cases are reported in `Dataset.problems` and those cases are left out.
    """
    try:
        content = Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise DatasetError(f"Dataset file {path} does not exist; check the path.") from exc
    except IsADirectoryError as exc:
        raise DatasetError(f"Dataset path {path} is a folder; pass a .jsonl file.") from exc
    except UnicodeDecodeError as exc:
        raise DatasetError(
            f"Dataset file {path} is not UTF-8 text ({exc.reason} at byte {exc.start}); "
            "save it as UTF-8 JSON Lines."
        ) from exc
    except OSError as exc:
        raise DatasetError(f"Dataset file {path} cannot be read: {exc.strerror}.") from exc
    corpus = scan_corpus(Path(corpus_dir))
    reader = read_text or corpus_text_reader(Path(corpus_dir))
    # Split on "\n" only: str.splitlines() would also break inside a JSON string holding a
    # raw U+2028, and the line numbers in reports would no longer match an editor's.
    return validate_lines(Path(path), content.split("\n"), corpus, reader)
