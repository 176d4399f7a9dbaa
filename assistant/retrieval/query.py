"""What a question becomes before retrieval: the words to embed, the words to match, and the
spellings it implies in the other language or numbering style."""

from __future__ import annotations

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
    # "Article 22" must also find and match 第二十二条, and the reverse.
    aliases = " ".join(article_aliases(refs))
    text = f"{standalone} {aliases}".strip()
    extra = " ".join(translations(text, into=languages))
    return PreparedQuery(
        question=question,
        standalone=standalone,
        # Measured on the dev set: the glossary terms help the dense ranking too.
        expanded=f"{text}\n{extra}" if extra else text,
        answer_terms=f"{question} {aliases}".strip(),
        alternate=translate(f"{question} {aliases}"),
        language=detect_language(question),
        refs=refs,
    )
