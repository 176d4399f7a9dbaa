"""Controlled edits that turn a supported sentence into an unsupported one, for the verifier
benchmark (scripts/make_verifier_set.py).

Each edit changes one thing a reader would call a different claim: a number or amount, a
date, the polarity (negation), the strength of an obligation (modality), the actor, the law,
or the article number. An edit returns every candidate rewrite it can make, in a fixed order;
the generator keeps the first candidate the cited passage does not also state (so the edited
claim is really unsupported), which keeps the set deterministic. The word lists are the
general vocabulary of the corpus' legal domain, not strings of particular dev-set answers.
The cross-document edit (a claim cited to another document's passage) changes the citation,
not the sentence, and lives in the generator.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from ingest.legal_refs import find_article_refs, int_to_chinese_numeral

__all__ = [
    "EDITS",
    "inserted_text",
    "edit_actor",
    "edit_article",
    "edit_date",
    "edit_law",
    "edit_modality",
    "edit_negation",
    "edit_number",
]

Edit = Callable[[str], Iterator[str]]


def _replace(text: str, start: int, end: int, new: str) -> str:
    return text[:start] + new + text[end:]


# ---------------------------------------------------------------- numbers

_YEAR = re.compile(r"(?<!\d)(19|20)\d\d(?!\d)")
_DIGITS = re.compile(r"(?<![\w.§:/-])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?![\w]|\.\d|\)|\()")
_WORDS = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
          "eleven", "twelve"]  # fmt: skip
_NUMBER_WORD = re.compile(r"\b(" + "|".join(_WORDS) + r")\b", re.IGNORECASE)
_CN_RUN = re.compile(
    r"[零〇一二三四五六七八九十百千万亿两]+(?=[个年月日天元条款项倍台颗名家种%％万亿千百]|以)"
)
_CN_DIGIT_SWAP = {"一": "三", "二": "五", "两": "三", "三": "五", "四": "六", "五": "三",
                  "六": "十二", "七": "九", "八": "四", "九": "六", "十": "二十"}  # fmt: skip
_CN_UNIT_SWAP = {"千": "百", "百": "千", "万": "千", "亿": "万"}


def _in_reference(text: str, start: int, end: int) -> bool:
    return any(r.start <= start and end <= r.end for r in find_article_refs(text))


def _is_year(text: str, start: int, end: int) -> bool:
    return bool(_YEAR.fullmatch(text[start:end]))


def edit_number(sentence: str) -> Iterator[str]:
    """An amount, count or period changed: ×10, ×2 or +1 (6 months → 12 months, 五千万 → 五百万)."""
    for m in _DIGITS.finditer(sentence):
        if _is_year(sentence, m.start(), m.end()) or _in_reference(sentence, m.start(), m.end()):
            continue
        if sentence[m.end() : m.end() + 3] in (" FR", "年第") or sentence[m.end() :].startswith(
            "年"
        ):
            continue  # a Federal Register volume or a year, not an amount
        whole = int(m.group(1).replace(",", ""))
        for value in (whole * 10, whole * 2, whole + 1):
            text = f"{value:,}" if "," in m.group(1) else str(value)
            yield _replace(sentence, m.start(1), m.end(1), text)
    for m in _NUMBER_WORD.finditer(sentence):
        index = _WORDS.index(m.group().lower())
        for other in (index * 2 + 1, index + 2):
            if other < len(_WORDS):
                yield _replace(sentence, m.start(), m.end(), _WORDS[other])
    for m in _CN_RUN.finditer(sentence):
        if (
            _in_reference(sentence, m.start(), m.end())
            or sentence[m.start() - 1 : m.start()] == "第"
        ):
            continue
        run = m.group()
        for i, ch in enumerate(run):
            if ch in _CN_UNIT_SWAP:
                yield _replace(sentence, m.start() + i, m.start() + i + 1, _CN_UNIT_SWAP[ch])
        for i, ch in enumerate(run):
            if ch in _CN_DIGIT_SWAP:
                yield _replace(sentence, m.start() + i, m.start() + i + 1, _CN_DIGIT_SWAP[ch])


# ---------------------------------------------------------------- dates

_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"]  # fmt: skip
_EN_MONTH = re.compile(r"\b(" + "|".join(_MONTHS) + r")\b")
_CN_DATE = re.compile(r"(\d{4})年(\d{1,2})月(?:(\d{1,2})日)?")
_ISO = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")


def edit_date(sentence: str) -> Iterator[str]:
    """A date moved: another month or day, or the year one later or earlier."""
    for m in _CN_DATE.finditer(sentence):
        month = int(m.group(2))
        yield _replace(sentence, m.start(2), m.end(2), str(month % 12 + 1))
        if m.group(3):
            day = int(m.group(3))
            yield _replace(sentence, m.start(3), m.end(3), str(day % 28 + 1))
    for m in _ISO.finditer(sentence):
        yield _replace(sentence, m.start(2), m.end(2), f"{int(m.group(2)) % 12 + 1:02d}")
    for m in _EN_MONTH.finditer(sentence):
        if m.group() == "May" and not re.search(r"\d", sentence[m.end() : m.end() + 8]):
            continue  # the verb, not the month
        other = _MONTHS[(_MONTHS.index(m.group()) + 2) % 12]
        yield _replace(sentence, m.start(), m.end(), other)
    for m in _YEAR.finditer(sentence):
        year = int(m.group())
        for shifted in (year + 1, year - 1):
            yield _replace(sentence, m.start(), m.end(), str(shifted))


# ---------------------------------------------------------------- polarity and modality

# (pattern, replacement) tried in order; the first that matches gives a candidate.
_EN_NEGATION_REMOVE = [
    (r"\bcannot\b", "can"),
    (r"\b(does|do|did|is|are|was|were|may|must|will|shall|has|have|could|would) not\b", r"\1"),
    (r"\b(does|do|did|is|are|was|were|could|would|has|have)n[’']t\b", r"\1"),
    (r"\bwithout\b", "with"),
    (r"\bno longer\b", "still"),
    (r"\b(no|No) (?=[a-z])", ""),
    (r"\bnot\b ", ""),
    (r"\bnever\b", "always"),
]
_EN_NEGATION_ADD: list[tuple[str, str | Callable[[re.Match[str]], str]]] = [
    (r"\b(is|are|was|were|must|may|can|will|shall|could|should|would)\b(?! not)", r"\1 not"),
    (r"\b(requires|applies|covers|needs|includes|allows|bars|prohibits|forbids)\b",
     lambda m: "does not " + re.sub(r"(ie)?s$", lambda e: "y" if e.group(1) else "", m.group())),
    (r"\b(require|apply|cover|need|include|allow|bar|prohibit|forbid)\b", r"do not \1"),
]  # fmt: skip
_ZH_NEGATION_REMOVE = [
    ("不少于", "少于"), ("不超过", "超过"), ("不低于", "低于"), ("不高于", "高于"),
    ("未经", "经"), ("未被", "被"), ("未列入", "列入"), ("未能", "能"), ("不得", "得以"),
    ("禁止", "允许"), ("严禁", "允许"), ("没有", "有"), ("无需", "需要"), ("不需要", "需要"),
    ("不予", "予以"), ("不对", "对"), ("不是", "是"), ("不属于", "属于"), ("不适用", "适用"),
    ("不承担", "承担"), ("不能", "能"), ("不会", "会"), ("不再", "仍"),
]  # fmt: skip
_ZH_NEGATION_ADD = ["应当", "必须", "可以", "需要", "属于", "适用", "包括", "承担", "负责",
                    "是", "有", "能", "会", "应", "要求", "需", "取得", "完成", "使用", "计划",
                    "追究", "采取", "进行", "报送", "处", "覆盖", "允许", "批准"]  # fmt: skip
# Characters that make 应/是/有/会/能 part of another word (供应, 相应, 只有, 社会, 功能 …).
_ZH_BOUND_BEFORE = set(
    "供相反对适响顺感理答只具所拥占享共唯还或于凡总社机协学大年功技性可本但就即正而若要"
)


def _zh_insert(sentence: str, word: str, prefix: str) -> Iterator[str]:
    for m in re.finditer(re.escape(word), sentence):
        before = sentence[m.start() - 1 : m.start()]
        if before in _ZH_BOUND_BEFORE or before in "不未无非没":
            continue
        yield _replace(sentence, m.start(), m.start(), prefix)
        return


def edit_negation(sentence: str) -> Iterator[str]:
    """Polarity flipped: a negation taken out where there is one, else one put in."""
    if _CJK.search(sentence):
        for old, new in _ZH_NEGATION_REMOVE:
            if old in sentence:
                yield sentence.replace(old, new, 1)
        for word in _ZH_NEGATION_ADD:
            yield from _zh_insert(sentence, word, "不" if word != "有" else "没")
        return
    for pattern, repl in _EN_NEGATION_REMOVE:
        removed = re.sub(pattern, repl, sentence, count=1)
        if removed != sentence:
            yield _tidy(removed)
    for pattern, insert in _EN_NEGATION_ADD:
        added = re.sub(pattern, insert, sentence, count=1)
        if added != sentence:
            yield added


_EN_MODAL_WEAKEN = [
    (r"\bmust\b(?! not)", "may"),
    (r"\bshall\b(?! not)", "may"),
    (r"\b(is|are) required to\b", r"\1 allowed to"),
    (r"\bneeds? to\b", "may"),
    (r"\bhas to\b|\bhave to\b", "may"),
    (r"\brequires?\b", "permits"),
]
_EN_MODAL_STRENGTHEN = [
    (r"\bmay\b(?! not)", "must"),
    (r"\bcan\b", "must"),
    (r"\b(is|are) allowed to\b", r"\1 required to"),
    (r"\bpermits?\b", "requires"),
]
_ZH_MODAL = [("应当", "可以"), ("必须", "可以"), ("须", "可"), ("可以", "应当"), ("需要", "可以")]
_ZH_SINGLE_YING = re.compile(r"(?<![供相反对适响顺感理答])应(?![当该用急变对])")


def edit_modality(sentence: str) -> Iterator[str]:
    """Obligation weakened or strengthened: must/shall/应当 ↔ may/可以."""
    if _CJK.search(sentence):
        for old, new in _ZH_MODAL:
            if old in sentence and not (old == "须" and "必须" in sentence):
                yield sentence.replace(old, new, 1)
        m = _ZH_SINGLE_YING.search(sentence)
        if m:
            yield _replace(sentence, m.start(), m.end(), "可")
        return
    for pattern, repl in _EN_MODAL_WEAKEN + _EN_MODAL_STRENGTHEN:
        new = re.sub(pattern, repl, sentence, count=1)
        if new != sentence:
            yield new


# ---------------------------------------------------------------- actors and laws

_CJK = re.compile(r"[\u3400-\u9fff]")

# Parties a provision puts duties on, in pairs a careless summary confuses.
_EN_ACTORS = [
    ("operators", "providers"), ("operator", "provider"), ("providers", "operators"),
    ("provider", "operator"), ("exporters", "importers"), ("exporter", "importer"),
    ("importer", "exporter"), ("users", "providers"), ("user", "provider"),
    ("US persons", "foreign persons"), ("foreign persons", "US persons"),
    ("buyers", "sellers"), ("seller", "buyer"), ("end users", "exporters"),
    ("end user", "exporter"), ("companies", "universities"), ("universities", "companies"),
    ("the court", "the regulator"), ("Commerce Department", "State Department"),
    ("BIS", "OFAC"), ("Amazon", "Microsoft"), ("Microsoft", "Amazon"), ("Alibaba", "Tencent"),
    ("Nvidia", "Intel"), ("AMD", "Intel"), ("Reuters", "Bloomberg"),
]  # fmt: skip
_ZH_ACTORS = [
    ("网络运营者", "网络产品提供者"), ("运营者", "提供者"), ("提供者", "运营者"),
    ("个人信息处理者", "受托人"), ("处理者", "受托人"), ("出口经营者", "进口商"),
    ("进口商", "出口经营者"), ("最终用户", "出口经营者"), ("用户", "服务提供者"),
    ("国家网信部门", "国务院公安部门"), ("网信部门", "公安部门"), ("公安部门", "网信部门"),
    ("国务院商务主管部门", "国务院电信主管部门"), ("商务部", "工业和信息化部"),
    ("电信主管部门", "商务主管部门"), ("监护人", "受托人"), ("网络服务提供者", "网络用户"),
    ("网络用户", "网络服务提供者"), ("高校", "企业"), ("企业", "高校"), ("法院", "监管部门"),
]  # fmt: skip
_EN_LAWS = [
    ("Data Security Law", "Cybersecurity Law"), ("Cybersecurity Law", "Data Security Law"),
    ("Personal Information Protection Law", "Data Security Law"),
    ("Export Control Law", "Foreign Trade Law"), ("Anti-Foreign Sanctions Law", "Export Control Law"),
    ("Telecommunications Regulations", "Cybersecurity Law"), ("Civil Code", "Criminal Law"),
    ("EAR", "ITAR"), ("Export Administration Regulations", "International Traffic in Arms Regulations"),
]  # fmt: skip
_ZH_LAWS = [
    ("网络安全法", "数据安全法"), ("数据安全法", "网络安全法"), ("个人信息保护法", "数据安全法"),
    ("两用物项出口管制条例", "出口管制法"), ("出口管制法", "对外贸易法"),
    ("反外国制裁法", "出口管制法"), ("电信条例", "网络安全法"), ("民法典", "刑法"),
    ("关键信息基础设施安全保护条例", "网络数据安全管理条例"),
    ("网络数据安全管理条例", "关键信息基础设施安全保护条例"),
    ("算法推荐管理规定", "深度合成管理规定"), ("EAR", "ITAR"),
]  # fmt: skip


def _swaps(sentence: str, pairs: list[tuple[str, str]], words: bool) -> Iterator[str]:
    for old, new in pairs:
        pattern = rf"\b{re.escape(old)}\b" if words else re.escape(old)
        m = re.search(pattern, sentence)
        if m:
            yield _replace(sentence, m.start(), m.end(), new)


def edit_actor(sentence: str) -> Iterator[str]:
    """The party swapped: operator ↔ provider, exporter ↔ importer, 运营者 ↔ 提供者 …"""
    if _CJK.search(sentence):
        yield from _swaps(sentence, _ZH_ACTORS, words=False)
    yield from _swaps(sentence, _EN_ACTORS, words=True)


def edit_law(sentence: str) -> Iterator[str]:
    """The law swapped: Data Security Law ↔ Cybersecurity Law, 网络安全法 ↔ 数据安全法 …"""
    if _CJK.search(sentence):
        yield from _swaps(sentence, _ZH_LAWS, words=False)
    yield from _swaps(sentence, _EN_LAWS, words=True)


# ---------------------------------------------------------------- article numbers

_PARAGRAPH = re.compile(r"\((\d{1,2})\)")


def edit_article(sentence: str) -> Iterator[str]:
    """The article or section number changed: 第二十一条 → 第二十二条, § 744.23 → § 744.24."""
    for ref in find_article_refs(sentence):
        text = sentence[ref.start : ref.end]
        number = ref.number
        if "." in number:
            head, _, tail = number.rpartition(".")
            for other in (int(tail) + 1, int(tail) - 1):
                if other > 0:
                    yield _replace(
                        sentence, ref.start, ref.end, text.replace(number, f"{head}.{other}", 1)
                    )
            continue
        if not number.isdigit():
            continue
        for other in (int(number) + 1, int(number) - 1):
            if other <= 0:
                continue
            if number in text:
                new = text.replace(number, str(other), 1)
            else:
                new = re.sub(r"第[零〇一二三四五六七八九十百千两]+",
                             "第" + int_to_chinese_numeral(other), text, count=1)  # fmt: skip
            yield _replace(sentence, ref.start, ref.end, new)
    for m in _PARAGRAPH.finditer(sentence):
        yield _replace(sentence, m.start(1), m.end(1), str(int(m.group(1)) + 1))


def inserted_text(before: str, after: str) -> str:
    """What an edit put into `after` that `before` did not have (whole words for English)."""
    head = 0
    while head < min(len(before), len(after)) and before[head] == after[head]:
        head += 1
    tail = 0
    while (
        tail < min(len(before), len(after)) - head
        and before[len(before) - 1 - tail] == after[len(after) - 1 - tail]
    ):
        tail += 1
    start, end = head, len(after) - tail
    while start > 0 and after[start - 1].isascii() and after[start - 1].isalnum():
        start -= 1
    while end < len(after) and after[end].isascii() and after[end].isalnum():
        end += 1
    return after[start:end].strip()


def _tidy(text: str) -> str:
    text = re.sub(r"\s{2,}", " ", text).strip()
    return text[0].upper() + text[1:] if text and text[0].islower() else text


#: Edit types in the order the generator applies them, by the name stored in `edit`.
EDITS: dict[str, Edit] = {
    "number": edit_number,
    "date": edit_date,
    "negation": edit_negation,
    "modality": edit_modality,
    "actor": edit_actor,
    "law": edit_law,
    "article": edit_article,
}
