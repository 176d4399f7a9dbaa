"""Words that change what a sentence claims without changing its vocabulary: the strength of
an obligation, the party it binds, and the law it comes from.

A summary that turns "must" into "may" (应当 into 可以), "operator" into "provider" or the
Data Security Law into the Cybersecurity Law keeps nearly every content word of its source,
so term overlap alone lets it through. These functions find such words so the verifier can
compare them with the cited passage; negation cues live in
`assistant.evidence.facts.negation_cues`. Pure.
"""

from __future__ import annotations

import re
from typing import Literal

from assistant.evidence.facts import double_negatives

__all__ = [
    "Modality",
    "law_titles",
    "modality_cues",
    "roles",
    "roles_missing_in_translation",
    "source_roles",
]

Modality = Literal["must", "may"]

# Obligation and permission. A cue right before a negation ("may not", "must not", 不得) is a
# prohibition: the negation rule compares those, and "may not" = "must not" anyway.
_EN_MUST = r"must|shall|(?:is|are|be) required to|(?:is|are) obliged to|ha(?:s|ve) to|needs? to"
# "may affect", "can cause": a possibility, not a permission.
_EPISTEMIC = (
    r"(?!\s+(?:also\s+)?(?:affect|cause|result|include|involve|arise|occur|lead|pose|"
    r"harm|endanger|threaten|change|differ|vary|exist|happen|contain|constitute)\b)"
)
_EN_MAY = rf"(?:may|can){_EPISTEMIC}|(?:is|are) (?:allowed|permitted|entitled) to|has the right to"
_EN_MODAL = re.compile(rf"\b(?:(?P<must>{_EN_MUST})|(?P<may>{_EN_MAY}))\b(?!\s+not\b|n['’]t)", re.I)
# Chinese: 应/须/需/可 are also parts of other words (供应, 相应, 必需, 许可, 可能 …).
_ZH_MUST = r"应当|必须|应(?![用对急变答])|须|需要|需(?!求)"
_ZH_MAY = r"可以|有权|允许|可(?![能靠控行信见知是否疑])"
_ZH_MODAL = re.compile(
    rf"(?<![供相反对适响顺感理答回呼效所必])(?:(?P<must>{_ZH_MUST})|(?<![许认不宁])(?P<may>{_ZH_MAY}))"
    r"(?![不未])"
)


def modality_cues(text: str) -> list[tuple[int, Modality]]:
    """Offsets of obligation (`must`: must, shall, 应当, 必须) and permission (`may`: may, can,
    可以, 有权) cues, in order; prohibitions ("may not", 不得) are left to the negation rule."""
    cues: list[tuple[int, Modality]] = []
    # "No U.S. person may, without a license from BIS, 'support' …" = a license is required,
    # as 未经批准，不得出口 = 出口须经批准 below: its "may" is a duty, not a permission.
    required = {m.start("modal") for m in _EN_NO_MAY_WITHOUT.finditer(text)}
    for pattern in (_EN_MODAL, _ZH_MODAL):
        for m in pattern.finditer(text):
            duty = m.group("must") or m.start() in required
            cues.append((m.start(), "must" if duty else "may"))
    cues.extend((start, "must") for start in double_negatives(text))
    return sorted(cues)


_EN_NO_MAY_WITHOUT = re.compile(
    r"\b[Nn]o\s+(?:(?![.!?]\s+[A-Z])[^;:]){1,40}?\b(?P<modal>may|shall|can),?\s+without\b"
)


# Parties a provision binds or protects, in their general legal sense. A claim that names one
# must find it in the cited passage: "operator" for "provider" is a different rule.
_EN_ROLES = (
    "operator", "provider", "user", "exporter", "importer", "reexporter", "processor",
    "controller", "seller", "buyer", "licensee", "applicant", "manufacturer", "distributor",
    "supplier", "recipient", "customer", "consignee", "guardian", "employer", "employee",
    "court", "regulator", "agent", "company", "university", "government", "bank",
    "individual", "enterprise", "firm",
)  # fmt: skip
_EN_ROLE = re.compile(
    r"\b(" + "|".join(r[:-1] + "(?:y|ie)" if r.endswith("y") else r for r in _EN_ROLES) + r")s?\b",
    re.IGNORECASE,
)
_ZH_ROLES = (
    "运营者", "提供者", "处理者", "使用者", "用户", "经营者", "进口商", "出口商", "受托人",
    "监护人", "买方", "卖方", "用人单位", "工作人员", "网信部门", "公安部门", "商务主管部门",
    "电信主管部门", "法院", "委托人", "接收方", "权利人", "侵权人", "被侵权人",
)  # fmt: skip


# Regulations that address the reader ("you may not export") mean the party acting: the
# exporter, reexporter or applicant (EAR part 772 defines "you" so).
_ADDRESSED = re.compile(r"\byou(?:r)?\b", re.IGNORECASE)
_THE_READER = ("exporter", "reexporter", "applicant", "licensee")


def roles(text: str) -> set[str]:
    """The parties `text` names (English in the singular, lower case; Chinese as written).

    A longer Chinese role hides the shorter ones inside it (被侵权人 is not 侵权人).
    """
    found = {re.sub(r"ie$", "y", m.group(1).lower()) for m in _EN_ROLE.finditer(text)}
    rest = text
    for role in sorted(_ZH_ROLES, key=len, reverse=True):
        if role in rest:
            found.add(role)
            rest = rest.replace(role, "\u3000")
    return found


_BOOK_TITLE = re.compile(r"《([^《》]{2,40})》")
_PRC = "中华人民共和国"


# The same parties in the other language, for a translated claim.
_ROLE_ZH: dict[str, tuple[str, ...]] = {
    "operator": ("运营者", "经营者"), "provider": ("提供者", "提供方"), "processor": ("处理者",),
    "user": ("用户", "使用者", "使用人"), "exporter": ("出口经营者", "出口商"),
    "importer": ("进口商",), "court": ("法院",), "employer": ("用人单位",), "guardian": ("监护人",),
    "seller": ("卖方", "出卖人"), "buyer": ("买方", "买受人"), "applicant": ("申请人",),
    "recipient": ("接收方",), "manufacturer": ("生产者", "制造商"), "supplier": ("供应商",),
    "agent": ("代理人",), "licensee": ("被许可人",), "consignee": ("收货人",),
}  # fmt: skip


def roles_missing_in_translation(claim: str, claim_lang: str, source: str) -> set[str]:
    """The parties of a claim that its source, in the other language, names in neither
    language ("providers" cited to a passage on 经营者; 提供者 to one on operators)."""
    stated = source_roles(source)
    if claim_lang == "en":
        return {
            role
            for role in roles(claim) & _ROLE_ZH.keys()
            if role not in stated and not any(zh in source for zh in _ROLE_ZH[role])
        }
    said = roles(claim)
    return {
        zh
        for zh in said
        for role, forms in _ROLE_ZH.items()
        if zh in forms and role not in stated and zh not in source
    }


def source_roles(text: str) -> set[str]:
    """The parties a source names: `roles`, plus the party acting when it addresses "you"."""
    found = roles(text)
    if _ADDRESSED.search(text):
        found.update(_THE_READER)
    return found


def law_titles(text: str) -> set[str]:
    """Titles in 《》 ("《数据安全法》"), without the 中华人民共和国 prefix."""
    return {m.group(1).removeprefix(_PRC).strip() for m in _BOOK_TITLE.finditer(text)}
