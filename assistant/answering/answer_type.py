"""What kind of answer a question asks for, and whether a sentence states one.

"How much did AWS charge per hour?", "within how many days?", 最高可以罚款多少？ are answered
only by a sentence that states an amount, a period, a number: a passage on the right topic that
states none does not answer them, however many of the question's words it shares. Term
coverage cannot see that (the corpus describes AWS's deals with Chinese universities, never a
price), so the answer layer asks this module before quoting, and leads with a sentence that
states what was asked.

Only unambiguous question forms get a kind ("what is the penalty" may be a prison term, "when"
may ask for a condition): a question without one is answered as before.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from assistant.evidence.figures import figures
from assistant.retrieval.query import FINE_ASKED, SANCTION_ASKED, asks_yes_no
from ingest.normalize import detect_language
from ingest.tokenize import tokenize


class Kind(StrEnum):
    MONEY = "money"
    PERIOD = "period"
    DATE = "date"
    PERCENT = "percent"
    NUMBER = "number"


_TIME_UNIT_EN = r"(?:business |working |calendar )?(?:days?|hours?|weeks?|months?|years?)"
_TIME_UNIT_ZH = r"(?:个)?(?:工作日|日|天|小时|个月|月|年|周|星期)"

# (kind, pattern over the lower-cased question), first match wins: a period before a count,
# money before a bare number.
_QUESTION_FORMS: list[tuple[Kind, re.Pattern[str]]] = [
    (
        Kind.PERCENT,
        re.compile(
            r"\bwhat (?:percentage|per ?cent|proportion|share)\b|\bhow many per ?cent"
            r"|百分之几|百分比|多大比例|比例是多少|占比多少"
        ),
    ),
    (
        Kind.PERIOD,
        re.compile(
            rf"\bhow long\b|\bhow soon\b|\bhow many {_TIME_UNIT_EN}\b"
            # 几个月 is a length of time; a bare 几月 asks which month (每年几月).
            rf"|\bhow often\b|多久|多长时间|多长|(?:多少|几(?!月(?!内))){_TIME_UNIT_ZH}(?!底)"
            # "What is the filing deadline …", "the maximum prison sentence", "retention period".
            r"|\b(?:what|which) (?:is|are|was) the (?:[a-z-]+ ){0,2}(?:deadlines?|time limits?|"
            r"(?:retention|validity) periods?|(?:prison|jail) (?:sentences?|terms?))\b"
        ),
    ),
    (
        Kind.DATE,
        re.compile(
            r"\b(?:what|which) (?:date|day|year|month)\b|\bsince when\b|\bby when\b"
            r"|\bwhen (?:did|does|will|was|is|were)\b.*\b(?:take effect|come into force|"
            r"enter(?:ed)? into force|effective|publish(?:ed)?|adopt(?:ed)?|enact(?:ed)?|"
            r"promulgat(?:e|ed)|issued?|announce[ds]?)\b"
            # A past event ("When was iFlytek blacklisted?", "When did AWS start offering
            # H100s?") happened on a date; "when is a licence required" asks a condition.
            r"|\bwhen (?:did|was|were)\b"
            r"|哪一天|哪天|哪一年|哪年|几月|何时起|何时开始|何日|什么时候(?:起|开始|施行|生效)"
        ),
    ),
    (
        Kind.MONEY,
        re.compile(
            rf"{FINE_ASKED.pattern}"
            r"|\bhow much\b(?! (?:time|data|power|computing|compute|capacity|information))"
            r"|\b(?:what|which) (?:is the |are the |was the )?(?:maximum |minimum |highest |"
            r"lowest |largest )?(?:[a-z]+ )?(?:fine range|amount of the fine|price|cost|fees?|"
            r"(?:registered |paid-in )?capital|damages|compensation)\b"
            r"|\bwhat (?:is|was|are|were)\b[^?]*\bbudgets?\b"
            r"|\bhow big (?:a |is the |was the )?(?:fine|penalty)"
            r"|多少元|多少钱|多少美元|多少万|(?:金额|资本|价格|费用|收入|"
            r"赔偿|罚款|罚金|销售额|申请费|手续费|服务费|年费|预算|经费)[^，。？?]{0,6}(?:多少|几)"
            r"|多少(?:[\u4e00-\u9fff]{0,6})(?:费用|预算|经费|资金)"
        ),
    ),
    (
        Kind.NUMBER,
        re.compile(
            r"\bhow many\b|\b(?:what|which) (?:[a-z-]+ ){0,2}(?:number|threshold|thresholds)\b"
            r"|\bwhat (?:is|are) the (?:[a-z-]+ )?(?:number|threshold|thresholds|caps?|quotas?|ceilings?)\b"
            r"|\b(?:what|which) age\b|\bhow old\b|\b(?:minimum|maximum|lowest|highest) age\b"
            r"|\bage (?:limit|threshold)\b"
            # 哪几类 asks which kinds (电信业务分为哪几类？), not how many.
            r"|多少|(?<!哪)几(?:个|家|台|颗|项|条|种|级|类|次|名|人|岁)|多大年龄"
        ),
    ),
]

_NUMERAL_ZH = "零〇一二三四五六七八九十百千万亿两半"
# A number of days, months, hours …: "六个月", "72 hours", "two working days".
_COUNTED_TIME = (
    rf"(?:\d+|[{_NUMERAL_ZH}]+)\s*{_TIME_UNIT_ZH}"
    rf"|\b(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
    rf"fifteen|twenty|thirty|forty|sixty|ninety|hundred|several)[\s-]+(?:\w+[\s-])?"
    rf"{_TIME_UNIT_EN}\b"
)
_COUNTED_TIME_RE = re.compile(_COUNTED_TIME)
_STATES: dict[Kind, re.Pattern[str]] = {
    Kind.MONEY: re.compile(
        rf"\d[\d,.]*\s*(?:万|亿|千|million|billion)?\s*(?:元|美元|欧元|人民币|yuan|rmb|"
        rf"dollars?|usd|euros?|eur)|(?:\$|us\$|usd|rmb|¥|€|£)\s?\d"
        rf"|[{_NUMERAL_ZH}]+(?:万|亿)?元|\d[\d,.]*\s*(?:million|billion)"
        # A fine may be a multiple or a share of something: of turnover, of the deal.
        rf"|[\d{_NUMERAL_ZH}]+倍|\btimes the\b"
        rf"|(?:百分之[{_NUMERAL_ZH}]+|千分之[{_NUMERAL_ZH}]+|\d\s*[%‰]|\bper ?(?:cent|mille)\b)"
        rf"(?=.*(?:罚款|罚金|违约金|\bfines?\b|\bpenalt|\blate (?:fee|payment)|turnover|营业额))"
    ),
    Kind.PERIOD: re.compile(
        rf"{_COUNTED_TIME}"
        # How often, or a period the law leaves to agreement or reason ("the agreed period").
        r"|\bannual(?:ly)?\b|\bevery (?:\w+ )?(?:day|week|month|quarter|year)\b|\bperiod\b"
        r"|\buntil\b|\bpermanent(?:ly)?\b|每(?:年|月|季度|半年|周)|期限|期间|长期|永久"
    ),
    Kind.DATE: re.compile(
        rf"\d{{4}}\s*年|[\d{_NUMERAL_ZH}]{{1,3}}\s*月|\b(?:19|20)\d{{2}}\b"
        r"|\b(?:january|february|march|april|june|july|august|september|october|"
        r"november|december)\b|\b(?:jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec)\.?\s+\d{1,2}\b"
        # "May" is a month only beside a day or a year: "BIS may inform persons" is no date.
        r"|\bmay\s+\d{1,2}\b|\b\d{1,2}\s+may\b|\bmay\s+(?:19|20)\d{2}\b"
    ),
    Kind.PERCENT: re.compile(rf"\d\s*%|百分之[{_NUMERAL_ZH}]+|\bper ?cent\b|成(?=以上|以下)"),
    Kind.NUMBER: re.compile(
        rf"\d|[{_NUMERAL_ZH}]+(?:个|家|台|颗|项|种|级|类|次|名|人|倍|元|万|亿|"
        rf"{_TIME_UNIT_ZH})"
        r"|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
        r"twenty|thirty|hundred|thousand|million|billion)\b"
    ),
}

# Numbers that name things rather than state them: article, section and part numbers, the
# EAR's footnotes ("entities with a footnote 1 designation") and supplements.
_REFERENCES = re.compile(
    rf"第[{_NUMERAL_ZH}\d]+[条款项章节编]|(?:article|section|§|part|paragraph|art\.|footnote|"
    r"supplement no\.)\s*"
    r"[\d.]+(?:\([a-z0-9]+\))*",
    re.IGNORECASE,
)
_TOKEN = re.compile(r"[a-z0-9][a-z0-9.:§-]*", re.IGNORECASE)
# The marker opening a list item ("(4) the high technical standards …", （三）, "2."): it
# numbers the item, it states no value.
_ITEM_MARKER = re.compile(
    rf"^\s*(?:[（(](?:\d{{1,2}}|[{_NUMERAL_ZH}]{{1,3}}|[a-z]{{1,4}})[）)]|\d{{1,2}}[.、](?!\d))"
)


# Words that only ask: "how long", 多少, 哪一天 occur in no answer, so they must not count
# against the sentences that answer (with them, 《网络安全法》从哪一天开始施行？ found its answer,
# 本法自2017年6月1日起施行, covering half the question).
_ASKING = re.compile(
    r"\bhow (?:long|much|many|often|soon)\b"
    # 罚多少钱 / 最高罚多少: the fine asked for is read as 罚款 (`retrieval.query`), the top
    # tier by `asks_maximum`; the lay words themselves stand in no article.
    r"|(?:最高|最多)?(?:可以)?罚多少钱?|多少钱|最高|最多"
    r"|多少|多久|多长时间|多长|哪一天|哪天|哪一年|哪年|哪些|哪个|哪家|哪种|哪里|什么时候|什么|怎么办"
    r"|怎么|怎样|如何|能否|能不能|是不是|有没有|还能|为什么|一共|分别|吗|呢|几",
    re.IGNORECASE,
)


def without_asking(question: str) -> str:
    """The question without the words that only ask (see `_ASKING`)."""
    return _ASKING.sub(" ", question)


# "Which permit …", "what kinds of algorithms …": the noun after the question word names what
# the answer must name (a permit, the kinds), so it chooses among sentences more than the
# question's other terms, which the whole topic shares.
_ASKED_THING = re.compile(
    r"\b(?:which|what)\s+(?:(?:kinds?|types?|sorts?|categories|forms?)\s+of\s+)?([a-z][a-z-]+)",
    re.IGNORECASE,
)
_NOT_A_THING = frozenset(
    {"is", "are", "was", "were", "be", "been", "does", "do", "did", "can", "could", "may"}
    | {"might", "must", "shall", "should", "will", "would", "has", "have", "had", "the", "a"}
    | {"an", "this", "that", "these", "those", "it", "its", "they", "there"}
)


# 哪些义务, 什么途径, 哪家公司: the first word of two or more characters after the question word
# (哪些安全保护义务 gives 安全, still the phrase's own; 什么人担任 gives 担任).
_ASKED_THING_ZH = re.compile(r"(?:哪些|哪种|哪类|哪个|哪家|哪项|什么|何种)([\u4e00-\u9fff]{2,})")


def asked_thing(question: str) -> str | None:
    """The noun a "which/what X" question asks for (`_ASKED_THING`, `_ASKED_THING_ZH`), or
    None."""
    match = _ASKED_THING.search(question)
    if match is not None and match.group(1).lower() not in _NOT_A_THING:
        return match.group(1)
    zh = _ASKED_THING_ZH.search(question)
    if zh is not None:
        words = [w for w in tokenize(zh.group(1)) if len(w) > 1]
        return words[0] if words else None
    return None


def asked_attributes_named(question: str, passage: str) -> bool:
    """Whether `passage` names every personal attribute the question asks about (a
    nationality, an education, years of experience): "Must the officer be a Chinese
    citizen?" is not answered by the article that only says an officer is appointed."""
    lowered = question.lower()
    text = passage.lower()
    return all(named.search(text) for asked, named in _ATTRIBUTES if asked.search(lowered))


_EDUCATION = re.compile(
    r"学历|学位|\b(?:academic|university|college) (?:degrees?|qualifications?)\b|\bdiplomas?\b"
    r"|\beducational background\b"
)
_QUALIFICATION = re.compile(r"资质|任职资格|任职条件|\bprofessional qualifications?\b")
_EXPERIENCE = re.compile(r"工作经验|从业经验|工作经历|\byears? of experience\b|\bwork experience\b")
# Attributes of a person a requirement may set: (the question asks about one, a passage names
# it). Citizens as the actors of a rule ("Can Chinese citizens sue?", 公民个人信息) ask no
# nationality; only being one does ("Must the officer be a Chinese citizen?").
_ATTRIBUTES: list[tuple[re.Pattern[str], re.Pattern[str]]] = [
    (
        re.compile(
            r"国籍|\bcitizenship\b|\bnationality\b|\bbe (?:a |an )?(?:[a-z.]+ )?citizens?\b"
        ),
        re.compile(r"国籍|公民|\bcitizens?(?:hip)?\b|\bnationality\b"),
    ),
    (_EDUCATION, _EDUCATION),
    (_QUALIFICATION, _QUALIFICATION),
    (_EXPERIENCE, _EXPERIENCE),
]


def expected_kind(question: str) -> Kind | None:
    """The kind of answer `question` asks for, or None when its form does not say."""
    lowered = question.lower()
    for kind, form in _QUESTION_FORMS:
        if form.search(lowered):
            return kind
    return None


# What a sum of money is: a question that names one is answered only by a sentence that
# names it too, in either language ("the capital requirement for a B11 licence" is not
# answered by a fine of 五十万元).
_MONEY_OF: list[re.Pattern[str]] = [
    re.compile(r"\bfine[sd]?\b|\bpenalt(?:y|ies)\b|\blate (?:fees?|charges?)\b|罚款|罚金|违约金|滞纳金"),
    re.compile(r"\bcapital\b|资本|注册资金"),
    re.compile(
        r"\bprices?\b|\bcosts?\b|\bfees?\b|\bcharges?\b|价格|费用|收费|价款|申请费|手续费|服务费|年费"
    ),
    re.compile(r"\bbudgets?\b|预算|经费|投入"),
    re.compile(r"\bspen(?:d|ds|ding|t)\b|\bexpenditures?\b|支出|花费|花了"),
    re.compile(r"\bdamages\b|\bcompensation\b|赔偿"),
    re.compile(r"\bearn(?:s|ed|ings)?\b|\brevenues?\b|\bincome\b|\bsales\b|收入|营收|销售额"),
]


# Whose share a percentage is: "the foreign ownership allowed" is not answered by the state's
# 国有股权不少于51%.
_SHARE_OF: list[re.Pattern[str]] = [
    re.compile(r"\bforeign\b|外资|外商|外国|境外"),
    re.compile(r"\bstate(?:-owned)?\b|国有"),
]
_VALUE_OF: dict[Kind, list[re.Pattern[str]]] = {Kind.MONEY: _MONEY_OF, Kind.PERCENT: _SHARE_OF}


def states(kind: Kind, sentence: str, question: str = "", *, vague: bool = False) -> bool:
    """Whether `sentence` states a `kind` of value other than those the question itself gives
    (the 3A090 or § 744.23 it asks about, an article number), and for money, a sum of what
    the question asks about when it says (a fine, capital, a price, damages). `vague` lets
    "regularly" (定期) answer "how often": for when no sentence gives a frequency."""
    text = _REFERENCES.sub(" ", _ITEM_MARKER.sub(" ", sentence.lower(), count=1))
    given = {t.lower() for t in _TOKEN.findall(question) if any(c.isdigit() for c in t)}
    if given:
        text = _TOKEN.sub(lambda m: " " if m.group().lower() in given else m.group(), text)
    lowered = question.lower()
    if kind is Kind.PERIOD and any(w.search(lowered) and not w.search(text) for w in _PERIOD_OF):
        return False  # "How long is the licence valid?" is not answered by 提前90日 of a notice
    if kind is Kind.PERIOD and _RETENTION.search(text) and not _KEPT.search(lowered):
        return False  # a deadline to report a breach is not how long a report is kept (保存三年)
    if kind is Kind.PERIOD and _RECORD_KEPT.search(text) and not _RECORD.search(lowered):
        return False  # keeping personal information is not keeping a record of its processing
    if kind is Kind.PERIOD and _SOON_ASKED.search(lowered):
        return bool(_SOON_STATED.search(text))
    if kind is Kind.PERIOD and _TIME_COUNT_ASKED.search(lowered):
        return bool(_COUNTED_TIME_RE.search(text)) and _counts_asked_unit(lowered, text)
    if vague and kind is Kind.PERIOD and _OFTEN_ASKED.search(lowered) and _REGULARLY.search(text):
        return True  # "how often" is answered by a law that says only "regularly" (定期)
    if kind is Kind.NUMBER and _AGE_ASKED.search(lowered):
        return bool(_AGE_STATED.search(text))
    if kind is Kind.PERIOD and _KEEPING_ASKED.search(lowered) and not _OFTEN_ASKED.search(lowered):
        # "How long must records be kept?" is not answered by a yearly report (每年度).
        text = _FREQUENCY.sub(" ", text)
    if not _STATES[kind].search(text):
        return False
    asked = [what for what in _VALUE_OF.get(kind, ()) if what.search(lowered)]
    if asked and not any(what.search(text) for what in asked):
        return False
    if _RATE_ASKED.search(lowered) and not _RATE_STATED.search(text):
        return False
    if kind is Kind.NUMBER:
        return _counts(lowered, text)
    return True


# The Chinese verbs of keeping something (a record, data): 保存, 留存, 保留, 存储.
_KEEP_ZH = "保存|留存|保留|存储"


# How long something is kept: not answered by how long a licence is valid (有效期不超过1年).
# ("keep providing maintenance" is how long a duty lasts, not a retention.) Unlike
# `_KEEPING_ASKED` below it leaves out "hold", which a detention question uses too.
_KEPT = re.compile(
    r"\b(?:keep|kept|retain(?:s|ed)?|retention|stored?|preserved?|maintained)\b"
    r"(?! (?:on )?[a-z]+ing\b)"
    rf"|{_KEEP_ZH}"
)


# Periods of a kind a question may name, and the sentence that answers must name too: a
# validity (有效期, "valid for", 届满), a prison term (with its kind of detention), a retention.
_PERIOD_OF: list[re.Pattern[str]] = [
    re.compile(r"有效期|有效|届满|失效|\bvalid(?:ity)?\b|\bexpir"),
    re.compile(r"\b(?:prison|jail)\b|\bimprisonment\b|\bdetention\b|徒刑|拘役|拘留|监禁"),
    _KEPT,
]


# A period something is kept for ("应当至少保存三年", "retained for five years"): it answers a
# question about keeping only.
_RETENTION = re.compile(
    rf"(?:{_KEEP_ZH})[^，。；]{{0,6}}?(?:不少于|至少|不得少于)?[\d{_NUMERAL_ZH}]+\s*个?(?:年|月|日)"
    r"|\b(?:kept|retained|stored|preserved) for\b"
    # A retention period named, not stated: "（二）…个人信息种类、保存期限；" lists it.
    rf"|(?:{_KEEP_ZH})期限|\bretention periods?\b"
)


# A record, log or document kept for a period ("处理情况记录，应当至少保存3年", "logs retained
# for six months"): it answers how long such a thing is kept, not how long the personal
# information or data it records is. (相关资料 may be the information itself: not a record.)
_RECORD = re.compile(
    r"记录|日志|资料|材料|文件|报告|证明|凭证|合同|单据"
    r"|\b(?:records?|logs?|documents?|documentation|reports?|certificates?|files?|contracts?)\b"
)
_RECORD_KEPT = re.compile(
    r"(?:记录|日志|文件|报告|凭证)[，,]?[^，。；]{0,4}?(?:保存|留存)"
    r"|\b(?:records?|logs?|documents?|reports?)\b[^.;]{0,40}\b(?:kept|retained|stored|preserved)\b"
)


# "How long must X be kept": a length of time, which how often something is done is not.
_KEEPING_ASKED = re.compile(
    r"\b(?:keep|kept|retain|retained|store|stored|preserve|preserved|hold|held)\b"
    rf"|{_KEEP_ZH}"
)
_OFTEN_ASKED = re.compile(r"\bhow (?:often|frequently)\b|一次|频率|每隔")
_REGULARLY = re.compile(r"定期|\b(?:regularly|periodically|on a regular basis)\b")
_FREQUENCY = re.compile(
    r"\bannual(?:ly)?\b|\bevery (?:\w+ )?(?:day|week|month|quarter|year)\b"
    r"|每(?:年度|年|月|季度|半年|周)"
)


def _counts_asked_unit(question: str, text: str) -> bool:
    """A question asking "how many hours" (多少小时) is answered by a count of hours, not by
    3个月内 of another duty; one naming no unit, by any count of time."""
    for asked, counted in _UNITS:
        if asked.search(question):
            return bool(counted.search(text))
    return True


def _unit(zh: str, en: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """(the question asks for a count of this unit, a sentence states one)."""
    number = rf"(?:\d+|[{_NUMERAL_ZH}]+|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|"
    number += r"eleven|twelve|fifteen|twenty|thirty|sixty|ninety|several))"
    return (
        re.compile(rf"\bhow many (?:business |working |calendar )?{en}s?\b|(?:多少|几)个?(?:{zh})"),
        re.compile(rf"{number}\s*个?(?:{zh})|{number}[\s-]+(?:\w+[\s-])?{en}s?\b"),
    )


_UNITS = [
    _unit("小时", "hour"),
    _unit("工作日|日|天", "day"),
    _unit("周|星期", "week"),
    _unit("月", "month"),
    _unit("年", "year"),
]


# "Under what age …", 几岁: an age, which a count of years elsewhere (保存三年) is not.
_AGE_ASKED = re.compile(
    r"\b(?:what|which) age\b|\bhow old\b|\b(?:minimum|maximum|lowest|highest) age\b"
    r"|\bage (?:limit|threshold)\b|几岁|多少岁|多大年龄"
)
_AGE_STATED = re.compile(
    rf"[\d{_NUMERAL_ZH}]+\s*周?岁|\b\d+\s+years? (?:old|of age)\b|\baged? (?:under |over )?\d+"
)


# "How soon must a breach be reported?" is answered by "immediately" (立即) as well as by a
# number of days; "how long must logs be kept?" is not answered by "promptly".
_SOON_ASKED = re.compile(
    r"\bhow (?:soon|quickly|fast)\b|\bby when\b|\bwithin how long\b|\bhow long after\b"
    r"|多快|(?:多久|多长时间|多少时间)(?:之内|以内|内)"
)
# A time limit (a count of days or hours, or at once), not the length of a period (保存期限)
# and not "in good time" (及时, promptly), which sets no limit: "within how long must the
# authority decide?" is answered by 3个月内, not by the operator's duty to report 及时.
_SOON_STATED = re.compile(
    rf"{_COUNTED_TIME}|\bimmediately\b|\bwithout (?:undue )?delay\b"
    r"|\bforthwith\b|立即|立刻|即时"
    # A limit the law leaves to reason or to a deadline it sets elsewhere: 合理期限内.
    r"|期限内|\bwithin (?:a|the) (?:reasonable|prescribed|statutory) (?:period|time)\b"
)
# "Within how many days", 多少个工作日: a count, which 在法定期限内 ("within the statutory
# period") does not give.
_TIME_COUNT_ASKED = re.compile(
    rf"\bhow many {_TIME_UNIT_EN}\b|(?:多少|几){_TIME_UNIT_ZH}(?!底)"
    # "How long does the assessment take?": a count of days, not a field named 存储期限.
    r"|\bhow long (?:does|do|did|will|would)\b[^?]*\btake\b"
)


# A rate ("how much per hour", 每小时多少钱) is stated only as one: a total is not a rate.
_RATE_ASKED = re.compile(
    r"\bper (?:hour|day|week|month|year|unit|gpu|chip|server|user|record)\b|\bhourly\b"
    r"|\bdaily\b|\bmonthly\b|\bfor each day\b|每(?:小时|天|日|周|月|年|台|个|人)|按日"
)
_RATE_STATED = re.compile(
    r"\bper\b|\bhourly\b|\bmonthly\b|\bannual(?:ly)?\b|\ban? (?:hour|day|week|month|year)\b"
    r"|\beach\b|\bevery\b|\bdaily\b|/\s?(?:h|hr|hour|day|month|year)\b|每|按日"
    r"|\b(?:one|single|\d+)[- ](?:hour|day|week|month|year)\b"
)
# "How many X", 几个X, 多少人: a count of X, so the number must come with X.
_COUNTED_EN = re.compile(r"\bhow many ([a-z][a-z0-9-]*)(?: ([a-z][a-z0-9-]*))?")
_COUNTED_ZH = re.compile(r"(?:几|多少)([个家台颗项条种级类次名人位件])([\u4e00-\u9fff]{0,2})")
_NUMBER_WORD = (
    r"(?:\d[\d,.]*|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|"
    r"thirty|hundred|thousand|million|billion|dozens?|several)"
)
_NOT_COUNTED = frozenset({"of", "the", "more", "times", "in", "total", "are", "is", "were", "do"})


def _counts(question: str, text: str) -> bool:
    """Whether `text` counts the thing `question` asks how many of (when it names one). The
    thing is looked for in the question's own words, so only in a sentence of the question's
    language: 多少台云服务器 is answered by "500 cloud servers" as well, by its number alone,
    if that number is not a period or a sum."""
    if detect_language(text) != detect_language(question):
        # A period or a sum counts no thing: "3个月内" does not say how many employees.
        rest = _COUNTED_TIME_RE.sub(" ", _STATES[Kind.MONEY].sub(" ", text))
        return bool(_STATES[Kind.NUMBER].search(rest))
    if m := _COUNTED_ZH.search(question):
        unit, noun = m.group(1), m.group(2)
        marks = {unit} if not noun or unit != "个" else set()
        marks |= {noun[0], noun[-1]} if noun else set()
        pattern = rf"[\d{_NUMERAL_ZH}]\s*(?:个)?(?:{'|'.join(map(re.escape, sorted(marks)))})"
        return bool(re.search(pattern, text))
    if m := _COUNTED_EN.search(question):
        words = [w for w in m.groups() if w and w not in _NOT_COUNTED]
        stems = [w[:-1] if w.endswith("s") and len(w) > 3 else w for w in words]
        if not stems:
            return True
        named = "|".join(re.escape(st) for st in stems)
        return bool(re.search(rf"\b{_NUMBER_WORD}\b(?:\W+\w+){{0,3}}?\W+(?:{named})", text))
    return True


# "What is the maximum fine", 最高罚款: the answer is the top of the scale, not its first tier.
_MAXIMUM = re.compile(
    r"\b(?:maximum|highest|largest|most|up to|upper limit|cap)\b|最高|上限|最多|最大"
)


def asks_maximum(question: str) -> bool:
    """Whether a question asks for the top of a scale ("the maximum fine", 最高罚多少)."""
    return bool(_MAXIMUM.search(question.lower()))


# "What is the maximum fine under the PIPL?", 数据安全法最多罚多少？: the top fine of a whole
# law, asked about no act in particular.
_LAW_MAXIMUM = re.compile(
    r"\s*what(?: is|'s) the (?:maximum|highest|largest|top) (?:fine|penalty|monetary penalty)"
    r"(?: amount)? (?:under|in|of|for (?:violating|breaching|breaking)) (?:the )?"
    r"(?:[\w&.§-]+ ){0,7}?(?:law|regulations?|rules|measures|provisions|code|act|pipl|csl|dsl)"
    r"\s*\??\s*$"
    r"|\s*what(?: is|'s) the (?:maximum|highest|largest) (?:pipl|csl|dsl) (?:fine|penalty)\s*\??\s*$"
    r"|\s*(?:违反)?《?[^，,。？?]{2,24}?(?:法|条例|规定|办法)》?(?:规定的)?(?:罚款)?"
    r"(?:最高|最多)(?:可以?)?(?:罚款?|处)?(?:是)?多少(?:钱|元)?[？?]?\s*$",
    re.IGNORECASE,
)


def asks_law_maximum(question: str) -> bool:
    """Whether a question asks for the largest fine of a whole law, not of one act under it."""
    return bool(_LAW_MAXIMUM.match(question.strip()))


def largest_sum(sentence: str) -> float:
    """The largest amount `sentence` states (五千万元 = 50,000,000), 0 when it states none."""
    amounts = [float(k.partition(":")[2]) for k in figures(sentence) if k.startswith("num:")]
    return max(amounts, default=0.0)


# "Which reference discusses …", 论文引用的…, 刊登在哪本期刊: the answer is an entry of a
# reference list or a web address, which other questions never get as an answer.
_REFERENCE_ASKED = re.compile(
    r"\b(?:references?|cites?|cited|citing|bibliography|journal|published in|doi|url|link)\b"
    r"|参考文献|引用|引文|期刊|刊登|刊物|发表在|出处|链接|网址"
)


def asks_reference(question: str) -> bool:
    """Whether a question asks about what a text cites or where it was published."""
    return bool(_REFERENCE_ASKED.search(question.lower()))


# A sentence that says what a term is: 是指, 本法所称, "means", "refers to". Not "includes"
# (包括) inside a sentence, which lists the contents of a report as often as the members of a
# class; only a term and its comma before it (数据处理，包括…).
_DEFINITION_STATED = re.compile(
    r"^\s*(?:[（(][^）)]{1,4}[）)])?\s*[^，。\s]{1,20}，包括"  # 数据处理，包括数据的收集…
    r"|是指|指的是|所称|[^不]是一旦|属于|\bmeans\b|\bshall mean\b|\brefers? to\b"
    r"|\b(?:is|are) defined\b|\b(?:is|are) considered\b|\bcounts? as\b|\bqualif(?:y|ies) as\b"
)


def defines(sentence: str) -> bool:
    """Whether a sentence has the form of a definition (see `_DEFINITION_STATED`)."""
    return bool(_DEFINITION_STATED.search(sentence.lower()))


@dataclass(frozen=True)
class RuleForm:
    """A form of rule a question may ask for, and the sentences that state one: "What does
    § 744.6 prohibit?" is answered by a prohibition, not by the scope paragraph that names
    "the general prohibitions"; "What is the penalty for …?" by a sanction, not by the rule
    that was broken; "What must operators do …?" by a duty, not by the other party's right
    (有权要求…删除). A yes/no question ("Is … prohibited?") asks for none of them."""

    asked: re.Pattern[str]
    stated: re.Pattern[str]
    #: Names the answer may give that a question may give already: those the question names
    #: do not answer it ("Which BIS office reviews …?" is not answered by "BIS may inform").
    given: re.Pattern[str] | None = None

    def asked_by(self, question: str) -> bool:
        return not asks_yes_no(question) and bool(self.asked.search(question.lower()))

    def stated_by(self, sentence: str, question: str = "") -> bool:
        text = sentence.lower()
        if self.given is not None and question:
            for name in {m.group() for m in self.given.finditer(question.lower())}:
                text = re.sub(rf"(?<![a-z]){re.escape(name)}(?![a-z])", " ", text)
        return bool(self.stated.search(text))


# What a rule forbids ("What does § 744.6 prohibit?", 禁止哪些行为？); stated as "No U.S.
# person may …", "shall not", 不得, 禁止 (not by naming "the prohibitions in this section").
_PROHIBITION_ASKED = re.compile(
    r"\bwhat\b[^?]*\b(?:prohibit(?:s|ed)?|forbid(?:s|den)?|bans?|banned|bar(?:s|red)?)\b"
    r"|\bwhat are the prohibitions\b|禁止[^，。？?]{0,10}?(?:什么|哪些)|不得(?:做|从事|实施)?(?:什么|哪些)"
    # "What must providers not do …?", "what may an exporter not do", "what can't they do".
    r"|\bwhat (?:must|shall|may|should|can)(?: [\w'’-]+){0,6}? not do\b"
    r"|\bwhat (?:mustn|shouldn|can)['’]?t\b[^?]*\bdo\b"
    r"|(?:哪些|什么)(?:行为|活动|事项)[^？?]{0,10}(?:禁止|不得|不准)"
)
_PROHIBITION_STATED = re.compile(
    r"\bno\b[^;:]{0,40}?\b(?:may|shall)\b|\b(?:may|shall|must) not\b|\bcannot\b"
    r"|\b(?:is|are) (?:prohibited|forbidden|banned)\b|\b(?:prohibits|forbids|bans)\b"
    r"|不得|禁止|严禁|不准"
)

# A fine, a warning, a licence revoked, detention, or a liability (承担连带责任, 追究法律责任).
_SANCTION_STATED = re.compile(
    r"罚款|罚金|警告|没收|吊销|责令(?:停|暂停|关闭|改正)|拘留|处分|刑事责任|停业整顿"
    # An exemption is no sanction: "bore no liability", "is not liable", 不承担赔偿责任.
    r"|(?<!不)承担[^，。；]{0,8}责任|追究[^，。；]{0,4}责任|(?<!not )\bliable\b"
    r"|(?<!no )\bliabilit(?:y|ies)\b"
    r"|\bfined?\b|\bfines\b|\bpenalt(?:y|ies)\b|\bimprisonment\b|\brevok|\bwarning\b"
    r"|\bconfiscat|\bdenial of export privileges\b"
)

# What someone must do ("What must network operators do when …?", 应当怎么做？, 有哪些义务？);
# stated as a positive duty (应当, 必须, "shall", "must", "is required to").
_OBLIGATION_ASKED = re.compile(
    r"\bwhat (?:must|shall|should)\b|\bwhat (?:obligations|duties)\b"
    r"|\bwhat (?:is|are) [^?]{0,60}\b(?:required|obliged|obligated) to do\b"
    r"|(?:应当|应该|必须|需要)(?:做|履行|采取)?(?:什么|哪些|怎么做|如何做|如何处理)"
    r"|(?:有|负有|承担)(?:什么|哪些)(?:义务|职责)"
)
_OBLIGATION_STATED = re.compile(
    r"应当|必须|\bmust\b(?! not)|\bshall\b(?! not)|\b(?:is|are) required to\b"
)

# Which authority acts ("Which agency approves …?", 由哪个部门备案？): answered only by a
# sentence that names one (a department, a ministry, BIS, 网信部门), never by a rule on the
# same topic that names none ("报告应当至少保存三年" does not say where a report is filed).
# "Which / what (two words at most) X", 哪个/什么(four characters at most)X: the openings of
# the questions below that ask for a named authority, court or licence.
_WHICH_EN = r"\b(?:which|what) (?:[a-z-]+ ){0,2}"
_WHICH_ZH = r"(?:哪个|哪些|哪一?级|什么|何)(?:[\u4e00-\u9fff]{0,4})?"
_AUTHORITY_ASKED = re.compile(
    rf"{_WHICH_EN}(?:department|agency|agencies|authority|authorities"
    r"|ministry|ministries|regulators?|bureau|offices?|government body|body|bodies)\b"
    rf"|{_WHICH_ZH}(?:部门|机关|机构)"
    # "To whom must it apply?", 向谁申请 / 向谁报告: the body applied or reported to.
    r"|\bto whom\b|向谁(?:申请|报告|备案|申报|提出|提交|投诉|举报)"
    # "Who makes the rules for protecting military data?", 由谁制定: the body that makes them.
    r"|\bwho (?:makes|sets|issues|drafts|formulates|approves|publishes)\b|由谁(?:制定|发布|批准)"
)
# The authorities a sentence names by name, not by kind (部门, "agency"): one the question
# names already is not the one it asks for.
_NAMED_ZH = "国务院|网信|公安|商务部|工业和信息化部"
_NAMED_EN = "bis|cac|miit|mofcom"
_AUTHORITY_NAMED = re.compile(rf"{_NAMED_ZH}|\b(?:{_NAMED_EN})\b")
_AUTHORITY_STATED = re.compile(
    rf"部门|机关|机构|委员会|{_NAMED_ZH}|法院|检察院|人民政府|主管"
    rf"|\b(?:department|ministry|bureau|{_NAMED_EN}|administration|authority|authorities"
    r"|commission|court|agency|regulators?|council|secretary|government|office)\b"
)

# Who leads a body ("Who chairs the coordination mechanism?", 由谁牵头？): answered by a
# sentence that names a head or a lead (牵头, 负责人, "headed by"), not by the one that only
# says the body exists.
_LEADER_ASKED = re.compile(
    r"\bwho (?:chairs|heads|leads|directs|runs)\b"
    r"|\bwho is the (?:current )?(?:head|chair|chairman|chairperson|director|leader)\b"
    r"|由谁牵头|谁牵头|谁(?:来)?(?:主持|领导)|谁担任(?:主任|组长|负责人)"
)
_LEADER_STATED = re.compile(
    r"牵头|主任|组长|负责人|部长|主席|主持|领导"
    r"|\b(?:head|heads|headed|chair|chairs|chaired|chairman|chairperson|director|leads"
    r"|led by|secretary|administrator|commissioner)\b"
)

# Which licence one needs ("Which permit does a provider need?", 需要取得什么许可证？):
# answered by a sentence that requires one (须经…取得, "must secure"), not by a penalty that
# revokes one (吊销相关业务许可证).
_LICENCE_ASKED = re.compile(
    rf"{_WHICH_EN}(?:licen[cs]es?|permits?)\b[^?]*"
    r"\b(?:need|needs|needed|required|require|requires|must|obtain|hold)\b"
    r"|(?:需要|应当|须|必须)(?:取得|申请|办理|获得)(?:什么|哪些|哪种|哪类)(?:[\u4e00-\u9fff]{0,6})?(?:许可|执照|资质)"
)
_LICENCE_STATED = re.compile(
    r"取得|须经|应当经|申请|领取|持有|\b(?:must|shall|need to|required to) (?:obtain|hold|secure|"
    r"apply for|have)\b|\b(?:needs?|requires?|required)\b"
)

# Which court ("Which court hears …?", 由哪个法院审理？): a sentence naming a court, which a
# department deciding something (由…管理部门审查批准) is not.
_COURT_ASKED = re.compile(rf"{_WHICH_EN}courts?\b|{_WHICH_ZH}法院")
_COURT_STATED = re.compile(r"法院|法庭|\bcourts?\b|\btribunals?\b")

# How to reach someone ("What is Shi Yuhang's phone number?", 邮箱是什么？): a sentence that
# gives a telephone number or an e-mail address, not the one saying who the person is.
_CONTACT_ASKED = re.compile(
    r"\b(?:(?:tele)?phone|mobile|fax)(?: number)?\b|\be-?mail(?: address)?\b|\bcontact details\b"
    r"|电话|手机|传真|邮箱|电子邮件|联系方式"
)
_CONTACT_STATED = re.compile(
    r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+|(?:\+\d{1,3}[\s-]?)?(?:\(?\d{2,4}\)?[\s-]?){2,4}\d{3,4}\b"
)

# When a duty applies ("When must an impact assessment be carried out?", 在什么情况下需要…？):
# answered by a sentence that states its condition (有下列情形之一的, "where", "before"), not
# by the rule on what the assessment contains. ("When does the law take effect?" asks a date.)
_CONDITION_ASKED = re.compile(
    r"\bwhen (?:must|should|shall|is|are|do|does)\b(?![^?]*\b(?:take effect|in(?:to)? force)\b)"
    r"|\bunder what (?:circumstances|conditions)\b|\bin what (?:cases|circumstances|situations)\b"
    r"|(?:在)?(?:什么|何种|哪些)(?:情况|情形)下?"
)
_CONDITION_STATED = re.compile(
    r"情形|情况下|的，|时，|前，|后，|之前|以前|事前|之后"
    r"|\b(?:where|if|when|whenever|unless|before|after|upon|once|in the event|in case)\b"
)

PROHIBITION = RuleForm(_PROHIBITION_ASKED, _PROHIBITION_STATED)
CONDITION = RuleForm(_CONDITION_ASKED, _CONDITION_STATED)
CONTACT = RuleForm(_CONTACT_ASKED, _CONTACT_STATED)
LEADER = RuleForm(_LEADER_ASKED, _LEADER_STATED)
COURT = RuleForm(_COURT_ASKED, _COURT_STATED)
LICENCE = RuleForm(_LICENCE_ASKED, _LICENCE_STATED)
AUTHORITY = RuleForm(_AUTHORITY_ASKED, _AUTHORITY_STATED, given=_AUTHORITY_NAMED)
SANCTION = RuleForm(SANCTION_ASKED, _SANCTION_STATED)
OBLIGATION = RuleForm(_OBLIGATION_ASKED, _OBLIGATION_STATED)
asks_prohibition, prohibits = PROHIBITION.asked_by, PROHIBITION.stated_by
asks_sanction, sanctions = SANCTION.asked_by, SANCTION.stated_by
asks_obligation, obliges = OBLIGATION.asked_by, OBLIGATION.stated_by
asks_authority, names_authority = AUTHORITY.asked_by, AUTHORITY.stated_by
asks_leader = LEADER.asked_by


def asks_time_limit(question: str) -> bool:
    """Whether a question asks how soon (`_SOON_ASKED`), which 立即 answers as well as a count."""
    return bool(_SOON_ASKED.search(question.lower()))


def counts_time(sentence: str) -> bool:
    """Whether a sentence gives a length of time as a count ("不超过二年", "six months"), not
    only a word for one (期限, "the agreed period")."""
    return bool(_COUNTED_TIME_RE.search(sentence.lower()))
