"""Lexical tokens for BM25 over mixed Chinese and English legal text.

Chinese has no spaces, so Chinese runs go through jieba's search mode (which also emits the
shorter words inside long compounds, e.g. 网络安全 → 网络 / 安全 / 网络安全); other runs are
lower-cased words, stemmed, with legal identifiers such as `744.23`, `3A090` or `B11` kept whole.
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache

import jieba
import Stemmer

jieba.setLogLevel(logging.WARNING)

_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_WORD = re.compile(r"[a-z0-9]+(?:[.\-/][a-z0-9]+)*")

EN_STOPWORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "herself",
        "him",
        "himself",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "me",
        "more",
        "most",
        "my",
        "myself",
        "no",
        "nor",
        "not",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "ourselves",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "themselves",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "yourself",
        "yourselves",
        "shall",
        "may",
        "must",
        "also",
        "per",
        "via",
        "upon",
    ]
)
# Question words carry no evidence: "what", "which" are in EN_STOPWORDS; these are for zh.
ZH_STOPWORDS = frozenset(
    [
        "的",
        "了",
        "和",
        "与",
        "及",
        "或",
        "是",
        "在",
        "对",
        "为",
        "以",
        "由",
        "于",
        "其",
        "之",
        "等",
        "中",
        "上",
        "下",
        "而",
        "并",
        "被",
        "把",
        "将",
        "向",
        "从",
        "应当",
        "可以",
        "哪些",
        "什么",
        "哪个",
        "怎样",
        "如何",
        "是否",
        "吗",
        "呢",
        "么",
        "有",
        "有关",
        "相关",
        "规定",
        "根据",
        "按照",
        "一",
        "二",
        "三",
        "个",
        "这",
        "那",
        "该",
        "本",
    ]
)

_stemmer = Stemmer.Stemmer("english")


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    return str(_stemmer.stemWord(word))


def tokenize(text: str, *, drop_stopwords: bool = True) -> list[str]:
    """Tokens for indexing and querying; the same function must serve both sides."""
    tokens: list[str] = []
    pos = 0
    lowered = text.lower()
    for match in _CJK_RUN.finditer(lowered):
        tokens.extend(_latin_tokens(lowered[pos : match.start()], drop_stopwords))
        for word in jieba.cut_for_search(match.group()):
            if not drop_stopwords or word not in ZH_STOPWORDS:
                tokens.append(word)
        pos = match.end()
    tokens.extend(_latin_tokens(lowered[pos:], drop_stopwords))
    return tokens


def _latin_tokens(text: str, drop_stopwords: bool) -> list[str]:
    out = []
    for word in _WORD.findall(text):
        word = word.strip(".-/")
        if not word or (drop_stopwords and word in EN_STOPWORDS):
            continue
        out.append(word if any(ch.isdigit() for ch in word) else _stem(word))
    return out


def content_terms(text: str) -> set[str]:
    """The distinct evidence-bearing terms of a text (used to judge evidence and overlap).

    The one rule for retrieval and answering. The verifier's `assistant.evidence.facts.claim_terms`
    differs on purpose (it compares a claim with its paraphrase), and so does the evals judge's
    `evals.citations.key_terms` (it must not share the code it judges).
    """
    return {t for t in tokenize(text) if len(t) > 1 or _CJK_RUN.match(t)}
