"""Turning API client errors into Home Assistant's translated errors."""

from __future__ import annotations

from .api import (
    EvnnovatorAuthenticationError,
    EvnnovatorCommandRejectedError,
    EvnnovatorConnectionError,
    EvnnovatorError,
    EvnnovatorRateLimitError,
    EvnnovatorResponseError,
)


def translation_key_for(err: EvnnovatorError) -> str:
    """The key under `exceptions` in strings.json that explains `err` to the user."""
    match err:
        case EvnnovatorAuthenticationError():
            return "authentication_failed"
        case EvnnovatorRateLimitError():
            return "rate_limited"
        case EvnnovatorConnectionError():
            return "cannot_connect"
        case EvnnovatorCommandRejectedError():
            return "command_rejected"
        case EvnnovatorResponseError():
            return "invalid_response"
        case _:
            return "unexpected_error"
