"""Hybrid retrieval: dense (Chroma) and lexical (BM25) rankings fused by reciprocal rank.

Filters and access scopes are applied inside both queries (a Chroma `where` clause and a BM25
weight mask), never by dropping results afterwards, so a scoped caller cannot receive a
passage from outside its scope even by accident. A question that names an article
("第二十一条", "Article 22", "§ 744.23") also pulls that article's chunks in as a third ranking.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache, partial
from itertools import zip_longest
from typing import Any

from assistant.models import Filters, Passage
from assistant.provenance import source_status
from assistant.relevance.rerank import Reranker
from assistant.retrieval.absent import absent_names, absent_paragraphs, absent_versions
from assistant.retrieval.fusion import reciprocal_rank_fusion
from assistant.retrieval.glossary import load_laws, mentions_english
from assistant.retrieval.index import Index
from assistant.retrieval.query import (
    DEFINITION_TERMS,
    IN_FORCE_TERMS,
    PENALTY_TERMS,
    PreparedQuery,
    introduces_list_of,
    prepare_query,
)
from assistant.settings import RetrievalSettings
from ingest.legal_refs import ArticleRef, find_article_refs
from ingest.lexical import Condition, LexicalIndex, matches
from ingest.records import PENDING_FIELD, StoredChunk
from ingest.versions import Validity, day_number, describe

#: The dense search asks Chroma for this many times `dense_k` nearest chunks and applies the
#: in-force and review conditions itself: a Chroma `where` that admits most of a large
#: collection makes Chroma filter every row first (~300 ms at 65k chunks, against 5-15 ms
#: without). When too few of them pass, it asks again with the full `where`.
DENSE_OVERFETCH = 3
# Chunks read to learn which paragraphs of a cited section are indexed (§ 734.9 has ~30).
SECTION_CHUNKS = 500


def chroma_where(filters: Filters | None) -> dict[str, Any] | None:
    return _where(_filter_fields(filters))


def _where(fields: dict[str, Condition]) -> dict[str, Any] | None:
    conditions = [
        {field: cond if isinstance(cond, dict) else {"$in": cond}} for field, cond in fields.items()
    ]
    return all_of(conditions) if conditions else None


def all_of(conditions: list[dict[str, Any]]) -> dict[str, Any]:
    """Chroma `where` requiring every condition (Chroma rejects an `$and` of one)."""
    return conditions[0] if len(conditions) == 1 else {"$and": conditions}


def lexical_where(filters: Filters | None) -> dict[str, Condition] | None:
    return _filter_fields(filters) or None


def _filter_fields(filters: Filters | None) -> dict[str, Condition]:
    """Field conditions every retrieved chunk must meet: allowed values, or numeric bounds.

    Always includes the point in time: only texts in force on `filters.as_of` (today when
    not given) are retrieved, so a superseded text cannot answer for the current one; and
    never an upload still waiting for review.
    """
    day = day_number(in_force_on(filters))
    conditions: dict[str, Condition] = {}
    if filters is not None:
        fields = {
            "doc_id": filters.doc_ids,
            "group": filters.groups,
            "language": filters.languages,
            "jurisdiction": filters.jurisdictions,
        }
        conditions = {k: list(v) for k, v in fields.items() if v is not None}
    conditions["valid_from"] = {"$lte": day}
    conditions["valid_to"] = {"$gt": day}
    # An upload waiting for an admin's review is stored but answers nothing.
    conditions[PENDING_FIELD] = {"$ne": 1}
    return conditions


def in_force_on(filters: Filters | None) -> dt.date:
    """The day whose texts answer: the filter's `as_of`, else today."""
    return (filters.as_of if filters is not None else None) or dt.date.today()


def excludes_everything(filters: Filters | None) -> bool:
    """An empty allowed list (e.g. a scope with no overlap) admits no chunk at all."""
    return any(isinstance(v, list) and len(v) == 0 for v in _filter_fields(filters).values())


class HybridSearch:
    """Fused dense + lexical (+ structural) candidates, reordered by the relevance model."""

    def __init__(
        self, index: Index, settings: RetrievalSettings, reranker: Reranker | None = None
    ) -> None:
        self.index = index
        self.settings = settings
        self.reranker = reranker
        self._names: tuple[str, list[DocumentNames]] | None = None

    def search(
        self,
        query: PreparedQuery,
        *,
        k: int | None = None,
        filters: Filters | None = None,
        context_doc_ids: Sequence[str] = (),
        rerank_depth: int | None = None,
    ) -> list[Passage]:
        """The `k` best passages for the prepared `query` (see `prepare`) among those
        `filters` allow.

        With a reranker, the first `rerank_depth` fused candidates (default: the reranker's;
        0: none) are reordered by the relevance model.

        Article references are those of the user's own words (`query.refs`), so a condensed
        follow-up does not drag in the earlier turn's articles.
        """
        k = k or self.settings.top_k
        if excludes_everything(filters):
            return []
        manifest = self.index.manifest()
        if not manifest:
            return []
        where = chroma_where(filters)
        vector = self.index.embedder.encode_query(query.expanded)
        dense = self._dense(vector, filters, manifest)
        lexical_index = self.index.lexical()
        lexical = lexical_index.search(
            query.expanded, self.settings.lexical_k, lexical_where(filters)
        )
        named = tuple(context_doc_ids) or query.named
        structural = self._article_chunks(query.refs, where, manifest, named)

        rankings = [[c.chunk_id for c in dense], [h.chunk_id for h in lexical]]
        weights = [self.dense_weight(query.language), self.settings.lexical_weight]
        if named:
            # The user named a law (or is discussing one): its passages come first, and among
            # them those that match the rest of the question.
            candidates = _interleave(rankings)
            within = self._within(lexical_index, query.expanded, named, manifest, filters) or [
                cid for cid in candidates if cid.split("::", 1)[0] in named
            ]
            rankings.append(within)
            weights.append(max(self.settings.dense_weight, self.settings.lexical_weight))
        if named and query.asks_in_force:
            # "When did the PIPL take effect?": its 施行 article, which shares no other word.
            in_force = self._within(lexical_index, IN_FORCE_TERMS, named, manifest, filters)
            if in_force:
                rankings.append(in_force[:3])
                weights.append(self.settings.structural_weight)
        if query.asks_definition:
            # "How does the Cybersecurity Law define a network operator?": the article on what
            # the law's terms mean (in either language, as a named law may be Chinese). With no
            # law named, the statute definitions (是指, 所称, 含义) of the question's terms: an
            # English question reaches them through its glossary terms; a Chinese one in its
            # own words, as its English glossary terms pull in unrelated EAR sections, and
            # "means" is too common in English prose to single out a definition.
            if named:
                wording = " ".join([query.expanded, *DEFINITION_TERMS.values()])
                defining = self._within(lexical_index, wording, named, manifest, filters)
                weight = self.settings.structural_weight
            else:
                defining = _searched_with(lexical_index, query, DEFINITION_TERMS["zh"], filters)
                weight = self.settings.lexical_weight
            if defining:
                rankings.append(defining[:3])
                weights.append(weight)
        if query.asks_penalty and not named:
            # "算法推荐服务提供者违反规定的，最高可以处多少罚款？": every article of the rules names
            # the provider; the liability articles are those that also fine, warn and order.
            liable = _searched_with(lexical_index, query, PENALTY_TERMS[query.language], filters)
            if liable:
                rankings.append(liable)
                weights.append(self.settings.lexical_weight)
        if query.listed and named:
            # "反外国制裁法规定的反制措施有哪些？": the named law's article that opens the list
            # ("采取下列一种或者几种措施："), which may not repeat the question's words, among
            # the candidates either ranking found. Only for a law the question names: in a
            # large corpus many laws list someone's 权利 or 义务 (of STARD dev's 28 list
            # questions, 4 have a gold article that opens such a list).
            pool = [h.chunk_id for h in lexical]
            listing = self._listing(query.listed, named, dense, pool)[:3]
            if listing:
                rankings.append(listing)
                weights.append(self.settings.lexical_weight)
        in_named = [c for c in structural if str(c.metadata.get("doc_id")) in named]
        if structural:
            # An article of a document the user named (or is discussing) is what they asked
            # for; an article number alone is only a hint among same-numbered articles.
            if in_named:
                rankings.append([c.chunk_id for c in in_named])
                weights.append(self.settings.structural_weight)
            else:
                order = {cid: i for i, cid in enumerate(_interleave(rankings))}
                structural.sort(key=lambda c: order.get(c.chunk_id, len(order)))
                rankings.append([c.chunk_id for c in structural])
                weights.append(max(self.settings.dense_weight, self.settings.lexical_weight))
        if self.reranker is None:
            rerank_depth = 0
        elif rerank_depth is None:
            rerank_depth = self.reranker.depth
        fused = reciprocal_rank_fusion(rankings, k=self.settings.rrf_k, weights=weights)
        fused = fused[: max(k, rerank_depth)]

        known = {c.chunk_id: c for c in [*dense, *structural]}
        missing = [cid for cid, _ in fused if cid not in known]
        known.update({c.chunk_id: c for c in self.index.store.get_chunks(missing)})
        dense_scores = {c.chunk_id: 1.0 - (c.distance or 0.0) for c in dense}
        lexical_scores = {h.chunk_id: h.score for h in lexical}
        passages = [
            chunk_to_passage(known[cid], score, dense_scores.get(cid), lexical_scores.get(cid))
            for cid, score in fused
            if cid in known
        ]
        if self.reranker is not None and rerank_depth > 0:
            passages = self.reranker.rerank(query.standalone, passages, depth=rerank_depth)
            # The model does not read article numbers: "网络安全法第二十二条" is that article,
            # however much better another article of the law seems to fit its other words.
            asked = {c.chunk_id for c in in_named}
            passages = sorted(passages, key=lambda p: p.chunk_id not in asked)
        return passages[:k]

    def prepare(self, question: str, standalone: str | None = None) -> PreparedQuery:
        """The question ready for retrieval against the documents indexed now."""
        manifest = self.index.manifest()
        languages = frozenset(str(m.get("language", "")) for m in manifest.values())
        prepared = prepare_query(question, standalone, languages=languages)
        titles = [str(m.get("title", "")) for m in manifest.values()]
        lexical = self.index.lexical()
        fingerprint = self.index.fingerprint()
        if self._names is None or self._names[0] != fingerprint:
            self._names = (fingerprint, name_table(manifest))
        # Read from the user's own words, so a condensed follow-up names no earlier law.
        named = named_documents(question, manifest, self._names[1], prepared.refs)
        return dataclasses.replace(
            prepared,
            named=named,
            absent=absent_names(question, titles, lexical.contains)
            + absent_versions(question, named, manifest)
            + absent_paragraphs(prepared.refs, partial(self._section_texts, manifest=manifest)),
        )

    def _section_texts(self, number: str, manifest: dict[str, Any]) -> list[str]:
        """Section path and text of every indexed chunk of section `number` ("734.9")."""
        chunks = self.index.store.find({"article": number}, manifest, limit=SECTION_CHUNKS)
        return [f"{c.metadata.get('section') or ''}\n{c.text}" for c in chunks]

    def _dense(
        self, vector: Any, filters: Filters | None, manifest: dict[str, Any]
    ) -> list[StoredChunk]:
        """The `dense_k` nearest chunks `filters` allow: scope conditions (documents, groups,
        languages) inside Chroma, the broad ones (in force, reviewed) on an over-fetch."""
        fields = _filter_fields(filters)
        scope: dict[str, Condition] = {f: c for f, c in fields.items() if isinstance(c, list)}
        broad: dict[str, Condition] = {f: c for f, c in fields.items() if isinstance(c, dict)}
        k = self.settings.dense_k
        store = self.index.store
        near = store.query(vector, k * DENSE_OVERFETCH, _where(scope), manifest)
        kept = [c for c in near if matches(c.metadata, broad)]
        if len(kept) >= k:
            return kept[:k]
        return store.query(vector, k, _where(fields), manifest)

    def _listing(
        self,
        head: str,
        named: Sequence[str],
        dense: Sequence[StoredChunk],
        lexical: Sequence[str],
    ) -> list[str]:
        """The candidates of the `named` documents (dense first, then lexical) that open a
        list of `head` things; only those chunks' texts are read from the store."""
        pool = [
            cid
            for cid in dict.fromkeys([*(c.chunk_id for c in dense), *lexical])
            if cid.split("::", 1)[0] in named
        ]
        texts = {c.chunk_id: c.text for c in dense}
        missing = [cid for cid in pool if cid not in texts]
        texts.update({c.chunk_id: c.text for c in self.index.store.get_chunks(missing)})
        return [cid for cid in pool if introduces_list_of(texts.get(cid, ""), head)]

    def dense_weight(self, language: str) -> float:
        """The dense ranking's fusion weight for a query in `language`."""
        return self.settings.dense_language_weights.get(language, self.settings.dense_weight)

    def _within(
        self,
        lexical: LexicalIndex,
        text: str,
        named: Sequence[str],
        manifest: dict[str, Any],
        filters: Filters | None,
    ) -> list[str]:
        """BM25 inside the named documents for the question without their names: every
        article of the Personal Information Protection Law matches "个人信息保护法", so only
        the question's other words ("fine" → 罚款) can tell its articles apart."""
        conditions = _filter_fields(filters)
        allowed = set(named) & set(conditions.get("doc_id", named))
        if not allowed:
            return []
        rest = without_names(text, [manifest.get(d, {}) | {"doc_id": d} for d in allowed])
        conditions["doc_id"] = sorted(allowed)
        hits = lexical.search(rest, self.settings.lexical_k, conditions)
        return [h.chunk_id for h in hits]

    def _article_chunks(
        self,
        cited: Sequence[ArticleRef],
        where: dict[str, Any] | None,
        manifest: dict[str, Any],
        context_doc_ids: Sequence[str],
    ) -> list[StoredChunk]:
        refs = {r.number for r in cited}
        if not refs:
            return []
        article = {"article": {"$in": sorted(refs)}}
        visible = self.index.store.find(
            all_of([article, where] if where else [article]), manifest, limit=50
        )
        context = set(context_doc_ids)
        visible.sort(
            key=lambda c: (
                str(c.metadata.get("doc_id")) not in context,
                int(c.metadata.get("start", 0)),
            )
        )
        return visible[:20]


def _searched_with(
    lexical: LexicalIndex, query: PreparedQuery, words: str, filters: Filters | None, k: int = 3
) -> list[str]:
    """The `k` best chunks for the question with the words of the kind of article that answers
    it (definitions, liability): a Chinese question in its own words, an English one with its
    glossary terms, which reach the Chinese articles."""
    own = query.standalone if query.language == "zh" else query.expanded
    return [h.chunk_id for h in lexical.search(f"{own} {words}", k, lexical_where(filters))]


def _names(doc_id: str, meta: dict[str, Any]) -> set[str]:
    """A document's short name (file stem without its date) and title, in the question's
    words: "网络安全法", "Title 15 § 744.23"."""
    stem = doc_id.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    short = re.sub(r"\(.*?\)$", "", stem)
    title = str(meta.get("title", "")).removeprefix("中华人民共和国")
    return {n for n in (short, title) if len(n) >= 3}


@lru_cache(maxsize=1)
def _english_by_chinese() -> dict[str, tuple[str, ...]]:
    return {zh: law.en for law in load_laws() for zh in law.zh}


def _english_names(names: set[str]) -> set[str]:
    english = _english_by_chinese()
    return {e for n in names for e in english.get(n, ())}


@dataclass(frozen=True)
class DocumentNames:
    """How a question can name one document: its names lowered, and its laws' English names."""

    doc_id: str
    lowered: tuple[str, ...]
    english: tuple[str, ...]


def name_table(manifest: dict[str, Any]) -> list[DocumentNames]:
    """Every document's names, worked out once per state of the index (at 1,564 laws this
    took most of the time of preparing a question)."""
    table = []
    for d, meta in manifest.items():
        names = _names(d, meta)
        aliases = _aliases(meta)
        # A Chinese alias (美国出口管制条例) is matched as the titles are, inside running text.
        english = tuple(_english_names(names)) + tuple(a for a in aliases if a.isascii())
        names |= {a for a in aliases if not a.isascii()}
        table.append(DocumentNames(d, tuple(n.lower() for n in names), english))
    return table


def _aliases(meta: dict[str, Any]) -> tuple[str, ...]:
    """The names a document's metadata gives it besides its title (`"aliases": "EAR; Export
    Administration Regulations; 美国出口管制条例"` in a sidecar or `_group.meta.json`); English
    ones are matched as whole words, acronyms by case: "What does the EAR say …" names every
    section of the group."""
    raw = str(meta.get("x_aliases", "") or "")
    return tuple(a.strip() for a in raw.split(";") if a.strip())


def named_documents(
    text: str,
    manifest: dict[str, Any],
    table: Sequence[DocumentNames] | None = None,
    refs: Sequence[ArticleRef] | None = None,
) -> tuple[str, ...]:
    """Documents the text names by title or short name ("网络安全法", "§ 744.23"), or by a
    law's English name from the glossary's laws table ("the Cybersecurity Law", "PIPL").
    `table` is `name_table(manifest)` and `refs` the text's references, when the caller
    already has them."""
    lowered = text.lower()
    # A cited section number ("§ 744.23") names the file that holds that section.
    refs = find_article_refs(text) if refs is None else refs
    sections = {r.number for r in refs if r.kind == "section"}
    found = []
    for entry in name_table(manifest) if table is None else table:
        if (
            any(n in lowered for n in entry.lowered)
            or any(entry.doc_id.endswith(f"-{n}.md") for n in sections)
            or any(mentions_english(text, e) for e in entry.english)
        ):
            found.append(entry.doc_id)
    return tuple(sorted(found))


def without_names(text: str, metas: Sequence[dict[str, Any]]) -> str:
    """`text` with every name of these documents (Chinese, English, "中华人民共和国") cut out."""
    names: set[str] = {"中华人民共和国"}
    for meta in metas:
        own = _names(str(meta["doc_id"]), meta)
        names |= own | _english_names(own) | {law.zh[0] for law in load_laws() if law.zh[0] in own}
    for name in sorted(names, key=len, reverse=True):
        text = re.sub(re.escape(name), " ", text, flags=re.IGNORECASE)
    return text


def _interleave(rankings: list[list[str]]) -> list[str]:
    seen: dict[str, None] = {}
    for row in zip_longest(*rankings):
        for item in row:
            if item is not None:
                seen.setdefault(item, None)
    return list(seen)


def chunk_to_passage(
    chunk: StoredChunk,
    score: float,
    dense_score: float | None = None,
    lexical_score: float | None = None,
) -> Passage:
    meta = chunk.metadata
    return Passage(
        **version_fields(meta),
        chunk_id=chunk.chunk_id,
        doc_id=str(meta.get("doc_id", "")),
        key=str(meta.get("key", "")),
        title=str(meta.get("title", "")),
        section=_opt(meta.get("section")),
        text=chunk.text,
        start=int(meta.get("start", 0)),
        end=int(meta.get("end", 0)),
        score=score,
        dense_score=dense_score,
        lexical_score=lexical_score,
        language=_opt(meta.get("language")),
        date=_opt(meta.get("date")),
        jurisdiction=_opt(meta.get("jurisdiction")),
        group=_opt(meta.get("group")),
        publisher=_opt(meta.get("x_publisher")),
        source=source_status(meta),
    )


def version_fields(meta: dict[str, Any], today: dt.date | None = None) -> dict[str, Any]:
    """A stored record's version fields as `Passage`, `Citation` and `DocumentInfo` show them.

    The status is today's (not the `as_of` date's): a text quoted for an earlier date still
    says that it is no longer the current one.
    """
    validity = Validity.from_metadata(meta)
    if validity is None:
        return {}
    status = validity.status_on(today or dt.date.today())
    return {
        "instrument": validity.instrument or None,
        "status": status.value if status else None,
        "effective_from": validity.effective_from,
        "effective_to": validity.effective_to,
        "status_note": validity.note,
        "superseded_by": validity.superseded_by,
        "validity": describe(status, validity.effective_from, validity.effective_to, validity.note),
    }


def _opt(value: object) -> str | None:
    return None if value is None else str(value)
