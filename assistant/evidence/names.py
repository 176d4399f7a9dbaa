"""Which names of a claim its cited passages do not hold.

A name (an acronym, a code, a run of capitalized words) the passages lack is a claim about
something they do not mention. It may still be there in another spelling: the glossary's
("US" for "United States", "ICs" for "integrated circuits"), the singular ("ECCNs" for
ECCN), a list ("Nicaragua and Venezuela" for "Nicaragua, or Venezuela"), or without the
capital that only opens the sentence ("Destinations in Country Group D:5"). Used by
`assistant.evidence.verify.LexicalVerifier`; pure.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from assistant.evidence.crosslingual import concept_mentions, concept_names
from assistant.evidence.facts import name_text, stem
from assistant.models import Passage

__all__ = ["missing_names", "missing_names_translated", "passage_context", "word_stems"]


def passage_context(passage: Passage) -> str:
    """A passage as evidence: its document's title, publisher and section heading before its
    text. The title names its law ("Cloud Law", 网络安全法), the heading ("第二十一条",
    "§ 744.23") its number, and the publisher the newspaper whose report it is ("The FT
    notes …"), though the text may say none of them."""
    parts = (passage.title, passage.publisher or "", passage.section or "", passage.text)
    return "\n".join(x for x in parts if x)


def missing_names(claim: str, names: Iterable[str], source: str, lang: str) -> list[str]:
    """The claim's names (`name_text` spellings) that `source`, in the claim's language,
    holds in none of their spellings."""
    held = name_text(source)
    alike = _names_alike(claim, source, lang)
    opening = name_text(claim)
    return sorted(
        name.strip()
        for name in names
        if name.strip() not in alike
        and not _named(name, held, opening_run=opening.startswith(name), source=source)
    )


def missing_names_translated(claim: str, names: Iterable[str], source: str, lang: str) -> list[str]:
    """The same for a source in the other language: a name inside a glossary term the claim
    uses ("CII" of "CII Regulations") is that term's, which the concept rules compare."""
    held = name_text(source)
    known = " ".join(name_text(n) for n in concept_names(claim, lang))
    return sorted(name.strip() for name in names if name not in held and name not in known)


def word_stems(text: str) -> set[str]:
    """The stems of the English words of `text`: a name that opens a sentence is looked for
    as a word in any form."""
    return {stem(w) for w in re.findall(r"[A-Za-z]+", text)}


def _named(name: str, names: str, *, opening_run: bool = False, source: str = "") -> bool:
    if name in names:
        return True
    words = name.split()
    if len(words) == 1 and words[0].endswith("s") and f" {words[0][:-1]} " in names:
        return True
    parts = [f" {part.strip()} " for part in name.split(" and ")]
    if len(parts) > 1 and all(part in names for part in parts):
        return True
    if opening_run and len(words) > 1 and stem(words[0]) in word_stems(source):
        return _named(" " + " ".join(words[1:]) + " ", names)
    return False


def _names_alike(claim: str, source: str, lang: str) -> set[str]:
    """The claim's words for glossary concepts the source names too, in any of their spellings
    ("US" where the source says "United States", "China" for "PRC")."""
    stated = {i for i, _, _ in concept_mentions(source, lang)}
    return {
        name_text(claim[s:e]).strip() for i, s, e in concept_mentions(claim, lang) if i in stated
    }
