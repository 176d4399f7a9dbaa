"""The default answerer: no LLM, only sentences lifted from the retrieved passages.

It picks the sentences that best cover the question's terms (weighted by how rare each term
is in the corpus), cites each with its exact document offsets, and abstains with
`ABSTENTION` when the evidence is too weak. Because every answer sentence is a quote, every
claim is checkable by construction.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from assistant.answering.answer_type import (
    AUTHORITY,
    CONDITION,
    CONTACT,
    COURT,
    LEADER,
    LICENCE,
    OBLIGATION,
    PROHIBITION,
    SANCTION,
    Kind,
    RuleForm,
    asked_attributes_named,
    asked_thing,
    asks_law_maximum,
    asks_maximum,
    asks_reference,
    asks_time_limit,
    counts_time,
    defines,
    expected_kind,
    largest_sum,
    states,
    without_asking,
)
from assistant.answering.content import is_content
from assistant.evidence.crosslingual import names_missing_in_translation
from assistant.evidence.facts import entities
from assistant.evidence.figures import evidence_figures, figures
from assistant.evidence.markers import ABSTENTION
from assistant.evidence.names import missing_names, missing_names_translated, passage_context
from assistant.models import Answer, Citation, Passage
from assistant.retrieval.glossary import english_phrases
from assistant.retrieval.query import asks_definition, introduces_list_of, listed_thing
from assistant.settings import AnswerSettings
from ingest.legal_refs import CN_ARTICLE
from ingest.normalize import detect_language
from ingest.sentences import SentenceSpan, split_sentences
from ingest.tokenize import content_terms

Idf = Callable[[str], float]

# List items that continue a sentence ending in a colon: （一） (a) (1) 1. • -
LIST_ITEM = re.compile(r"^\s*(?:[（(][一二三四五六七八九十\dA-Za-z]{1,4}[）)]|\d{1,2}[.、]|[•\-*])")
_COVERAGE_WEIGHT = 0.6
_ASKED_THING_WEIGHT = 2.0
# A sentence of a law the question names ("… under the Data Security Law?") outranks an
# equally worded one of a neighbouring regulation, whose rule is not the one asked about.
_NAMED_LAW_WEIGHT = 0.15


@dataclass(frozen=True)
class Evidence:
    """How well the best passage covers the question; below the threshold we abstain."""

    score: float
    coverage: float
    dense: float


def question_weights(question: str, idf: Idf | None) -> dict[str, float]:
    return {t: (idf(t) if idf else 1.0) for t in content_terms(question)}


def coverage(weights: dict[str, float], terms: set[str]) -> float:
    total = sum(weights.values())
    if total <= 0:
        return 0.0
    return sum(w for t, w in weights.items() if t in terms) / total


def passage_terms(passage: Passage) -> set[str]:
    return content_terms(f"{passage.title}\n{passage.section or ''}\n{passage.text}")


def assess_evidence(
    question: str,
    passages: Sequence[Passage],
    idf: Idf | None,
    depth: int,
    *,
    alternate: str | None = None,
    dense_reliable: bool = True,
    dense_range: tuple[float, float] | None = None,
    cross_shift: float = 0.0,
) -> Evidence:
    """The best passage's evidence for the question.

    `alternate` is the question's concepts in the other language (a passage may cover them
    there); when the embedding model does not cover the question's language its cosine is
    noise, and evidence rests on term coverage alone. `dense_range` is the model's cosine
    range from "no topical match" to "a clear one" (`AnswerSettings.dense_floor/ceiling`);
    for a passage in the other language it sits `cross_shift` lower (`passage_dense`).
    """
    readings = question_readings(question, alternate, idf)
    dense_range = dense_range or cosine_range(AnswerSettings())
    language = detect_language(question)
    best = Evidence(0.0, 0.0, 0.0)
    for passage in passages[:depth]:
        cov = best_coverage(readings, passage_terms(passage))
        dense = (
            passage_dense(passage, language, dense_range, cross_shift) if dense_reliable else 0.0
        )
        score = _COVERAGE_WEIGHT * cov + (1 - _COVERAGE_WEIGHT) * dense if dense_reliable else cov
        if score > best.score:
            best = Evidence(score, cov, dense)
    return best


def question_readings(
    question: str, alternate: str | None, idf: Idf | None
) -> list[dict[str, float]]:
    readings = [question_weights(without_asking(question), idf)]
    if alternate:
        readings.append(question_weights(without_asking(alternate), idf))
    return readings


def best_coverage(readings: Sequence[dict[str, float]], terms: set[str]) -> float:
    return max(coverage(weights, terms) for weights in readings)


def passage_dense(
    passage: Passage, language: str, dense_range: tuple[float, float], cross_shift: float
) -> float:
    """The passage's cosine on the model's scale (0 = no topical match, 1 = a clear one). A
    question and a passage in two languages meet at lower cosines than in one (e5 on the dev
    set's train split: the gold passage's median 0.888 across languages, 0.905 within), so
    across languages the range is `cross_shift` lower."""
    across = passage.language is not None and passage.language != language
    low, high = dense_range
    shift = cross_shift if across else 0.0
    return _scale_dense(passage.dense_score, (low - shift, high - shift))


def _scale_dense(cosine: float | None, dense_range: tuple[float, float]) -> float:
    low, high = dense_range
    if cosine is None or high <= low:
        return 0.0
    return min(1.0, max(0.0, (cosine - low) / (high - low)))


def cosine_range(settings: AnswerSettings) -> tuple[float, float]:
    """The embedding model's cosines from "no topical match" to "a clear one"."""
    return settings.dense_floor, settings.dense_ceiling


@dataclass(frozen=True)
class QuestionTerms:
    """What the extractive rules look for in passages and sentences.

    `query` is the text whose terms are looked for (default: the question), for callers that
    add spellings the question implies, such as 第二十二条 for "Article 22"; `alternate` holds
    the question's terms in the other language (see `assess_evidence`). `focus` (query,
    alternate) chooses among sentences instead, when some of the question's terms say nothing
    about which sentence answers (the name of the law every candidate belongs to). `idf`
    weighs each term by its rarity in the corpus. `named` holds the documents of the laws
    the question names.
    """

    query: str | None = None
    alternate: str | None = None
    focus: tuple[str, str | None] | None = None
    idf: Idf | None = None
    named: frozenset[str] = frozenset()

    def sentence_readings(self, question: str) -> list[dict[str, float]]:
        """The readings that choose among sentences: the focus when given, else the query;
        the thing a "which X" question asks for weighs `_ASKED_THING_WEIGHT` times more."""
        readings = question_readings(
            *(self.focus or (self.query or question, self.alternate)), self.idf
        )
        thing = asked_thing(question)
        boosted = content_terms(thing) if thing else set()
        return [
            {t: w * (_ASKED_THING_WEIGHT if t in boosted else 1.0) for t, w in reading.items()}
            for reading in readings
        ]


@dataclass(frozen=True)
class Candidate:
    rank: int
    passage: Passage
    span: SentenceSpan
    terms: frozenset[str]
    score: float
    # The share of the question's weighted terms the sentence's whole passage holds.
    context: float = 0.0


def answer_extractively(
    question: str,
    passages: Sequence[Passage],
    settings: AnswerSettings,
    terms: QuestionTerms | None = None,
    *,
    dense_reliable: bool = True,
) -> Answer:
    """Answer from the passages' own sentences, each cited, or abstain.

    `terms` are what is looked for (default: the question's own words, every term weighing
    the same); `dense_reliable` is false when the embedding model does not read the
    question's language.
    """
    terms = terms or QuestionTerms()
    query = terms.query or question
    evidence = assess_evidence(
        query,
        passages,
        terms.idf,
        settings.passages_considered,
        alternate=terms.alternate,
        dense_reliable=dense_reliable,
        dense_range=cosine_range(settings),
        cross_shift=settings.cross_lingual_shift,
    )
    abstain = Answer(
        question=question,
        text=ABSTENTION,
        abstained=True,
        passages=list(passages),
        evidence=evidence.score,
    )
    if not passages or evidence.score < settings.min_evidence:
        return abstain
    readings = terms.sentence_readings(question)
    language = detect_language(query)
    candidates = _candidates(
        readings,
        passages,
        settings,
        language,
        references=asks_reference(question),
        named=terms.named,
        phrases=english_phrases(query) if language == "zh" else (),
    )
    candidates = _in_asked_time(question, candidates)
    kind = expected_kind(question)
    if kind is not None:
        typed = _stating(candidates, kind, question)
        if not typed:
            # On topic, but no sentence states the amount, period or date asked for.
            return abstain
        stating = _stating_part(
            _stating_lead(typed, kind, question, terms.named), kind, question, readings
        )
        chosen = _select(candidates, settings, lead=stating)
        # The sentences after the lead state the kind of value asked for too (another fine,
        # another period), or they are padding around it.
        chosen = [stating, *(c for c in chosen[1:] if states(kind, c.span.text, question))]
    else:
        # A question asking what a term means, or what a rule forbids, is answered by sentences
        # of that form: the definition (or prohibition) leads, and only others of its form follow.
        form: Callable[[str], bool] | None = defines
        lead = _defining_lead(candidates, question, readings)
        if lead is None:
            lead = _list_lead(candidates, question)
            form = None if lead is not None else form
        # Each form's lead, found once (None when the question does not ask for the form).
        leads = {rule: _form_lead(candidates, question, rule) for rule in _ALL_FORMS}
        for rule in _FORMS:
            if lead is None:
                # Only sentences of a rule's own form follow its lead; an authority, a head or
                # a licence named leads, and what explains it may follow ("These include B11").
                follows = None if rule in _NAMED_IN_ANSWER else rule.stated_by
                lead, form = leads[rule], follows
        if SANCTION.asked_by(question) and (lead is None or not _about_names(question, lead)):
            # "What is the penalty for …?" where no sentence near the best states a sanction,
            # or only one in a passage that does not name what the question names ("the
            # penalty for violating the EAR" is not a fine of China's dual-use regulations).
            return abstain
        if any(rule.asked_by(question) and leads[rule] is None for rule in _NAMED_IN_ANSWER):
            # "Which department is the report filed with?", "Which court hears …?", "Who
            # chairs the mechanism?", "需要取得什么许可证？" where no sentence near the best
            # names an authority (a court, a head, a licence required): the passages are on
            # the topic but do not say it.
            return abstain
        if lead is None and candidates:
            lead, form = _asked_item(_best(candidates), readings), None
        chosen = _select(candidates, settings, lead=lead)
        if form is not None and lead is not None:
            chosen = [lead, *(c for c in chosen[1:] if form(c.span.text))]
    if not chosen or not asked_attributes_named(question, chosen[0].passage.text):
        # Or the question asks about a person's nationality, education or experience and the
        # leading passage never mentions one: the rule it quotes is about something else.
        return abstain
    return cited_answer(question, chosen, passages, evidence.score)


def _defining_lead(
    candidates: list[Candidate], question: str, readings: list[dict[str, float]]
) -> Candidate | None:
    """For a question asking what a term means or covers, the best sentence that defines
    (敏感个人信息是…, "… means …") among those scoring at least `_DEFINITION_SHARE` of the best:
    "What counts as a 'major component'?" is answered by the definition, not by the
    sentence that uses the term with the most of the question's words. In a list of
    definitions (本法下列用语的含义：（一）…（二）…) the item that defines the asked term leads,
    scored as its own sentence within the list's passage; a definition by a list ("'Support'
    means: (i) … (ii) …") leads with its list."""
    if not candidates or not asks_definition(question):
        return None
    floor = _DEFINITION_SHARE * max(c.score for c in candidates)
    best: Candidate | None = None
    for cand in candidates:
        if cand.score < floor or not defines(cand.span.text):
            continue
        setting = cand.score - best_coverage(readings, set(cand.terms))
        for part in split_sentences(cand.span.text):
            if not defines(part.text):
                continue
            defined = _DEFINED.match(part.text)
            subject = content_terms(defined.group(1)) if defined else set()
            on_subject = best_coverage(readings, subject)
            if subject and on_subject <= 0:
                continue  # it defines another term (关键信息基础设施 for "important data")
            # "(6) 'Support' means:" defines by the list that follows it: the whole list leads.
            item = cand if part.text.endswith((":", "：")) else _part_of(cand, part)
            score = setting + best_coverage(readings, set(item.terms)) + on_subject
            if best is None or score > best.score:
                best = dataclasses.replace(item, score=score)
    return best


_DEFINITION_SHARE = 0.6


# The term a definition defines: what stands before 是指 / "means", after a list marker or
# 所称 ("（三）网络运营者，是指…", "本条例所称两用物项，是指…", "A major component … means").
_DEFINED = re.compile(
    r"\s*(?:[（(][^）)]{1,4}[）)])?\s*(?:第[^条\s]{1,8}条\s*)?(?:[^，。]*?所称)?([^，。]{1,60}?)[，,]?\s*"
    r"(?:是指|指的是|是一旦|包括|\bmeans\b|\bshall mean\b|\brefers? to\b|\bis defined as\b)"
)


def _list_lead(candidates: list[Candidate], question: str) -> Candidate | None:
    """For a question asking for a list ("反制措施有哪些？"), the best candidate that opens a
    list of the things asked for ("采取下列一种或者几种措施："), when it scores at least
    `_LIST_SHARE` of the best: the article listing the measures answers, not the one whose
    words match best because it names 反制措施 while listing whom they apply to. The best
    keeps the lead when it enumerates the things itself (…、联系方式、处理目的…等事项)."""
    head = listed_thing(question)
    if not head or not candidates:
        return None
    best = max(candidates, key=lambda c: c.score)
    if re.search(rf"、[^。；]*等{re.escape(head)}", best.span.text):
        return None  # the best lists them itself: "…名称或者姓名、联系方式、…等事项"
    floor = _LIST_SHARE * best.score
    listing = [
        c for c in candidates if c.score >= floor and introduces_list_of(c.span.text, head)
    ]
    return max(listing, key=lambda c: c.score) if listing else None


# The list article's words may name the asked things only by the general noun (措施, not 反制
# 措施): it leads when it scores this share of the best candidate.
_LIST_SHARE = 0.3


def _form_lead(candidates: list[Candidate], question: str, form: RuleForm) -> Candidate | None:
    """For a question asking for a form of rule (`RuleForm`: a prohibition, a sanction, a
    duty), the best sentence of that form among those scoring at least `_DEFINITION_SHARE` of
    the best: "What does § 744.6 prohibit?" is answered by "No U.S. person may … 'support'",
    not by its scope paragraph, which names "the general prohibitions in this section"."""
    if not candidates or not form.asked_by(question):
        return None
    floor = _DEFINITION_SHARE * max(c.score for c in candidates)
    stating = [
        c for c in candidates if c.score >= floor and form.stated_by(c.span.text, question)
    ]
    return max(stating, key=lambda c: c.score, default=None)


# The forms of rule a question may ask for, in order (a definition comes first, above).
_FORMS = (CONTACT, AUTHORITY, COURT, LEADER, CONDITION, PROHIBITION, SANCTION, OBLIGATION)
# The forms whose answer names someone or something required (an authority, a court, a
# head, a licence to obtain, a telephone number or e-mail address): when one is asked for
# and no sentence near the best has its form, nothing answers. (A licence question's lead is
# still the sentence naming the asked thing: "A B11 permit covers IaaS" answers "which
# permit", with "must hold licences" beside it.)
_NAMED_IN_ANSWER = (CONTACT, AUTHORITY, COURT, LEADER, LICENCE)
_ALL_FORMS = tuple(dict.fromkeys((*_FORMS, *_NAMED_IN_ANSWER)))


def _in_asked_time(question: str, candidates: list[Candidate]) -> list[Candidate]:
    """The candidates whose passage states the month or day the question is bounded by: "Which
    companies did BIS add to the Entity List in December 2024?" is not answered by a passage
    about the Entity List that never mentions December 2024, however well its words match.
    A year alone is not checked: articles often leave the year of their events unsaid."""
    asked = {k for k in figures(question) if k.startswith("date:") and _month_of_a_year(k)}
    if not asked:
        return candidates
    stated: dict[int, bool] = {}
    kept = []
    for cand in candidates:
        key = id(cand.passage)
        if key not in stated:
            stated[key] = asked <= evidence_figures(passage_context(cand.passage))
        if stated[key]:
            kept.append(cand)
    return kept


def _month_of_a_year(key: str) -> bool:
    """`date:2024-12` or `date:2024-12-02`, not `date:*-12-02` (no year)."""
    parts = key.removeprefix("date:").split("-")
    return len(parts) >= 2 and parts[0] != "*"


def _stating(candidates: list[Candidate], kind: Kind, question: str) -> list[Candidate]:
    """The candidates that state the kind of value asked for, about what the question names,
    in a passage that is about the question: "How long must telecom operators keep call
    records?" is not answered by 提前90日 from an article on changing a licence, which shares
    only "telecom operators" with it (`_STATING_CONTEXT`). A vague value ("regularly" for
    "how often") is taken only when no candidate states a precise one."""
    names = entities(question)
    lang = detect_language(question)
    for vague in (False, True):
        stating = [
            c
            for c in candidates
            if c.context >= _STATING_CONTEXT
            and states(kind, c.span.text, question, vague=vague)
            and _about(question, lang, names, c)
        ]
        if stating:
            return stating
    return []


# The share of the question's weighted terms the passage of a stated value must hold. On the
# dev set the passage of every answered value question holds 0.22 or more (train split 0.23);
# an article that shares one party with the question holds less than 0.1.
_STATING_CONTEXT = 0.15


def _about_names(question: str, cand: Candidate) -> bool:
    """`_about` with the question's own names and language."""
    return _about(question, detect_language(question), entities(question), cand)


def _about(question: str, lang: str, names: set[str], cand: Candidate) -> bool:
    """Whether a sentence stating a value is about what the question names: "How much per hour
    did AWS charge Shenzhen University?" is not answered by another firm's hourly price. The
    verifier's name rules decide (any spelling the glossary knows counts, in either
    language). A sentence may leave out half the names (the newspaper the question cites, a
    country it implies), not more, and fewer than half may be missing from its whole passage;
    a question with one name needs it only in the sentence's passage, since a sentence often
    leaves its section's subject unsaid ("BIS" in "it will be followed by a written notice
    within two working days")."""
    if len(names) == 1:
        # The one name must be in the passage somewhere (its title, heading, text): "How long
        # does BIS take to decide on a licence?" is not answered by 商务部's 45 working days.
        context = passage_context(cand.passage)
        if detect_language(context) == lang:
            missing = missing_names(question, names, context, lang)
        else:
            missing = names_missing_in_translation(question, lang, context)
        # A law's articles do not say whose law they are: "China" is no name to look for.
        return all(m.strip().lower() in _JURISDICTIONS for m in missing)
    if not names:
        return True
    text = cand.span.text
    same = detect_language(text) == lang
    find_missing = missing_names if same else missing_names_translated
    missing = find_missing(question, names, text, lang)
    if 2 * len(missing) > len(names):
        return False
    if not missing:
        return True
    # What the sentence leaves out, its passage must say somewhere (its article's subject, the
    # newspaper): "How much did Alibaba pay for H100 chips?" is not answered by Shenzhen
    # University's H100 bill from a passage that never names Alibaba.
    # The source a question cites ("according to the FT") is not what it asks about.
    cited = {(m.group(1) or m.group(2)).lower() for m in _ATTRIBUTION.finditer(question)}
    left_out = {n for n in missing if n.lower() not in cited}
    asked = [n for n in names if n.strip() in left_out]
    unsaid = find_missing(question, asked, passage_context(cand.passage), lang) if asked else []
    return 2 * len(unsaid) < len(names)


_JURISDICTIONS = frozenset({"china", "chinese", "prc", "us", "u.s.", "united states", "america"})

# "according to the FT", "reported by Reuters", "the FT says": the name of a source.
_ATTRIBUTION = re.compile(
    r"\b(?:according to|reported by|as reported by|cited by)\s+(?:[Tt]he\s+)?"
    r"([A-Z][\w&.-]*(?:\s+[A-Z][\w&.-]*)*)"
    r"|\b(?:[Tt]he\s+)?([A-Z][\w&.-]*(?:\s+[A-Z][\w&.-]*)*)\s+(?:says|said|reports|reported)\b"
)


def _stating_lead(
    typed: list[Candidate], kind: Kind, question: str, named: frozenset[str] = frozenset()
) -> Candidate:
    """The stating sentence that leads: the best-scoring one, or for "the maximum fine" the
    one of its tiers with the largest sum (PIPL's 五千万元 tier, not its first), or for the
    maximum fine of a whole law the largest sum its passages state."""
    best = max(typed, key=lambda c: c.score)
    if kind is Kind.MONEY and asks_law_maximum(question):
        of_law = [c for c in typed if c.passage.doc_id in named] or typed
        return max(of_law, key=lambda c: (largest_sum(c.span.text), c.score))
    if kind is Kind.PERIOD and not counts_time(best.span.text) and not asks_time_limit(question):
        # "最长能持续多久？": a period counted (不超过二年) before one only named (实施期限届满前);
        # "how soon" is answered by 立即 as well as by a count.
        counted = [c for c in typed if c.score >= _COUNTED_SHARE * best.score]
        counted = [c for c in counted if counts_time(c.span.text)]
        if counted:
            best = max(counted, key=lambda c: c.score)
    if kind is Kind.MONEY and asks_maximum(question):
        # The top tier of the best sentence's own paragraph, or of the next that raises it
        # (有前款规定的违法行为，情节严重的…): the largest fine of the whole law (数据安全法's
        # 一千万元 for core data) or of the article's other paragraph is not the maximum for
        # the act asked about.
        same = [c for c in typed if _same_tiers(c, best)]
        best = max(same, key=lambda c: (largest_sum(c.span.text), c.score))
    return best


def _same_tiers(cand: Candidate, best: Candidate) -> bool:
    """Whether `cand` states a tier of the same sanction as `best`: the same paragraph of the
    same passage, or the next paragraph when it opens by referring back (有前款规定的…)."""
    if cand.passage.chunk_id != best.passage.chunk_id:
        return False
    text = cand.passage.text
    own = text.rfind("\n", 0, cand.span.start) + 1
    best_own = text.rfind("\n", 0, best.span.start) + 1
    if own == best_own:
        return True
    # The paragraph right after the best's, when it opens by referring back to it.
    before = text[:own].rstrip("\n")
    return text.rfind("\n", 0, len(before)) + 1 == best_own and bool(_REFERS_BACK.match(text, own))


# A paragraph that continues the one before it: "有前款规定的违法行为，情节严重的".
_REFERS_BACK = re.compile(
    r"\s*(?:有|违反|依照)?前款|\s*(?:where|if) the (?:violation|conduct) "
    r"(?:in|under|described in) the preceding paragraph",
    re.IGNORECASE,
)


# How far below the best stating sentence one that counts the period may score and still lead.
_COUNTED_SHARE = 0.5


def _mark_each_sentence(text: str, marker: int) -> str:
    """The quote with `[n]` after each of its sentences, so every line a reader (or a
    verifier splitting sentences) sees carries its citation; the layout is kept."""
    out = text
    for piece in reversed(split_sentences(text)):
        out = f"{out[: piece.end]} [{marker}]{out[piece.end :]}"
    return out


def _candidates(
    readings: list[dict[str, float]],
    passages: Sequence[Passage],
    settings: AnswerSettings,
    language: str,
    *,
    references: bool = False,
    named: frozenset[str] = frozenset(),
    phrases: tuple[tuple[str, ...], ...] = (),
) -> list[Candidate]:
    dense_range = cosine_range(settings)
    shift = settings.cross_lingual_shift
    out = []
    for rank, passage in enumerate(passages[: settings.passages_considered]):
        context = best_coverage(readings, passage_terms(passage))
        label = _article_label(passage)
        before: frozenset[str] = frozenset()
        for span in _answer_spans(passage.text, settings.max_chars, references=references):
            terms = frozenset(content_terms(_ARTICLE_LABEL.sub("", span.text, count=1)))
            terms -= _phrases_apart(span.text, terms, phrases)
            listed = _listed_terms(passage.text, span)
            inherited = before if _continues(passage.text, span) else frozenset()
            own = best_coverage(readings, set(terms | label | listed | inherited))
            if _refers_back(passage.text, span):
                # Half the words of the sentence it points back to: enough to lead when it
                # says what the question asks about them, not so much that the sentences
                # after it fall below the follow ratio of an inflated lead.
                alone = best_coverage(readings, set(terms | label | listed))
                own = (alone + best_coverage(readings, set(terms | label | listed | before))) / 2
            # A chain of clauses keeps the first one's subject: in "算法推荐服务提供者违反…的，
            # …依照其规定；…责令限期改正；拒不改正的，…罚款", the fine is the provider's.
            before = terms | inherited
            if own <= 0:
                continue
            score = (
                own
                + 0.25 * context
                + 0.1 / (rank + 1)
                + 0.1 * passage_dense(passage, language, dense_range, shift)
                + _HEADING_WEIGHT * _heading_asked(span.text, readings)
                + (_NAMED_LAW_WEIGHT if passage.doc_id in named else 0.0)
            )
            out.append(Candidate(rank, passage, span, terms, score, context))
    return out


def _phrases_apart(
    text: str, terms: frozenset[str], phrases: tuple[tuple[str, ...], ...]
) -> frozenset[str]:
    """The stems of translated phrases that `text` holds only as separate words: "U.S.
    persons informed by BIS" has the stems of "personal information" (个人信息 in a Chinese
    question) but says nothing about personal information. Stems an intact phrase of the
    question also gives are kept."""
    apart: set[str] = set()
    intact: set[str] = set()
    for phrase in phrases:
        stems, pattern = _phrase_reading(phrase)
        if not stems or not stems <= terms:
            continue
        (intact if pattern.search(text) else apart).update(stems)
    return frozenset(apart - intact)


@functools.lru_cache(maxsize=1024)
def _phrase_reading(phrase: tuple[str, ...]) -> tuple[frozenset[str], re.Pattern[str]]:
    """A phrase's stems and the pattern of its words in order, each inflected or not ("network
    operators", "export controls"): read once, not for every candidate sentence."""
    pattern = re.compile(
        r"\b" + r"\W+".join(re.escape(w) + r"\w*" for w in phrase), re.IGNORECASE
    )
    return frozenset(content_terms(" ".join(phrase))), pattern


# The label that opens an article ("第十二条 "): it names where every sentence of the article
# stands, so every sentence of the article counts it, not only the first one
# ("第十二条规定谁可以提起诉讼？" is answered by its second paragraph; "what about Article
# 22?" by 第二十二条, not by 第六十条, which refers to it).
_ARTICLE_LABEL = re.compile(rf"^\s*(?:{CN_ARTICLE.pattern})\s+")


def _continues(text: str, span: SentenceSpan) -> bool:
    """Whether `span` goes on from a clause that ends in a semicolon on the same line: "网络
    服务提供者接到通知后，应当…采取必要措施；未及时采取必要措施的，…承担连带责任" says
    whose failure costs what only in its first half, so the second counts the first's words.
    So does a sentence on the same line that opens with a personal pronoun: in "Shi Yuhang is
    a partner. He can be contacted at …", "He" is the person the sentence before names."""
    head = text[: span.start].rstrip(" \t")
    if head.endswith(("；", ";")) and not LIST_ITEM.match(span.text):
        return True
    return bool(head) and not head.endswith("\n") and bool(_PRONOUN_OPENING.match(span.text))


def _refers_back(text: str, span: SentenceSpan) -> bool:
    """Whether `span` opens a paragraph with a demonstrative that points at the paragraph
    before it, as news articles of one-sentence paragraphs do ("… use cloud services to access
    US AI chips …\n\nThis method of access does not violate US regulations"), unless it
    points at the document itself ("This section", "These regulations"). Inside a paragraph
    the sentence pointed at is usually quoted with it anyway."""
    head = text[: span.start].rstrip(" \t")
    return head.endswith("\n") and bool(head.strip()) and bool(
        _DEMONSTRATIVE_OPENING.match(span.text)
    )


_PRONOUN_OPENING = re.compile(r"\s*(?:He|She|They|His|Her|Their)\b|\s*(?:他|她)(?!人)")
_DEMONSTRATIVE_OPENING = re.compile(
    r"\s*(?:This|These|Such|That|Those)\s+(?!(?:law|act|section|part|paragraph|article|chapter|"
    r"regulations?|rules?|subpart|supplement|order|notice|report|study|paper)\b)[a-z]",
)


def _listed_terms(text: str, span: SentenceSpan) -> frozenset[str]:
    """The terms of the list a sentence refers to ("有下列行为之一的，…并处…罚款" followed, a
    sentence or two later, by "（一）未经许可擅自出口管制物项"): the acts listed are what its
    fine is for, though its own words do not say them. Empty when the sentence names no
    list or holds its list itself."""
    if not _REFERS_TO_LIST.search(span.text) or _HOLDS_LIST.search(span.text):
        return frozenset()
    items: list[str] = []
    for sentence in split_sentences(text[span.end :]):
        if LIST_ITEM.match(sentence.text):
            items.append(sentence.text)
        elif items:
            break
    return frozenset(content_terms(" ".join(items))) if items else frozenset()


_REFERS_TO_LIST = re.compile(r"下列|以下(?:情形|行为|事项|条件)|\bthe following\b", re.IGNORECASE)
_HOLDS_LIST = re.compile(r"\n\s*(?:[（(][一二三四五六七八九十\dA-Za-z]{1,4}[）)]|\d{1,2}[.、])")


def _article_label(passage: Passage) -> frozenset[str]:
    """The terms of the article label the passage's section ends with (第二十二条), if any."""
    last = (passage.section or "").rsplit(">", 1)[-1].strip()
    return frozenset(content_terms(last)) if CN_ARTICLE.fullmatch(last) else frozenset()


def _heading_asked(text: str, readings: list[dict[str, float]]) -> float:
    """1 when the sentence opens with a run-in heading ("(c) *License exceptions.*") whose
    words the question uses, else 0: a paragraph headed by the asked topic answers it, where
    a longer paragraph under another heading may share more of the question's words."""
    m = _RUN_IN_HEADING.match(text)
    if not m:
        return 0.0
    heading = content_terms(m.group(1))
    asked = set().union(*(r.keys() for r in readings))
    return 1.0 if heading and heading <= asked else 0.0


_RUN_IN_HEADING = re.compile(r"\s*(?:\([a-z0-9]{1,4}\)\s*)*\*([^*]{3,80})\*")
_HEADING_WEIGHT = 0.3


def _answer_spans(text: str, max_chars: int, *, references: bool = False) -> list[SentenceSpan]:
    """Sentences, where one ending in a colon absorbs the list items that follow it."""
    sentences = [s for s in split_sentences(text) if is_content(s.text, references=references)]
    spans: list[SentenceSpan] = []
    i = 0
    while i < len(sentences):
        current = sentences[i]
        j = i + 1
        if current.text.endswith((":", "：")):
            while j < len(sentences) and LIST_ITEM.match(sentences[j].text):
                if sentences[j].end - current.start > max_chars:
                    break
                current = SentenceSpan(
                    current.start, sentences[j].end, text[current.start : sentences[j].end]
                )
                j += 1
        spans.append(current)
        i = j if j > i + 1 else i + 1
    return spans


def _asked_item(cand: Candidate, readings: list[dict[str, float]]) -> Candidate:
    """The one list item of a sentence with its list that holds question words the opening
    sentence lacks ("经营基础电信业务的公司对国有股权比例有什么要求？" is answered by item (一), on
    the state-owned share, of the conditions of 第十条), else the sentence with its list:
    a question the opening sentence covers asks for the whole list."""
    parts = split_sentences(cand.span.text)
    if len(parts) < 2:
        return cand
    opening = content_terms(parts[0].text)
    extra = [best_coverage(readings, content_terms(p.text) - opening) for p in parts[1:]]
    best = max(extra)
    if best < _ITEM_SHARE or sum(1 for x in extra if x >= best / 2) > 1:
        return cand
    return _part_of(cand, parts[1 + extra.index(best)])


def _part_of(cand: Candidate, part: SentenceSpan) -> Candidate:
    """`cand` narrowed to `part`, one of its sentences (offsets relative to its span)."""
    start = cand.span.start + part.start
    span = SentenceSpan(start, start + len(part.text), part.text)
    return dataclasses.replace(cand, span=span, terms=frozenset(content_terms(part.text)))


# The share of the question's (weighted) words an item must add to its list's opening sentence.
_ITEM_SHARE = 0.15


def _stating_part(
    cand: Candidate, kind: Kind, question: str, readings: list[dict[str, float]]
) -> Candidate:
    """The list item of `cand` that states the `kind` of value asked for, when `cand` is a
    sentence with its list: "how long must logs be kept" is answered by item (三), not by the
    whole list of duties. Of several such items, the one holding most of the question's words
    ("how many registered users make a large platform": the item defining 大型网络平台, not an
    earlier one that says 两个以上)."""
    parts = split_sentences(cand.span.text)
    stating = [p for p in parts if states(kind, p.text, question)]
    if len(parts) < 2 or not stating:
        return cand
    best = max(stating, key=lambda p: best_coverage(readings, content_terms(p.text)))
    return _part_of(cand, best)


def _select(
    candidates: list[Candidate], settings: AnswerSettings, lead: Candidate | None = None
) -> list[Candidate]:
    """The best-scoring sentences: `lead` (the sentence that states the value the question
    asks for) or else the best-scoring one first, the reader's answer; the rest in passage
    order, as context, when they score at least `settings.follow_ratio` of the best."""
    ranked = sorted(candidates, key=lambda c: -c.score)
    floor = settings.follow_ratio * ranked[0].score if ranked else 0.0
    if lead is None and ranked:
        lead = _best(ranked)
    if lead is not None:
        ranked = [lead, *(c for c in ranked if c is not lead)]
    chosen = pick(ranked, floor, settings)
    rest = sorted((c for c in chosen if c is not lead), key=lambda c: (c.rank, c.span.start))
    return [lead, *rest] if lead is not None else rest


def _best(candidates: Sequence[Candidate]) -> Candidate:
    """The best-scoring candidate that can lead: a bare exception (个人明确拒绝的除外。)
    qualifies the rule before it, so it never leads unless nothing else is there."""
    ranked = sorted(candidates, key=lambda c: -c.score)
    return next((c for c in ranked if not _EXCEPTION_ONLY.match(c.span.text)), ranked[0])


_EXCEPTION_ONLY = re.compile(r"\s*[^，。；,;]{0,40}(?:的除外|除外)\s*[。；;.]?\s*$")


def pick(ranked: list[Candidate], floor: float, settings: AnswerSettings) -> list[Candidate]:
    """The best candidate, then the next ones scoring at least `floor`, skipping overlaps and
    near-repeats, within the answer's sentence and character budget."""
    chosen: list[Candidate] = []
    used = 0
    for cand in ranked:
        if chosen and cand.score < floor:
            break
        if any(_overlaps(cand, c) or _similar(cand.terms, c.terms) for c in chosen):
            continue
        if chosen and used + len(cand.span.text) > settings.max_chars:
            continue
        chosen.append(cand)
        used += len(cand.span.text)
        if len(chosen) >= settings.max_sentences:
            break
    return chosen


def cited_answer(
    question: str, chosen: Sequence[Candidate], passages: Sequence[Passage], evidence: float
) -> Answer:
    """The chosen quotes in order, each sentence marked, each cited at its exact offsets."""
    parts: list[str] = []
    citations: list[Citation] = []
    for marker, cand in enumerate(chosen, start=1):
        parts.append(_mark_each_sentence(cand.span.text, marker))
        citations.append(Citation.of_span(marker, cand.passage, cand.span.start, cand.span.end))
    return Answer(
        question=question,
        text="\n".join(parts),
        citations=citations,
        passages=list(passages),
        evidence=evidence,
    )


def _overlaps(a: Candidate, b: Candidate) -> bool:
    if a.passage.doc_id != b.passage.doc_id:
        return False
    a0, a1 = a.passage.start + a.span.start, a.passage.start + a.span.end
    b0, b1 = b.passage.start + b.span.start, b.passage.start + b.span.end
    return a0 < b1 and b0 < a1


def _similar(a: frozenset[str], b: frozenset[str]) -> bool:
    union = a | b
    return bool(union) and len(a & b) / len(union) > 0.7
