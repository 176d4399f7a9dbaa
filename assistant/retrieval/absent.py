"""Names a question gives that nothing indexed holds: a question about the GDPR has no answer
in Chinese and US law, however well its other words ("fine", "data breach") match.

These kinds of name are checked against the index as it is now:

- a title in book-title marks (《生成式人工智能服务管理暂行办法》) that no indexed title contains;
- a law the glossary's laws table knows by its English name ("the Anti-Monopoly Law") whose
  Chinese title no indexed document has;
- an acronym used as a name ("the GDPR", "Singapore's PDPC", "PDPO rules") that occurs in no
  indexed passage and the glossary does not know (it knows "PIPL" and "CAC", which the
  Chinese texts call 个人信息保护法 and 国家网信部门);
- the English title of an act, ordinance, directive or code ("the EU AI Act", "Personal Data
  (Privacy) Ordinance") whose words meet in no indexed passage and no indexed title;
- a product or item code, letters and digits together ("Nvidia's H20", "ECCN 5A992",
  英伟达H800), that occurs in no indexed passage: passages about the A100 do not say what
  rule covers the H20, however well "Nvidia", "chips" and "China" match.

A question may also cite a paragraph of a section that is indexed without it ("§ 734.9(h)"
when the indexed § 734.9 runs from (a) to (g)): `absent_paragraphs`.

A question may also name a version: "the 2025 amendment to China's Cybersecurity Law",
2025年修订后的《网络安全法》. When every indexed text of the law it names is older than that year,
the version asked about is not indexed (`absent_versions`), and quoting the older text would
pass a superseded rule off as the asked one.

The answer then abstains before any passage is quoted or any LLM is asked, and says which name
is missing. Ordinary words are never checked: a question may well use words the sources lack.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any

from assistant.retrieval.glossary import load_glossary, load_laws, mentions_english
from ingest.legal_refs import ArticleRef

_TITLE = re.compile(r"《([^》]{2,60})》")
# An all-capitals word of 3-6 letters used as a name: after "the", "under", "by", "of", "per",
# or a possessive; or before a word that says it names a law or a regulator. Not the first part
# of a compound ("WMD-related"): that describes, it does not name what is asked about.
_ACRONYM = re.compile(
    r"(?:(?:\b(?:the|under|by|of|per)\s+)|(?:'s\s+))([A-Z]{3,6})\b(?!-)"
    r"|\b([A-Z]{3,6})(?=\s+(?:fines?|law|act|rules?|regulations?|ordinance|directive)\b)"
)
_PRC = "中华人民共和国"
# A run of capitalized words ending in the word that says it is a statute's title. Chinese
# laws are "… Law" in English: the glossary's laws table knows those of the corpus' domain,
# and another ("China's Anti-Monopoly Law") is missing when its words meet nowhere indexed.
_STATUTE = re.compile(
    r"((?:(?:[A-Z][\w.&-]*|\([A-Z][\w ]*\)|of|on|and|for)\s+){1,8}"
    r"(?:Act|Ordinance|Directive|Code|Law))\b"
)
# Words that say whose law, not which: "Chinese Law", "PRC Law", "US Federal Law" name no statute.
_GENERIC_LAW = frozenset(
    {"Chinese", "China", "PRC", "US", "U.S.", "American", "EU", "European", "International"}
    | {"Federal", "State", "National", "Local", "Domestic", "Foreign", "Case", "Common"}
    | {"Civil", "Administrative"}
)
_LEADING_SMALL = re.compile(r"^(?:(?:of|on|and|for)\s+)+")
# A code: letters and digits in one run, with a capital letter ("H20", "3A090", "MI300X",
# "GPT-4"), not a quantity with its unit ("5G", "100MB") and not glued to other Latin text.
_CODE = re.compile(
    r"(?<![A-Za-z0-9])"  # not inside a longer Latin word
    r"(?=[A-Za-z0-9-]*[A-Z])(?=[A-Za-z0-9-]*\d)"  # a capital and a digit somewhere in it
    r"[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*"
    r"(?![A-Za-z0-9])"
)
_QUANTITY = re.compile(r"\d+(?:[A-Z]{1,3}|[a-z]{1,5})")


# Capitalized only because they open the question: "Does Hong Kong's …", "Under the …".
_ASKING_OPENERS = frozenset(
    [
        "Does",
        "Do",
        "Did",
        "Is",
        "Are",
        "Was",
        "Were",
        "Under",
        "What",
        "Which",
        "Who",
        "How",
        "When",
        "Where",
        "Why",
        "Can",
        "May",
        "Must",
        "Should",
        "According",
    ]
)


@lru_cache(maxsize=1)
def _abbreviations() -> frozenset[str]:
    """Abbreviations the glossary knows ("CAC" = 国家网信部门, "PIPL"): matched through it."""
    entries = (*load_glossary(), *load_laws())
    return frozenset(e for entry in entries for e in entry.en if e.isupper())


def absent_names(
    question: str, titles: Iterable[str], occurs: Callable[[str], bool]
) -> tuple[str, ...]:
    """The names in `question` that none of the indexed `titles` holds (titles in 《》, known
    English law names, statute titles) or that `occurs` says no passage holds (acronyms, the
    words of a statute title together)."""
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
    for match in _STATUTE.finditer(question):
        words = _LEADING_SMALL.sub("", match.group(1)).split()
        if words[0] in _ASKING_OPENERS:
            words = words[1:]
        name = " ".join(words)
        if (
            len(words) < 2
            or (words[-1] == "Law" and all(w in _GENERIC_LAW for w in words[:-1]))
            or any(e.lower() in name.lower() for law in load_laws() for e in law.en)
            or any(name.lower() in t.lower() for t in held)
            or occurs(name)
        ):
            continue
        missing[name] = None
    for match in _ACRONYM.finditer(question):
        acronym = match.group(1) or match.group(2)
        if any(acronym in name for name in missing):
            continue
        if acronym not in _abbreviations() and not occurs(acronym):
            missing[acronym] = None
    for code in _CODE.findall(question):
        if not _QUANTITY.fullmatch(code) and not any(occurs(v) for v in _code_spellings(code)):
            missing[code] = None
    return tuple(missing)


def _code_spellings(code: str) -> tuple[str, ...]:
    """A code as the sources may write it: "A100s" is the plural of "A100"."""
    if len(code) > 3 and code.endswith("s") and code[-2].isdigit():
        return code, code[:-1]
    return (code,)


# The first level of a paragraph reference: "(h)" of "(h)(1)(ii)".
_TOP_PARAGRAPH = re.compile(r"\(([a-z])\)")


def absent_paragraphs(
    refs: Iterable[ArticleRef], section_texts: Callable[[str], Sequence[str]]
) -> tuple[str, ...]:
    """The paragraphs a question cites ("§ 734.9(h)") of a section that is indexed without
    them: quoting paragraph (b) for a question about (h) cites the right section and answers
    the wrong rule. `section_texts(number)` gives the indexed chunks of section `number` (each
    its section path and text); a section with none is not judged here, since a question may
    name a section the sources only refer to. Lettered paragraphs only: "(1)" and "(i)"
    repeat at deeper levels, so their absence proves nothing."""
    missing: dict[str, None] = {}
    for ref in refs:
        top = _TOP_PARAGRAPH.match(ref.paragraph or "")
        if ref.kind != "section" or top is None or top.group(1) in "ivx":
            continue
        texts = section_texts(ref.number)
        # Its heading opens a line or a section path, or stands before an italic title
        # ("… of this section. (h) *Advanced computing FDP rule.*") in a text run together.
        letter = top.group(1)
        heading = re.compile(rf"(?:^|\n|> )\({letter}\)|\({letter}\)\s*\*")
        if texts and not any(heading.search(t) for t in texts):
            missing[f"§ {ref.number}({letter})"] = None
    return tuple(missing)


# A year that names a version: "the 2025 amendment", "as amended in 2025", "revised 2025 text",
# 2025年修订后的, 2025年修正, 2025年版. A bare year ("fines in 2024") names no version.
_REVISED_EN = r"(?:amendments?|amended|revisions?|revised|version|edition)"
_VERSION_YEAR = re.compile(
    rf"\b((?:19|20)\d\d)(?:\s+|-)(?:{_REVISED_EN})\b"
    rf"|\b{_REVISED_EN}\s+(?:in|of|from)\s+((?:19|20)\d\d)\b"
    r"|((?:19|20)\d\d)\s*年\s*(?:修订|修正|修改|版)",
    re.IGNORECASE,
)
# The fields whose year dates an indexed text: its file date, when it took effect.
_DATED = ("date", "fact_file_date", "effective_from")


def asked_version(question: str) -> int | None:
    """The year of the version a question asks about ("the 2025 amendment"), if it names one."""
    years = [int(next(g for g in m.groups() if g)) for m in _VERSION_YEAR.finditer(question)]
    return max(years, default=None)


def absent_versions(
    question: str, named: Sequence[str], manifest: Mapping[str, Mapping[str, Any]]
) -> tuple[str, ...]:
    """The version a question asks about, when every indexed text of the documents it names is
    older ("the 2025 version of 中华人民共和国网络安全法 (indexed: the text of 2016-11-07)").

    Documents without a date (articles, the EAR sections) never count as older: nothing says
    which version they are.
    """
    year = asked_version(question)
    if year is None or not named:
        return ()
    newest: dict[str, str] = {}
    for doc_id in named:
        meta = manifest.get(doc_id, {})
        dates = [str(meta.get(f) or "") for f in _DATED]
        dates = [d for d in dates if re.match(r"\d{4}", d)]
        if not dates:
            return ()
        title = str(meta.get("title") or doc_id)
        newest[title] = max(newest.get(title, ""), min(dates))
        if max(int(d[:4]) for d in dates) >= year:
            return ()
    return tuple(
        f"the {year} version of {title} (indexed: the text of {date})"
        for title, date in newest.items()
    )
