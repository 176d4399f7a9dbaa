"""complyqa as a Model Context Protocol server: tools `search_sources`, `ask`, `get_passage`.

`complyqa mcp` serves them over stdio (for desktop assistants and IDEs that spawn a local
server); `complyqa serve` mounts the same tools over streamable HTTP at `/mcp`, behind the
same API keys, scopes, rate limit and audit log as the HTTP API.
"""
