"""Exceptions raised by the EVnnovator API client: one tree, nothing else escapes the client."""

from __future__ import annotations


class EvnnovatorError(Exception):
    """Base of every error the client raises."""


class EvnnovatorConnectionError(EvnnovatorError):
    """The API could not be reached or failed on its side (timeout, refused, DNS, 5xx)."""


class EvnnovatorServerError(EvnnovatorConnectionError):
    """The API was reached but failed on its side (HTTP 5xx): not the network, not the input."""


class EvnnovatorAuthenticationError(EvnnovatorError):
    """The API refused the credentials (401) or the driver is not allowed (403)."""

    def __init__(self, message: str, *, status: int) -> None:
        """Keep the HTTP status so callers can tell 401 from 403."""
        super().__init__(message)
        self.status = status


class EvnnovatorRateLimitError(EvnnovatorError):
    """The API asked us to slow down (429)."""

    def __init__(self, message: str, *, retry_after: float | None) -> None:
        """Keep the seconds of the Retry-After header, when the API sent one."""
        super().__init__(message)
        self.retry_after = retry_after


class EvnnovatorResponseError(EvnnovatorError):
    """The API answered, but not with what the documented calls return."""


class EvnnovatorCommandRejectedError(EvnnovatorError):
    """The API answered a command with REJECTED."""

    def __init__(self, message: str, *, command: str) -> None:
        """Keep the command's name for the caller's error message."""
        super().__init__(message)
        self.command = command
