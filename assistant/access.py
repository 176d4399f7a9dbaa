"""Who may read what: the rules between a key's scope and a document's group, and the filters
a document listing applies. Pure functions over plain values, no web framework: the API (and
MCP tools) call them and turn `AccessDenied` / `ScopeLeak` into their own errors.

A scope is the list of document groups a key may read (`ApiKey.scope`); None means every
group. A document's group is the indexed `group` field (chunk and manifest metadata,
`DocumentInfo.group`, `Passage.group`), which ingest writes from `ingest.models.Document.group`
(the first path component of the id). Where only an id is at hand (a document asked for by id,
which must be refused the same way whether or not it exists, or a citation), `group_of` gives
the group that id has, by the same rule.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import Any

from assistant.models import Filters

Scope = Collection[str] | None


class AccessDenied(Exception):
    """The key's scope does not allow what was asked (the API answers 403 with the message)."""


class ScopeLeak(Exception):
    """Something from outside the key's scope came back: a bug below, never shown to a caller."""

    def __init__(self, groups: list[str]) -> None:
        super().__init__(f"groups outside the scope: {', '.join(groups)}")
        self.groups = groups


def group_of(doc_id: str) -> str:
    """The group of a document id: its first path component ("" at the top level).

    The same rule ingest uses for the indexed `group` field (`ingest.models.Document.group`),
    so for every indexed document this equals its stored group.
    """
    return doc_id.split("/", 1)[0] if "/" in doc_id else ""


def may_see(scope: Scope, group: str | None) -> bool:
    """A key with `scope` may read documents of `group` (an unknown group only unscoped)."""
    return scope is None or (group or "") in scope


def outside_scope(scope: Scope, groups: Iterable[str | None]) -> list[str]:
    """The distinct `groups` a key with `scope` may not read, sorted; empty when all are fine."""
    if scope is None:
        return []
    return sorted({g or "" for g in groups} - set(scope))


def check_groups(scope: Scope, groups: Iterable[str | None]) -> None:
    """Fails closed (`ScopeLeak`) if any of `groups` is outside `scope`."""
    outside = outside_scope(scope, groups)
    if outside:
        raise ScopeLeak(outside)


def check_document(scope: Scope, doc_id: str) -> None:
    """Refuses a document id outside the scope, before anything is read; decided on the id
    alone so an unknown document of another group is refused like a known one."""
    if not may_see(scope, group_of(doc_id)):
        raise AccessDenied("this key's scope does not include this document's group")


def narrow_filters(filters: Filters, scope: Scope) -> Filters:
    """`filters` narrowed to `scope`, for the facade to apply inside the index query.

    Asking for a group outside the scope is refused rather than silently narrowed to nothing:
    an empty group list would read as "no filter" further down.
    """
    if scope is None:
        return filters
    if filters.groups is not None:
        outside = [g for g in filters.groups if g not in scope]
        if outside:
            raise AccessDenied(
                f"this key may not read document group(s): {', '.join(sorted(outside))}"
            )
    narrowed = filters.narrowed_to_groups(list(scope))
    if not narrowed.groups:  # never query without the scope
        raise AccessDenied("this key's scope leaves no document group to search")
    return narrowed


def document_matches(doc_id: str, meta: Mapping[str, Any], filters: Filters | None) -> bool:
    """The document (its id and manifest metadata) passes `filters`' doc id, group, language
    and jurisdiction conditions (`as_of` concerns passages, not the listing)."""
    if filters is None:
        return True
    jurisdiction = meta.get("jurisdiction")
    checks = [
        (filters.doc_ids, doc_id),
        (filters.groups, str(meta.get("group", ""))),
        (filters.languages, str(meta.get("language", ""))),
        (filters.jurisdictions, None if jurisdiction is None else str(jurisdiction)),
    ]
    return all(allowed is None or value in allowed for allowed, value in checks)


def select_documents(
    manifest: Mapping[str, Mapping[str, Any]], filters: Filters | None
) -> list[str]:
    """The ids of the manifest's documents that pass `filters`, sorted."""
    return sorted(d for d, meta in manifest.items() if document_matches(d, meta, filters))
