"""The end user a client says it is acting for (Open WebUI's `X-OpenWebUI-User-*` headers).

Such headers are claims anyone can send, so they count only for a key created with
`--trust-user-headers`: then the user is recorded in the audit row and gets a rate-limit
bucket of their own. For any other key they are ignored.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from assistant.stores.keys import ApiKey

__all__ = ["ForwardedUser", "forwarded_user"]

#: Header prefix Open WebUI uses with `ENABLE_FORWARD_USER_INFO_HEADERS=true`.
HEADER_PREFIX = "x-openwebui-user-"
#: Longer values are cut: they are names, not documents.
MAX_VALUE = 200


@dataclass(frozen=True)
class ForwardedUser:
    id: str | None
    name: str | None
    email: str | None
    role: str | None

    @property
    def bucket(self) -> str | None:
        """What the rate limit counts this user by (the id, else the email or name)."""
        return self.id or self.email or self.name


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    text = "".join(ch for ch in value if ch.isprintable()).strip()[:MAX_VALUE]
    return text or None


def forwarded_user(headers: Mapping[str, str], key: ApiKey | None) -> ForwardedUser | None:
    """The forwarded user, if `key` is trusted to forward users and the client named one."""
    if key is None or not key.trust_user_headers:
        return None
    user = ForwardedUser(
        id=_clean(headers.get(HEADER_PREFIX + "id")),
        name=_clean(headers.get(HEADER_PREFIX + "name")),
        email=_clean(headers.get(HEADER_PREFIX + "email")),
        role=_clean(headers.get(HEADER_PREFIX + "role")),
    )
    return user if user.bucket else None
