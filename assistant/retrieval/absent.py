"""Names a question gives that nothing indexed holds: a question about the GDPR has no answer
in Chinese and US law, however well its other words ("fine", "data breach") match.

Three kinds of name are checked against the index as it is now:

- a title in book-title marks (《生成式人工智能服务管理暂行办法》) that no indexed title contains;
- a law the glossary's laws table knows by its English name ("the Anti-Monopoly Law") whose
  Chinese title no indexed document has;
- an acronym used as a name ("the GDPR", "Singapore's PDPC", "PDPO rules") that occurs in no
  indexed passage and the glossary does not know (it knows "PIPL" and "CAC", which the
  Chinese texts call 个人信息保护法 and 国家网信部门).

The answer then abstains before any passage is quoted or any LLM is asked, and says which name
is missing. Ordinary words are never checked: a question may well use words the sources lack.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import lru_cache

from assistant.retrieval.glossary import load_glossary, load_laws, mentions_english

_TITLE = re.compile(r"《([^》]{2,60})》")
# An all-capitals word of 3-6 letters used as a name: after "the", "under", "by", "of", "per",
# or a possessive; or before a word that says it names a law or a regulator. Not the first part
# of a compound ("WMD-related"): that describes, it does not name what is asked about.
_ACRONYM = re.compile(
    r"(?:(?:\b(?:the|under|by|of|per)\s+)|(?:'s\s+))([A-Z]{3,6})\b(?!-)"
    r"|\b([A-Z]{3,6})(?=\s+(?:fines?|law|act|rules?|regulations?|ordinance|directive)\b)"
)
_PRC = "中华人民共和国"


@lru_cache(maxsize=1)
def _abbreviations() -> frozenset[str]:
    """Abbreviations the glossary knows ("CAC" = 国家网信部门, "PIPL"): matched through it."""
    entries = (*load_glossary(), *load_laws())
    return frozenset(e for entry in entries for e in entry.en if e.isupper())


def absent_names(
    question: str, titles: Iterable[str], occurs: Callable[[str], bool]
) -> tuple[str, ...]:
    """The names in `question` that none of the indexed `titles` holds (titles in 《》, known
    English law names) or that `occurs` says no passage contains (acronyms)."""
    held = [t.removeprefix(_PRC) for t in titles]
    missing: dict[str, None] = {}
    for title in _TITLE.findall(question):
        core = title.strip().removeprefix(_PRC)
        if core and not any(core in t for t in held):
            missing[f"《{title.strip()}》"] = None
    for law in load_laws():
        named = next((e for e in law.en if mentions_english(question, e)), None)
        if named is not None and not any(zh in t for zh in law.zh for t in held):
            missing[named] = None
    for match in _ACRONYM.finditer(question):
        acronym = match.group(1) or match.group(2)
        if acronym not in _abbreviations() and not occurs(acronym):
            missing[acronym] = None
    return tuple(missing)
