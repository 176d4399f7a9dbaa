"""Build the verifier benchmark from the dev set: evals/datasets/verifier{,_tune,_loose}.jsonl.

    .venv/bin/python scripts/make_verifier_set.py [--dev FILE] [--corpus DIR] [--out DIR]

Supported claims are the dev set's reference-answer sentences, each cited to the chunks that
hold the gold quotes it rests on, plus hand-written paraphrases
(`evals/verifier_paraphrases.py`). Unsupported claims are the same sentences with one controlled edit
each (`evals.verifier_edits`), and the sentence cited to the closest passage of another
document (`cross_doc`). Source sentences are split by case between the reported set
(`verifier.jsonl`) and a tuning set (`verifier_tune.jsonl`) with a fixed seed, so rules can
be tuned on one and reported on the other. `verifier_loose.jsonl` holds deliberately loose
paraphrases of reported sentences (what survives a loose writing style). Deterministic for
a given code version: edits are checked and cross-document passages picked with the product's
fact extraction (`assistant.evidence.facts`), so a change there can change the generated files.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.evidence.facts import Facts, evidence_facts, extract_facts  # noqa: E402
from assistant.evidence.figures import figures  # noqa: E402
from assistant.models import Passage  # noqa: E402
from evals.dataset import DEV_DATASET, EvalCase, load_dataset, scan_corpus  # noqa: E402
from evals.report import write_jsonl  # noqa: E402
from evals.verifier import language_pair  # noqa: E402
from evals.verifier_claims import Claim, ClaimCitation, CorpusPassages  # noqa: E402
from evals.verifier_edits import EDITS, inserted_text  # noqa: E402
from evals.verifier_paraphrases import LOOSE, PARAPHRASES  # noqa: E402
from ingest.sentences import split_sentences  # noqa: E402

SEED = "verifier-2026-11-30"
TUNE_SHARE = 0.3  # of the dev cases whose sentences go to the tuning split
MAX_CITED_CHUNKS = 3
# The tuning split is small; every edit type gives it up to this many variants per sentence.
TUNE_EDITS_PER_TYPE = 3
FIGURE_EDITS = {"number", "date", "article"}


@dataclass(frozen=True)
class Source:
    """A reference-answer sentence and the gold places it rests on."""

    case: EvalCase
    index: int
    sentence: str
    citations: tuple[ClaimCitation, ...]
    passages: tuple[Passage, ...]

    @property
    def key(self) -> str:
        return f"{self.case.id}s{self.index}"


def in_tuning_split(case_id: str) -> bool:
    """A fixed, seeded coin per case: sentences of one case never land in both splits."""
    digest = hashlib.sha256(f"{SEED}:{case_id}".encode()).digest()
    return int.from_bytes(digest[:4], "big") / 2**32 < TUNE_SHARE


def is_claim(sentence: str) -> bool:
    """A sentence that states something on its own ("No." and "2019." do not)."""
    cjk = sum("\u3400" <= ch <= "\u9fff" for ch in sentence)
    words = len(sentence.split())
    return cjk >= 10 or (cjk == 0 and words >= 6)


def context(p: Passage) -> str:
    return "\n".join(x for x in (p.title, p.section or "", p.text) if x)


_FACTS: dict[str, tuple[Facts, str]] = {}


def _source_facts(passage: Passage) -> tuple[Facts, str]:
    if passage.chunk_id not in _FACTS:
        text = context(passage)
        _FACTS[passage.chunk_id] = (evidence_facts(text), text.lower())
    return _FACTS[passage.chunk_id]


def relevance(sentence: str, passage: Passage) -> int:
    """How much of the sentence a passage carries: shared figures and names count triple."""
    claim = extract_facts(sentence)
    source, names = _source_facts(passage)
    return (
        len(claim.terms & source.terms)
        + 3 * len(claim.figures & source.figures)
        + 3 * sum(1 for e in claim.entities if e.strip() in names)
    )


def cited_places(
    sentence: str, places: Sequence[tuple[ClaimCitation, Passage]]
) -> dict[str, tuple[ClaimCitation, Passage]]:
    """The gold places a sentence rests on, one chunk each (at most `MAX_CITED_CHUNKS`).

    The most relevant place of every gold document comes first, since a reference sentence
    of a two-document case usually joins both (term overlap cannot see that across
    languages); then other places at least half as relevant as the best one.
    """
    scored = sorted(
        ((relevance(sentence, p), i, c, p) for i, (c, p) in enumerate(places)),
        key=lambda x: (-x[0], x[1]),
    )
    top = scored[0][0]
    chosen: dict[str, tuple[ClaimCitation, Passage]] = {}
    docs: set[str] = set()
    for _, _, c, p in scored:
        if p.doc_id not in docs and len(chosen) < MAX_CITED_CHUNKS:
            docs.add(p.doc_id)
            chosen.setdefault(p.chunk_id, (c, p))
    for score, _, c, p in scored:
        if score >= top / 2 and len(chosen) < MAX_CITED_CHUNKS:
            chosen.setdefault(p.chunk_id, (c, p))
    return chosen


def sources(cases: Sequence[EvalCase], docs: CorpusPassages) -> list[Source]:
    out: list[Source] = []
    for case in cases:
        if not case.answerable or not case.reference_answer:
            continue
        places: list[tuple[ClaimCitation, Passage]] = []
        for quote in case.gold_quotes:
            for doc_id in case.gold_sources:
                citation = ClaimCitation(doc_id, quote=quote)
                try:
                    places.append((citation, docs.passage_for(citation)))
                    break
                except Exception:  # noqa: BLE001 - the quote is in another gold document
                    continue
        for index, span in enumerate(split_sentences(case.reference_answer)):
            if not is_claim(span.text):
                continue
            chosen = cited_places(span.text, places)
            cites = tuple(c for c, _ in chosen.values())
            passages = tuple(p for _, p in chosen.values())
            out.append(Source(case, index, span.text, cites, passages))
    return out


def is_unsupported(kind: str, sentence: str, edited: str, passages: Sequence[Passage]) -> bool:
    """Whether an edit really leaves the cited passages behind (they must not state it too)."""
    if edited == sentence:
        return False
    if kind in FIGURE_EDITS:
        new = figures(edited) - figures(sentence)
        stated = frozenset().union(*(evidence_facts(context(p)).figures for p in passages))
        return bool(new) and not (new & stated)
    if kind in ("actor", "law"):
        new = inserted_text(sentence, edited).lower()
        return bool(new) and not any(new in context(p).lower() for p in passages)
    return True


def all_passages(corpus: Path, docs: CorpusPassages) -> list[Passage]:
    out = []
    for doc_id in sorted(scan_corpus(corpus).ids):
        out.extend(docs.chunk_passages(doc_id))
    return out


def states(sentence: str, passage: Passage) -> bool:
    """Whether a passage states the sentence almost word for word (all figures, ≥ 80% terms).

    Laws repeat each other ("处十万元以上一百万元以下罚款" stands in several): a sentence
    cited to another document that says the same thing is supported there, not a wrong
    citation, so such passages are not used as cross-document negatives.
    """
    claim = extract_facts(sentence)
    source, _ = _source_facts(passage)
    terms = len(claim.terms & source.terms) / len(claim.terms) if claim.terms else 1.0
    return claim.figures <= source.figures and terms >= 0.8


def cross_doc(source: Source, pool: Sequence[Passage]) -> ClaimCitation | None:
    """The closest passage of a document the sentence does not rest on (and is not stated in)."""
    own = {p.doc_id for p in source.passages} | set(source.case.gold_sources)
    candidates = sorted(
        (p for p in pool if p.doc_id not in own),
        key=lambda p: (-relevance(source.sentence, p), p.doc_id, p.start),
    )
    for best in candidates:
        if not states(source.sentence, best):
            return ClaimCitation(best.doc_id, start=best.start, end=best.end)
    return None


def claims_for(source: Source, pool: Sequence[Passage], per_edit: int = 1) -> list[Claim]:
    """The source's supported claims, and up to `per_edit` unsupported ones per edit type."""
    base = source.key
    pair = language_pair(source.sentence, source.passages)
    out = [Claim(f"{base}-ref", source.sentence, source.citations, True, None, ("reference", pair))]
    for n, (style, text) in enumerate(PARAPHRASES.get(base, ()), start=1):
        tags = ("paraphrase", style, language_pair(text, source.passages))
        out.append(Claim(f"{base}-para{n}", text, source.citations, True, None, tags))
    for kind, edit in EDITS.items():
        made: list[str] = []
        for edited in edit(source.sentence):
            if edited not in made and is_unsupported(
                kind, source.sentence, edited, source.passages
            ):
                made.append(edited)
                if len(made) == per_edit:
                    break
        for n, edited in enumerate(made, start=1):
            cid = f"{base}-{kind}" + (f"{n}" if n > 1 else "")
            out.append(Claim(cid, edited, source.citations, False, kind, (pair,)))
    other = cross_doc(source, pool)
    if other is not None:
        out.append(
            Claim(f"{base}-cross_doc", source.sentence, (other,), False, "cross_doc", (pair,))
        )
    return out


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dev", type=Path, default=DEV_DATASET)
    parser.add_argument("--corpus", type=Path, default=ROOT / "corpus")
    parser.add_argument("--out", type=Path, default=ROOT / "evals" / "datasets")
    args = parser.parse_args(argv)
    dataset = load_dataset(args.dev, args.corpus)
    docs = CorpusPassages(args.corpus)
    pool = all_passages(args.corpus, docs)
    found = sources(dataset.cases, docs)
    report: list[Claim] = []
    tune: list[Claim] = []
    loose: list[Claim] = []
    for source in found:
        if in_tuning_split(source.case.id):
            tune.extend(claims_for(source, pool, per_edit=TUNE_EDITS_PER_TYPE))
        else:
            report.extend(claims_for(source, pool))
        for n, text in enumerate(LOOSE.get(source.key, ()), start=1):
            tags = ("loose", language_pair(text, source.passages))
            loose.append(Claim(f"{source.key}-loose{n}", text, source.citations, True, None, tags))
    if any(in_tuning_split(k.split("s")[0]) for k in LOOSE):
        raise SystemExit("loose paraphrases must come from reported sentences")
    write_jsonl(args.out / "verifier.jsonl", (c.to_json() for c in report))
    write_jsonl(args.out / "verifier_tune.jsonl", (c.to_json() for c in tune))
    write_jsonl(args.out / "verifier_loose.jsonl", (c.to_json() for c in loose))
    print(f"{len(found)} source sentences; reported {len(report)}, tuning {len(tune)}, "
          f"loose {len(loose)} claims")  # fmt: skip


if __name__ == "__main__":
    main()
