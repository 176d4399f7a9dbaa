"""What a question becomes before retrieval: the words to embed, the words to match, and the
spellings it implies in the other language or numbering style."""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.retrieval.glossary import translate, translations
from ingest.legal_refs import ArticleRef, article_aliases, find_article_refs
from ingest.normalize import detect_language


@dataclass(frozen=True)
class PreparedQuery:
    question: str  # the user's own words (article references are read from these)
    standalone: str  # the question made self-contained by the conversation (what is judged)
    expanded: str  # embedded and matched: standalone query, article aliases, glossary terms
    answer_terms: str  # what answer sentences must cover: question plus article aliases
    alternate: str  # the question with glossary terms in the other language
    language: str
    # Documents the question names by title or short name (filled in against the index).
    named: tuple[str, ...] = ()
    # `answer_terms` / `alternate` without the names of the documents the question names:
    # what tells the sentences of a named law apart ("" = the same as the full terms).
    focus_terms: str = ""
    focus_alternate: str = ""
    # Names the question gives that nothing indexed holds ("the GDPR"; see
    # assistant.retrieval.absent).
    absent: tuple[str, ...] = ()
    # The articles and sections the user's own words cite, read once (a condensed follow-up
    # does not drag in the earlier turn's articles).
    refs: tuple[ArticleRef, ...] = ()
    # The question asks when something took effect: the named law's 施行 article answers it.
    asks_in_force: bool = False
    # The question asks what a term means: the named law's definitions (用语的含义) answer it.
    asks_definition: bool = False
    # The question asks what a breach costs: a law's liability articles (法律责任) answer it.
    asks_penalty: bool = False
    # The things a list question asks for ("反制措施有哪些？" -> 措施): the article that lists
    # them ("采取下列一种或者几种措施：") answers it ("" = not a list question).
    listed: str = ""


# "When does X take effect?", 何时施行, 生效日期: the answer is the instrument's own article on
# entry into force (本法自…起施行), whatever else the question's words match.
_IN_FORCE = re.compile(
    r"\b(?:take|takes|took|taken|taking) effect\b|\bc(?:o|a)me into force\b|\beffective date\b"
    r"|\bin force since\b|生效|施行|实施日期|开始实施|起实施",
    re.IGNORECASE,
)
#: The words of an entry-into-force article, in both languages.
IN_FORCE_TERMS = "施行 起施行 生效 effect force"
#: The words of a liability article, by language: "…的，由有关主管部门责令改正，给予警告，…
#: 处…罚款", "… is subject to a civil penalty".
PENALTY_TERMS = {"zh": "罚款 处罚 警告 责令改正", "en": "penalty penalties fine sanctions"}


def _asking_for(en: str, zh: str) -> re.Pattern[str]:
    """A question asking for one of the English nouns `en` or the Chinese `zh` (alternations):
    "What is the penalty for …?", "How are violations punished?", 会受到什么处罚？"""
    return re.compile(
        rf"\bwhat (?:is|are|was|were) the (?:[a-z-]+ ){{0,2}}(?:{en})\b|\bwhat (?:{en})\b"
        r"|\bhow (?:is|are|will|would|can|could)\b[^?]*\b(?:punished|penali[sz]ed|sanctioned)\b"
        rf"|(?:什么|哪些|何种|怎样的?)(?:{zh})|怎么(?:处)?罚|如何处罚|怎样处罚"
    )


_PENALTY_NOUNS = r"penalt(?:y|ies)|punishments?|sanctions?"
# What befalls a breach, a penalty or a liability ("What are the legal consequences …?",
# 承担什么法律责任？, 泄露数据要负什么责任？); `assistant.answering.answer_type.SANCTION`
# reads it. "对 X 负什么责任" asks what X's holder is responsible for, a duty (主要负责人对安全
# 保护负总责), not what befalls a breach; so does what a person in charge (负责人) 负什么责任.
SANCTION_ASKED = re.compile(
    _asking_for(
        rf"{_PENALTY_NOUNS}|(?:legal )?consequences?|liabilit(?:y|ies)",
        "处罚|行政处罚|法律责任|后果",
    ).pattern
    + r"|(?<!负)(?<!负有)(?:什么|哪些|何种|怎样的?)责任"
    # "泄露数据要负什么责任？" asks what befalls a breach; "主要负责人负什么责任？" what the
    # person in charge answers for, a duty like "对 X 负什么责任".
    + r"|^(?![^？?]*负责人)[^对]*负有?(?:什么|哪些|何种|怎样的?)责任"
)
# A penalty only: the retrieval of liability articles leaves civil liability out.
_PENALTY_ASKED = _asking_for(_PENALTY_NOUNS, "处罚|行政处罚")
# "What is the maximum fine …", "What fine can …", 罚多少, 罚款幅度: the amount of a fine
# (`assistant.answering.answer_type` reads it as a question asking for money).
FINE_ASKED = re.compile(
    r"\bwhat (?:is the |are the |was the )?(?:maximum |minimum |highest |lowest |largest )?"
    r"(?:[a-z]+ )?fines?\b|\bhow (?:much|large|high) "
    r"(?:is |was |a )?(?:the )?(?:fine|penalty)\b|罚多少|可罚多少|罚款多少|多少罚款"
    r"|罚款(?:幅度|上限|数额|金额|倍数)|(?:最高|最多)(?:可以?)?(?:处|罚)"
)
#: The words of a definitions article or sentence, by language: 本法下列用语的含义：
#: （一）网络运营者，是指…; "… means …".
DEFINITION_TERMS = {"zh": "含义 是指 所称", "en": "means definitions defined"}


# "What counts as a 'major component'?", 敏感个人信息的定义是什么, 大型网络平台是怎么界定的,
# 大型网络平台的认定标准是什么:
# the answer is the sentence that defines the term, not one that only uses it.
_DEFINITION_ASKED = re.compile(
    r"\bwhat (?:counts|qualifies|is considered|are considered) as\b|\bcounts? as\b"
    r"|\bqualif(?:y|ies) as\b|\bdefin(?:e|ed|es|ition)\b|\bwhat does [^?]+ mean\b"
    r"|\bmeaning of\b|\bwhat is meant by\b"
    r"|定义|界定|是指什么|指的是什么|指什么|是什么意思|什么是|含义|所说的|所称的?"
    r"|认定标准|认定条件|(?:如何|怎么|怎样)认定"
    r"|属于[^，。？?]{0,12}(?:哪些|什么)|哪些[^，。？?]{0,12}属于|包括哪些(?:主体|人|单位|组织|信息|数据)"
)


def asks_definition(question: str) -> bool:
    """Whether a question asks what a term means or covers. "Does providing a service count
    as 'support'?" asks whether one thing is inside a definition, which the sentence naming
    that thing answers, and "where is it defined?" asks for a place. "What is sensitive
    personal information under the PIPL?" asks for a definition too: a bare term after "what
    is" (no "the", no possessive), where "What is the maximum fine?" asks for a value."""
    lowered = question.lower()
    if asks_yes_no(question) or "where" in lowered:
        return False
    if _DEFINITION_ASKED.search(lowered):
        return True
    bare = _WHAT_IS_TERM.match(lowered)
    return bool(bare and not set(bare.group("term").split()) & _NOT_TERMS)


# "What is sensitive personal information (under the PIPL)?", "What are important data?"
_WHAT_IS_TERM = re.compile(
    r"\W*what (?:is|are) (?:an? )?(?P<term>(?!the\b)[a-z][a-z -]{2,60}?)"
    r"(?:\s+(?:under|in|according to)\s+[^?]{2,80})?\s*\?\s*$"
)
# Words that make "what is …" ask for something other than a term's meaning.
_NOT_TERMS = frozenset(
    {
        "maximum", "minimum", "fine", "fines", "penalty", "penalties", "deadline", "time",
        "period", "amount", "number", "date", "required", "prohibited", "allowed", "permitted",
        "needed", "going", "happening", "new", "next", "latest",
    }
)  # fmt: skip


def asks_yes_no(question: str) -> bool:
    """Whether a question asks yes or no ("Does …", "Under the CSL, is …", …吗？, 是否)."""
    lowered = question.lower()
    return bool(_YES_NO.match(lowered) or _ZH_YES_NO.search(lowered))


# 属于共同财产吗？ 算不算…？ asks yes or no, as "does … count as" does.
_ZH_YES_NO = re.compile(r"吗\s*[？?]?\s*$|算不算|是不是|是否")
_YES_NO = re.compile(
    r"\W*(?:under [^,]+,\s*)?(?:does|do|did|is|are|was|were|can|could|would|will|should|must)\b"
)


def listed_thing(question: str) -> str:
    """The head noun of the things a Chinese list question asks for: 措施 in "反制措施有哪些？"
    and "采取哪些反制措施？", 职责 in "安全管理机构有哪些职责？" ("" if it asks for no list).
    The last two characters of the noun phrase: a law introduces its list by the general noun
    ("采取下列一种或者几种措施：", "履行下列职责："), not by the question's compound."""
    if asks_yes_no(question):
        return ""
    after, before = _LIST_AFTER.search(question), _LIST_BEFORE.search(question)
    if after is not None:
        noun = after.group(1)
    elif before is not None:
        # The noun phrase ends where the clause's last function word does: 反制措施 in
        # "反外国制裁法规定的反制措施有哪些？".
        noun = _NOT_A_NOUN.split(before.group(1))[-1]
    else:
        return ""
    if len(noun) < 2 or _NOT_A_NOUN.search(noun):
        return ""  # "哪些情形下需要评估？" asks a condition, not for a list of 评估
    return noun[-2:]


_LIST_AFTER = re.compile(r"(?:哪些|哪几[种类项个])([\u4e00-\u9fff]{2,6}?)(?:[？?，。/]|$|呢)")
_LIST_BEFORE = re.compile(
    r"([\u4e00-\u9fff]{2,}?)(?:都|具体|分别|主要|一般|通常|包括|大致|大概)*有哪些(?:[？?，。/]|$|呢)"
)


_NOT_A_NOUN = re.compile(r"[下需要可应是的在有为能会不得以作把被将和与及]")


def introduces_list_of(text: str, head: str) -> bool:
    """Whether `text` opens a list of `head` things ("…采取下列一种或者几种措施：", "履行下列
    安全保护义务，保障网络…:"), not a list of something else that a verb then relates to them
    ("对下列个人、组织采取反制措施：" lists persons)."""
    if not head:
        return False
    between = r"(?:(?!采取|进行|实施|予以|作出)[^：:。；，、]){0,8}?"
    return re.search(rf"下列{between}{re.escape(head)}[^。；;：:]*[：:]", text) is not None


def asks_penalty(question: str) -> bool:
    """Whether a question asks for an administrative penalty (a fine, a sanction), not one
    that names a penalty as its setting ("受过出口管制处罚的企业，多长时间内…"), nor one that
    asks for a civil liability (承担什么责任, 有什么后果), which liability articles of another
    kind answer."""
    lowered = question.lower()
    return bool(_PENALTY_ASKED.search(lowered) or FINE_ASKED.search(lowered))


def prepare_query(
    question: str,
    standalone: str | None = None,
    *,
    languages: frozenset[str] = frozenset({"zh", "en"}),
) -> PreparedQuery:
    """`standalone` is the question made self-contained by a conversation (default: itself);
    `languages` are those of the indexed documents (glossary terms are added only in those)."""
    standalone = standalone or question
    refs = tuple(find_article_refs(question))
    in_force = bool(_IN_FORCE.search(question))
    # 生效 is answered by an article on entry into force, which says 施行 (本法自…起施行);
    # retrieval finds that article by itself (`asks_in_force`).
    implied = "施行" if in_force and "施行" not in question else ""
    # 最高罚多少钱 asks for the 罚款 an article states, in words no article uses (罚, 钱).
    language = detect_language(question)
    asks_fine = language == "zh" and FINE_ASKED.search(question) and "罚款" not in question
    fine = "罚款" if asks_fine else ""
    implied = f"{implied} {fine}".strip()
    # "Article 22" must also find and match 第二十二条, and the reverse.
    aliases = " ".join(article_aliases(refs))
    text = f"{standalone} {aliases} {fine}".strip()
    extra = " ".join(translations(text, into=languages))
    return PreparedQuery(
        question=question,
        standalone=standalone,
        # Measured on the dev set: the glossary terms help the dense ranking too.
        expanded=f"{text}\n{extra}" if extra else text,
        answer_terms=f"{question} {aliases} {implied}".strip(),
        alternate=translate(f"{question} {aliases}"),
        language=language,
        refs=refs,
        asks_in_force=in_force,
        asks_definition=asks_definition(question),
        asks_penalty=asks_penalty(question),
        listed=listed_thing(question),
    )
