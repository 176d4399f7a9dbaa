"""The HTTP API and chat page over the `ComplyQA` facade."""

from assistant.api.app import create_app

__all__ = ["create_app"]
