"""Cross-lingual query expansion with a bilingual legal glossary.

all-MiniLM-L6-v2 is English-only and BM25 matches words, so a Chinese question about an EAR
section, or an English question about a Chinese law, finds nothing on either side. Adding the
other language's terms for the concepts a question names (出口管制 ↔ export control) lets BM25
match across languages, and lets answer evidence count a concept as covered in either language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

GLOSSARY_FILE = Path(__file__).with_name("zh_en.tsv")
#: Chinese laws and their English names: the one table of law names (retrieval, verifier).
LAWS_FILE = Path(__file__).with_name("laws.tsv")


@dataclass(frozen=True)
class Entry:
    zh: tuple[str, ...]
    en: tuple[str, ...]


@lru_cache(maxsize=4)
def load_glossary(path: Path = GLOSSARY_FILE) -> tuple[Entry, ...]:
    entries = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        zh, sep, en = line.partition("\t")
        if not sep:
            raise ValueError(f"{path}:{number}: expected 'Chinese<TAB>English'")
        entries.append(Entry(_alternatives(zh), _alternatives(en)))
    return tuple(entries)


def load_laws() -> tuple[Entry, ...]:
    """The laws table: `zh[0]` is the law's short Chinese name, `en` its English names."""
    return load_glossary(LAWS_FILE)


def mentions_english(text: str, term: str) -> bool:
    """Whether `text` names the English `term` as a whole word (acronyms case-sensitively)."""
    return _english_pattern(term).search(text) is not None


def _alternatives(field: str) -> tuple[str, ...]:
    return tuple(a.strip() for a in field.split(";") if a.strip())


# Unbounded: the terms are the glossary's, a fixed set read in full for every question, and a
# bounded cache smaller than that set misses on every lookup of such a scan (at 1,024 entries
# and 1,089 English terms, translating a question took 0.4 s).
@cache
def _english_pattern(term: str) -> re.Pattern[str]:
    # Acronyms match case-sensitively ("EAR", not "ear"); words ignore case.
    flags = 0 if term.isupper() else re.IGNORECASE
    return re.compile(rf"(?<![\w-]){re.escape(term)}(?![\w-])", flags)


def translations(
    text: str,
    entries: tuple[Entry, ...] | None = None,
    *,
    into: frozenset[str] = frozenset({"zh", "en"}),
) -> list[str]:
    """The other language's terms for every glossary concept `text` mentions, in order.

    `into` limits the target languages to those the index holds: Chinese terms added to an
    English-only corpus's queries would match nothing and only blur the query's embedding.
    """
    entries = load_laws() + load_glossary() if entries is None else entries
    found: dict[str, None] = {}
    for entry in entries:
        if "en" in into and any(term in text for term in entry.zh):
            found.update(dict.fromkeys(entry.en))
        if "zh" in into and any(_english_pattern(term).search(text) for term in entry.en):
            found.update(dict.fromkeys(entry.zh))
    return list(found)


def translate(text: str, entries: tuple[Entry, ...] | None = None) -> str:
    """`text` with each glossary term replaced by its other-language terms.

    Terms the glossary does not know stay as they are, so a question about "jaywalking
    penalties" becomes "jaywalking 罚款 处罚": the concept it knows is carried over, and the
    one the corpus lacks still counts against the evidence.
    """
    entries = load_laws() + load_glossary() if entries is None else entries
    spans: list[tuple[int, int, tuple[str, ...]]] = []
    for entry in entries:
        for term in entry.zh:
            spans.extend((m.start(), m.end(), entry.en) for m in re.finditer(re.escape(term), text))
        for term in entry.en:
            spans.extend(
                (m.start(), m.end(), entry.zh) for m in _english_pattern(term).finditer(text)
            )
    # Longest match wins where terms overlap (出口管制 over 出口).
    spans.sort(key=lambda s: (-(s[1] - s[0]), s[0]))
    chosen: list[tuple[int, int, tuple[str, ...]]] = []
    for span in spans:
        if all(span[1] <= c[0] or span[0] >= c[1] for c in chosen):
            chosen.append(span)
    out, pos = [], 0
    for start, end, replacement in sorted(chosen):
        out.append(text[pos:start])
        out.append(f" {' '.join(replacement)} ")
        pos = end
    out.append(text[pos:])
    return "".join(out)


def english_phrases(text: str) -> tuple[tuple[str, ...], ...]:
    """The English terms of more than one word that the Chinese glossary terms of `text`
    translate to, as lower-cased word tuples ("personal information" for 个人信息)."""
    return tuple(
        tuple(term.lower().split())
        for term in translations(text, into=frozenset({"en"}))
        if " " in term.strip()
    )
