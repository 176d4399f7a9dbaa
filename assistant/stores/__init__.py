"""The stores: complyqa's small SQLite files and the in-process state of the HTTP API.

`sqlite` is the base every store builds on (one file, one lock, numbered migrations); `keys`
holds the API keys (hashed) with their roles and groups; `audit` is the append-only audit log,
with its hash chain in `audit_chain` and its migrations in `audit_schema`; `conversations`
keeps the chat endpoint's earlier turns; `ratelimit` is the per-key token bucket. Import
from the modules themselves: this package re-exports nothing.
"""
