"""What a sentence asserts, in a form two texts can be compared by: figures, names and words.

Figures (numbers, amounts, percentages, dates, article and section numbers) are typed keys
read by `assistant.evidence.figures`, so different spellings of one value meet (`$10 million`
and `$10,000,000` are `num:10000000`). Names are capitalized words and runs of them, acronyms
and codes (`AWS`, `IaaS`, `B11`, `3A090`). Content terms are stemmed English words without
stopwords and Chinese character bigrams. Tokens and negation cues serve the scoped negation
and modality rules. All functions are pure.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from assistant.evidence.figures import MONTHS, implied_figures, read_figures
from ingest.tokenize import EN_STOPWORDS

__all__ = [
    "Facts",
    "Token",
    "bound_ends",
    "double_negatives",
    "claim_terms",
    "entities",
    "evidence_facts",
    "extract_facts",
    "name_text",
    "chinese_cue_length",
    "negation_cues",
    "opening_word",
    "tokens",
]


@dataclass(frozen=True)
class Facts:
    """The checkable content of one sentence."""

    figures: frozenset[str]  # typed keys: "num:27996", "pct:25", "date:2024-04-04", "ref:21"
    entities: frozenset[str]  # names as `name_text` spells them: "amazon web services", "aws"
    terms: frozenset[str]  # English stems and Chinese bigrams


def extract_facts(text: str) -> Facts:
    """Figures, names and content terms of `text`; terms exclude the figures' own words."""
    found, rest = read_figures(text)
    return Facts(frozenset(found), frozenset(entities(text)), frozenset(claim_terms(rest)))


def evidence_facts(text: str) -> Facts:
    """`extract_facts` for a source: its figures include what they imply (`evidence_figures`)."""
    found, rest = read_figures(text)
    return Facts(
        frozenset(implied_figures(found)), frozenset(entities(text)), frozenset(claim_terms(rest))
    )


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# ---------------------------------------------------------------- names

_ASCII_WORD = re.compile(r"(?<![A-Za-z0-9])[A-Za-z0-9]+(?:['’][a-z]+)?(?![A-Za-z0-9])")
_CAPITALIZED = re.compile(r"[A-Z][a-z]+(?:['’]s)?")
_NAME_JOINERS = frozenset({"of", "and", "for", "the", "on", "de", "in"})
# Capitalized words that are structure, not names.
_NOT_NAMES = _words(
    "article articles art section sections sec chapter part paragraph paragraphs supplement no "
    "figure table annex appendix item items i a an the this that these those monday tuesday "
    "wednesday thursday friday saturday sunday unverified"
) | frozenset(MONTHS)
# Words a text capitalizes to refer to an instrument it has named ("the Regulations take
# effect …"); alone they are not names.
_DEFINED_TERMS = _words("regulations regulation law measures provisions rules act")
_SENTENCE_START = re.compile(r"(^|[.!?:;。！？；\n]\s*|^\s*[-*•]\s+|[“\"'(]\s*)$")


# Currency codes mark an amount, not a party: "RMB 50,000" is "5万元" in a Chinese source.
# Currencies are not compared (docs/llm.md), so their codes are not names either.
_CURRENCY_CODES = frozenset({" rmb ", " cny ", " usd ", " eur ", " hkd ", " us$ "})


def entities(text: str) -> set[str]:
    """Names in `text`, spelled as `name_text` spells them, so a source can be searched.

    Codes and acronyms count wherever they stand. Runs of capitalized words count as one
    name ("Bureau of Industry and Security"); a lone capitalized word counts unless it opens
    the sentence, where capitals say nothing.
    """
    found = {name_text(m.group()) for m in _ASCII_WORD.finditer(text) if _is_code(m.group())}
    for start, words in _capitalized_runs(text):
        opener = bool(_SENTENCE_START.search(text[:start]))
        trimmed = False
        while words and (
            words[0].lower() in _NAME_JOINERS
            or words[0].lower() in _NOT_NAMES
            or (opener and not trimmed and words[0].lower() in _STOPWORDS)
        ):
            words.pop(0)
            trimmed = True
        while words and (words[-1].lower() in _NAME_JOINERS or words[-1].lower() in _NOT_NAMES):
            words.pop()
        if not words or (len(words) == 1 and opener and not trimmed):
            continue
        if len(words) == 1 and words[0].lower() in _DEFINED_TERMS:
            continue  # "the Regulations": the cited instrument itself, named by the law rules
        found.add(name_text(" ".join(words)))
    found.discard("")
    return found - _CURRENCY_CODES


# Words that open English sentences without naming anyone.
_OPENERS = _words(
    "yes no generally only otherwise both each under according since because although though "
    "unless once instead besides moreover furthermore additionally similarly likewise overall "
    "currently previously today now first second third finally together neither either nor "
    "whether where when while if after before until within without among between as so thus "
    "hence then there here any all some most many none every another other its their his her "
    "in on for by with at from to of into over about against"
)


# A capitalized -ing word before a lower-case one opens a gerund phrase ("Holding licences",
# "Renting chips"). A name in -ing before a lower-case verb ("Beijing requires") passes too:
# its absence from the source is then not caught by this rule.
_GERUND_OPENING = re.compile(r"[A-Z][a-z]{2,}ing\s+[a-z]")


def opening_word(text: str) -> str | None:
    """The capitalized word that opens `text` when it may be a name ("Bloomberg found …").

    `entities` cannot tell a name from a capital at the start; the verifier asks the source:
    such a word must appear in it in some form (as a name or as an ordinary word). Words that
    usually open a sentence (`_OPENERS`, stopwords) are never names.
    """
    m = re.match(r"\W*([A-Z][a-z]+)\b(?!\s+[A-Z])", text)
    if not m:
        return None
    word = m.group(1).lower()
    if _GERUND_OPENING.match(text, m.start(1)):
        return None  # "Holding licences … is required": a gerund, not a name
    if word in _STOPWORDS or word in _OPENERS or word in _NOT_NAMES or word in _NEGATION_WORDS:
        return None
    return word


def _capitalized_runs(text: str) -> Iterator[tuple[int, list[str]]]:
    """Runs of Title-case words joined by single spaces and small words ("of", "and")."""
    start, last_end = 0, -1
    words: list[str] = []
    for m in _ASCII_WORD.finditer(text):
        word = m.group()
        capitalized = bool(_CAPITALIZED.fullmatch(word))
        joined = last_end >= 0 and text[last_end : m.start()] == " "
        if words and joined and (capitalized or word.lower() in _NAME_JOINERS):
            words.append(word)
        else:
            if words:
                yield start, words
            start, words = m.start(), ([word] if capitalized else [])
        last_end = m.end()
    if words:
        yield start, words


def _is_code(word: str) -> bool:
    """Acronyms and codes: two capitals ("AWS", "IaaS") or letters with digits ("B11")."""
    upper = sum(ch.isupper() for ch in word)
    has_digit = any(ch.isdigit() for ch in word)
    has_alpha = any(ch.isalpha() for ch in word)
    return upper >= 2 or (has_digit and has_alpha and not re.fullmatch(r"\d+(st|nd|rd|th|s)", word))


_DOTTED = re.compile(r"(?<![A-Za-z])([A-Za-z])\.(?=[A-Za-z]\b)")


def name_text(text: str) -> str:
    """Lower-cased words separated by single spaces, bracketed by spaces: for name lookup."""
    text = _DOTTED.sub(r"\1", text)  # "U.S." -> "US."
    text = re.sub(r"['’]s\b", "", text)
    words = re.findall(r"[a-z0-9]+", text.lower())
    return " " + " ".join(words) + " " if words else ""


# ---------------------------------------------------------------- content terms

_NEGATION_WORDS = _words(
    "not no never without none nor neither cannot nobody nothing nowhere prohibit prohibits "
    "prohibited prohibiting prohibition forbid forbids forbidden ban bans banned "
    "insufficient lack lacks lacked lacking unable fail fails failed failing"
)
# The retrieval's English stopwords (`ingest.tokenize`), with two differences on purpose: the
# negations are cues here (`negation_cues`), not noise, and words that frame a claim without
# adding to it ("according", "states", "including") are dropped too. ("ourselves" and
# "yourselves" have never been stopwords here; kept so, for identical verdicts.)
_STOPWORDS = (EN_STOPWORDS - _words("no nor not ourselves yourselves")) | _words(
    """might within whether either etc eg ie according states stated says said however
    therefore thus including include includes"""
)
_SUFFIXES = ("ational", "ization", "ations", "ation", "ments", "ment", "ingly", "ings", "ing",
             "edly", "ies", "ied", "ed", "es", "s", "ly")  # fmt: skip
_CJK_RUN = re.compile(r"[\u3400-\u9fff]+")
# Particles, conjunctions and "all/also" adverbs: a bigram holding one says nothing a
# paraphrase must repeat ("申请并做好" against "申请，并做好", "两者均于" against "本法自").
_CJK_FILLER = frozenset("的了着吗呢吧啊并或都均也")
_EN_WORD = re.compile(r"[A-Za-z]+(?:['’]t)?")


_BRITISH = {"licence": "license", "licences": "licenses", "defence": "defense",
            "offence": "offense", "offences": "offenses", "programme": "program",
            "programmes": "programs", "centre": "center", "centres": "centers",
            "judgement": "judgment", "cheque": "check", "enrol": "enroll"}  # fmt: skip
_BRITISH_SUFFIX = re.compile(r"(?<=[a-z]{3})(is)(e|es|ed|ing|ation|ations)$|(?<=[a-z]{2})our$")
# Words in -ise that have no -ize spelling.
_ISE_WORDS = _words(
    "advise advised advises advising exercise exercised exercises otherwise premise premises "
    "enterprise enterprises promise promised promises expertise comprise comprised comprises "
    "precise concise surprise surprised raise raised raises revise revised revision supervise "
    "supervised supervising supervision televise franchise merchandise disguise disguised "
    "compromise excise despise improvise devise devised"
)


def _american(word: str) -> str:
    if word in _BRITISH:
        return _BRITISH[word]
    if word in _ISE_WORDS or not _BRITISH_SUFFIX.search(word):
        return word
    return _BRITISH_SUFFIX.sub(lambda m: "iz" + m.group(2) if m.group(1) else "or", word)


def stem(word: str) -> str:
    """A light suffix-stripping stem; both sides of a comparison use it, so it need not be
    linguistically right, only consistent. British and American spellings meet first
    ("licence" = "license", "authorise" = "authorize"): EAR text is American, Chinese law
    translations and most summaries are British."""
    word = _american(word.lower())
    for suffix in _SUFFIXES:
        if suffix == "ly" and word.endswith("ply"):
            continue  # apply, comply, supply: verbs, whose "applies" stems to "apply"
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            base = word[: -len(suffix)]
            return base + "y" if suffix in ("ies", "ied") else base
    return word


def claim_terms(text: str) -> set[str]:
    """English stems without stopwords or negations, plus Chinese character bigrams.

    Not `ingest.tokenize.content_terms` (the retrieval's BM25 terms), on purpose: a claim is
    compared with a paraphrase of it, so Chinese goes by bigrams that do not depend on how jieba
    segments either side, English by a light stem that makes British and American spellings meet,
    and negations and numbers are left to the negation and figure rules that compare them.
    """
    terms = {
        stem(w)
        for w in _EN_WORD.findall(text)
        if len(w) > 1
        and w.lower() not in _STOPWORDS
        and w.lower() not in _NEGATION_WORDS
        and not w.lower().endswith(("n't", "n’t"))
    }
    for run in _CJK_RUN.findall(text):
        if len(run) == 1:
            terms.add(run)
        terms.update(
            run[i : i + 2] for i in range(len(run) - 1) if not (_CJK_FILLER & set(run[i : i + 2]))
        )
    return terms


# ---------------------------------------------------------------- negation


@dataclass(frozen=True)
class Token:
    """A word (English) or a character (Chinese) and the term it contributes, if any."""

    index: int
    start: int
    term: str | None
    clause_end: bool = False


_TOKEN = re.compile(r"[A-Za-z]+(?:['’]t)?|[\u3400-\u9fff]|[,;:.!?，；：。！？、()（）]")
_CLAUSE_PUNCT = frozenset(",;:.!?，；：。！？()（）")


# "(b)(1)" and "(a)(3)(i)" cite a paragraph; they do not end a clause.
_PARAGRAPH_REF = re.compile(r"\(([A-Za-z0-9]{1,4})\)")


# "U.S.", "e.g.": the dots of an abbreviation do not end a clause.
_ABBREVIATION = re.compile(r"\b(?:[A-Za-z]\.){2,}")
# Words that open a new clause, ending the scope of a negation or modal before them: in
# "did not cover cloud providers unless the technology were used", "used" is not negated.
_CLAUSE_OPENERS = _words(
    "unless until because although though whereas but except however if when while"
)


def tokens(text: str) -> list[Token]:
    """Words, Chinese characters and clause punctuation, in order, with their terms; a word
    that opens a new clause ("unless", "because") ends the one before it too."""
    out: list[Token] = []
    text = _PARAGRAPH_REF.sub(lambda m: " " + m.group(1) + " ", text)  # same offsets
    text = _ABBREVIATION.sub(lambda m: m.group().replace(".", " "), text)
    matches = list(_TOKEN.finditer(text))
    for i, m in enumerate(matches):
        word = m.group()
        if word in _CLAUSE_PUNCT or word.lower() in _CLAUSE_OPENERS:
            out.append(Token(len(out), m.start(), None, clause_end=True))
        elif _CJK_RUN.fullmatch(word):
            nxt = matches[i + 1].group() if i + 1 < len(matches) else ""
            adjacent = i + 1 < len(matches) and matches[i + 1].start() == m.end()
            pair = word + nxt if adjacent and _CJK_RUN.fullmatch(nxt) else None
            out.append(Token(len(out), m.start(), pair))
        else:
            low = word.lower()
            keep = len(word) > 1 and low not in _STOPWORDS and low not in _NEGATION_WORDS
            out.append(Token(len(out), m.start(), stem(word) if keep else None))
    return out


# Chinese words that contain a negation character without negating anything.
_CN_NOT_NEGATION = re.compile(
    r"除非|无论|不仅|不断|不论|不管|未成年|是否|否则|非常|不久|不动产|没收|未来"
    # a negated alternative beside the positive one: 准予或者不予, 同意或者不同意
    r"|([\u4e00-\u9fff]{1,2})或者?不\1"
    # the prefix "non-" before a code or Latin word (非EAR99 = "non-EAR99", not a negation,
    # as English "non-" is none)
    r"|非(?=[A-Za-z0-9])"
)
_CN_NEGATION = re.compile(r"禁止|严禁|不|未|无|非|没有|没|否|勿")
_EN_NO_ABBREVIATION = re.compile(r"\bno\.\s*\d", re.IGNORECASE)
# "No." or 不能， opening an answer answers the question; "finished or not" negates nothing.
_NOT_NEGATING = re.compile(
    r"^\W*(?:no|not really|不能|不可以|不是|不会|不需要|不属于|否|没有)\s*[,.;:!，。；：！]"
    r"|\b(?:whether )?or not\b",
    re.IGNORECASE,
)
# Bounds on a figure ("no less than six months" = 不少于六个月 = "at least six months") negate
# the figure, not the words after it; the figures are compared exactly elsewhere.
_BOUNDS = re.compile(
    r"\b(?:no|not) (?:less|more|fewer|later|earlier|longer) than\b|\bnot (?:exceed|below)\w*"
    r"|不(?:少于|超过|低于|高于|多于|满|足)"
)


def bound_ends(text: str) -> dict[int, int]:
    """Start -> end offsets of the bounds on a figure (不少于, "no more than"): such a cue
    negates its comparative word only, not the clause after the figure."""
    return {m.start(): m.end() for m in _BOUNDS.finditer(text)}


def _blank(pattern: re.Pattern[str], text: str) -> str:
    return pattern.sub(lambda m: " " * len(m.group()), text)


def negation_cues(text: str, *, bounds: bool = True) -> list[int]:
    """Character offsets of negation cues (not/no/never/without/不/未/无/非/禁止 …).

    `bounds=False` leaves out the bounds on a figure (不少于, "no more than"), for rules that
    ask what a negation says of the words after it."""
    text = _blank(_NOT_NEGATING, text)
    if not bounds:
        text = _blank(_BOUNDS, text)
    text = _blank(_EN_DOUBLE_NEGATIVE, text)
    cues = [
        m.start()
        for m in _EN_WORD.finditer(text)
        if (m.group().lower() in _NEGATION_WORDS or m.group().lower().endswith(("n't", "n’t")))
        and not _EN_NO_ABBREVIATION.match(text, m.start())
    ]
    masked = _blank(_CN_NOT_NEGATION, text)
    masked = _DOUBLE_NEGATIVE.sub(lambda m: _blank_groups(m), masked)
    masked = _blank(_HAVE_TO, masked)
    cues.extend(m.start() for m in _CN_NEGATION.finditer(masked))
    return sorted(cues)


def chinese_cue_length(text: str, start: int) -> int:
    """How many characters the Chinese negation cue at `start` spans (没有 2, 不 1; 0 if
    none starts there)."""
    m = _CN_NEGATION.match(text, start)
    return m.end() - start if m else 0


# 未经批准，不得出口 = 出口须经批准: the two negations cancel, the sentence states a condition.
_DOUBLE_NEGATIVE = re.compile(r"(未经|非经)([^。；;，,]*[，,][^。；;]*?)(不得|不能|不准)")


# "No exceptions do not apply", "need not not be": a negated verb negated again a few words
# after a "no" or "not" of its own clause says the opposite of either negation alone.
_EN_DOUBLE_NEGATIVE = re.compile(
    r"\b(?:[Nn]o|not)\b(?:\s+[\w()-]+){0,3}?\s+(?:do|does|did|need|may|must|shall|will|can)"
    r"\s+not\b"
)


# 不得不 ("cannot not") = "has to": one obligation, no negation.
_HAVE_TO = re.compile(r"不得不|不能不|不可不")


def double_negatives(text: str) -> list[int]:
    """Offsets of double negatives, which state an obligation: 未经/非经 opening one (未经批准，
    不得出口) and 不得不 ("has to")."""
    found = [m.start() for m in _DOUBLE_NEGATIVE.finditer(text)]
    return sorted(found + [m.start() for m in _HAVE_TO.finditer(text)])


def _blank_groups(m: re.Match[str]) -> str:
    return " " * len(m.group(1)) + m.group(2) + " " * len(m.group(3))
