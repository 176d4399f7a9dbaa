"""What routes need, declared once as `Annotated` aliases: facade, stores, the caller's key."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from assistant import access
from assistant.api.audit_trail import KEY_STATE, STATE_KEY, RequestAudit
from assistant.api.errors import ApiError
from assistant.api.forwarded import ForwardedUser, forwarded_user
from assistant.models import Filters
from assistant.settings import Settings, available_profiles
from assistant.stores.audit import AuditLog
from assistant.stores.conversations import ConversationStore
from assistant.stores.keys import MAX_GROUP, ApiKey, KeyStore, Role
from assistant.stores.ratelimit import RateLimiter

if TYPE_CHECKING:
    from assistant.service import ComplyQA
else:  # the facade module loads models and the index: import it only when one is built
    ComplyQA = Any

log = logging.getLogger(__name__)

#: The principal of every request when the server runs with `--no-auth` (loopback only).
LOCAL_KEY = ApiKey(id="local", name="no-auth (loopback)", role=Role.admin, scope=None)


@dataclass
class ApiState:
    """Everything the routes share, built once by `create_app`."""

    settings: Settings
    keys: KeyStore
    audit: AuditLog
    conversations: ConversationStore
    limiter: RateLimiter
    qa_factory: Callable[[Settings], ComplyQA]
    qa: ComplyQA | None = None
    #: Uploads and deletions change files and the index: one at a time.
    write_lock: threading.Lock = field(default_factory=threading.Lock)
    _profiles: dict[str, ComplyQA] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def uploads_dir(self) -> Path:
        return Path(self.settings.data_dir) / "uploads"

    def facade(self, profile: str | None = None) -> ComplyQA:
        """The facade for a settings profile (the server's own one unless named)."""
        with self._lock:
            if profile is None or profile == self.settings.profile:
                if self.qa is None:
                    self.qa = self.qa_factory(self.settings)
                return self.qa
            if profile not in available_profiles():
                raise ApiError(
                    422,
                    f"unknown profile {profile!r}; "
                    f"choose one of: {', '.join(available_profiles())}",
                )
            if profile not in self._profiles:
                # Same data dir and index, other retrieval/answer settings.
                self._profiles[profile] = self.qa_factory(self.settings.with_profile(profile))
            return self._profiles[profile]

    def close(self) -> None:
        self.keys.close()
        self.audit.close()
        self.conversations.close()


def get_state(request: Request) -> ApiState:
    state: ApiState = request.app.state.complyqa
    return state


StateDep = Annotated[ApiState, Depends(get_state)]


def get_settings(state: StateDep) -> Settings:
    return state.settings


def get_qa(state: StateDep) -> ComplyQA:
    return state.facade()


def get_audit(state: StateDep) -> AuditLog:
    return state.audit


def get_conversations(state: StateDep) -> ConversationStore:
    return state.conversations


def get_keys(state: StateDep) -> KeyStore:
    return state.keys


SettingsDep = Annotated[Settings, Depends(get_settings)]
QADep = Annotated[ComplyQA, Depends(get_qa)]
AuditDep = Annotated[AuditLog, Depends(get_audit)]
ConversationsDep = Annotated[ConversationStore, Depends(get_conversations)]
KeysDep = Annotated[KeyStore, Depends(get_keys)]


def get_request_audit(request: Request) -> RequestAudit:
    """This request's audit record, made by the `AuditTrail` middleware for every `/v1` call."""
    record: RequestAudit = request.scope["state"][STATE_KEY]
    return record


RecordDep = Annotated[RequestAudit, Depends(get_request_audit)]

_bearer = HTTPBearer(
    auto_error=False,
    description="An API key from `complyqa keys create` (or `POST /v1/keys`).",
)


def current_key(
    request: Request,
    state: StateDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> ApiKey:
    """The caller's API key, after authentication and the per-key rate limit."""
    if not state.settings.api.auth:
        key = LOCAL_KEY
    else:
        if credentials is None or not credentials.credentials:
            raise ApiError(
                401,
                "missing API key: send 'Authorization: Bearer <key>' "
                "(create one with `complyqa keys create`)",
                headers={"WWW-Authenticate": "Bearer"},
            )
        found = state.keys.authenticate(credentials.credentials)
        if found is None:
            raise ApiError(
                401,
                "unknown or revoked API key",
                headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
            )
        key = found
    # Known from here on, so a refusal below is audited under this key.
    setattr(request.state, KEY_STATE, key)
    user = forwarded_user(request.headers, key)
    # A key trusted to forward users (Open WebUI) gives each user a bucket of their own.
    bucket = rate_bucket(key, user)
    retry_after = state.limiter.acquire(bucket)
    if retry_after is not None:
        seconds = max(1, int(retry_after + 0.999))
        who = "this key" if user is None else f"user {user.bucket!r} of this key"
        raise ApiError(
            429,
            f"rate limit of {state.settings.api.rate_limit_per_minute} requests a minute "
            f"exceeded for {who}; retry in {seconds} s",
            headers={"Retry-After": str(seconds)},
        )
    return key


def rate_bucket(key: ApiKey, user: ForwardedUser | None) -> str:
    """The rate-limit bucket a request counts against: the key's, or a forwarded user's."""
    return key.id if user is None else f"{key.id}/user:{user.bucket}"


CurrentKey = Annotated[ApiKey, Depends(current_key)]

_ACTIONS = {
    Role.reader: "asking, searching and reading documents",
    Role.editor: "uploading and deleting documents",
    Role.admin: "managing keys and reading the audit log",
}


def _require(role: Role, unscoped: bool = False) -> Callable[[ApiKey], ApiKey]:
    def check(key: CurrentKey) -> ApiKey:
        if not key.role.allows(role):
            raise ApiError(
                403,
                f"this key has role {key.role.value}; {_ACTIONS[role]} needs role {role.value}",
            )
        if unscoped and key.scope is not None:
            raise ApiError(
                403, f"{_ACTIONS[role]} needs an admin key without a scope (this one is scoped)"
            )
        return key

    return check


ReaderKey = Annotated[ApiKey, Depends(_require(Role.reader))]
EditorKey = Annotated[ApiKey, Depends(_require(Role.editor))]
AdminKey = Annotated[ApiKey, Depends(_require(Role.admin, unscoped=True))]


def scoped_filters(filters: Filters | None, key: ApiKey) -> Filters:
    """`filters` narrowed to the key's scope (`assistant.access.narrow_filters`), for the
    facade to apply inside the index query; a group outside the scope is a 403."""
    filters = filters or Filters()
    check_filter_names(filters)
    try:
        return access.narrow_filters(filters, key.scope)
    except access.AccessDenied as e:
        raise ApiError(403, str(e)) from None


#: Longest value each filter accepts: names, not documents (a group is one folder name).
_FILTER_LIMITS = {"groups": MAX_GROUP, "doc_ids": 1000, "languages": 20, "jurisdictions": 100}


def check_filter_names(filters: Filters) -> None:
    """Refuses over-long filter values (422) before they reach the index or a file name."""
    for name, limit in _FILTER_LIMITS.items():
        for value in getattr(filters, name) or ():
            if len(value) > limit:
                raise ApiError(
                    422,
                    f"filters.{name}: {value[:20]!r}... has {len(value)} characters; "
                    f"the limit is {limit}",
                    type="urn:complyqa:error:invalid-request",
                )


def guard_doc_ids(doc_ids: Iterable[str], key: ApiKey) -> None:
    """Fails closed if the facade ever returned a document id from outside the key's scope."""
    guard_groups((access.group_of(d) for d in doc_ids), key)


def guard_groups(groups: Iterable[str | None], key: ApiKey) -> None:
    """Fails closed if the facade ever returned a document group from outside the key's scope.

    The scope is enforced by the filter inside the index query; this only turns a bug there
    into an error instead of a leak.
    """
    try:
        access.check_groups(key.scope, groups)
    except access.ScopeLeak as e:
        log.error("scope filter let through groups %s for key %s", e.groups, key.id)
        raise ApiError(
            500, "The server failed to handle this request; the error has been logged."
        ) from None


def check_document_access(doc_id: str, key: ApiKey) -> None:
    """Refuses a document outside the key's scope before anything is read."""
    try:
        access.check_document(key.scope, doc_id)
    except access.AccessDenied as e:
        raise ApiError(403, str(e)) from None


def check_question(text: str, settings: Settings, what: str = "question") -> str:
    """The question stripped; refuses an empty one or one over `answer.max_question_chars`."""
    question = text.strip()
    limit = settings.answer.max_question_chars
    if not question:
        raise ApiError(422, f"the {what} is empty", type="urn:complyqa:error:invalid-question")
    if len(question) > limit:
        raise ApiError(
            422,
            f"the {what} is {len(question)} characters long; the limit is {limit} characters "
            "(setting answer.max_question_chars)",
            type="urn:complyqa:error:invalid-question",
        )
    return question
