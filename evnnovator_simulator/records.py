"""The record of the API requests the simulator received, for tests to inspect."""

from dataclasses import asdict, dataclass
from datetime import datetime
import json
import logging
from typing import Any

from .render import utc_timestamp

_LOGGER = logging.getLogger(__name__)

REDACTED = "<redacted>"


@dataclass(frozen=True)
class RecordedRequest:
    """One API request and what the simulator answered; it never holds the token."""

    method: str
    path: str
    """The raw path as received, still percent-encoded, without the query."""
    query: str
    auth_scheme: str | None
    """"token", "bearer", "other", or None when there was no Authorization header."""
    authorized: bool
    body: Any
    """The parsed JSON body, or None when there was none or it was not JSON."""
    status: int
    fault: str | None
    at: datetime

    def as_json(self) -> dict[str, Any]:
        """Return the record as JSON-compatible data."""
        return asdict(self) | {"at": utc_timestamp(self.at)}


class RequestLog:
    """Records requests, scrubbing the token wherever a client may have misplaced it."""

    def __init__(self, token: str) -> None:
        """Start empty; `token` is what must never be stored or logged."""
        self._tokens = [token]
        self._entries: list[RecordedRequest] = []

    def redact_also(self, token: str) -> None:
        """Scrub `token` too; the ones before stay secrets (a client may still send them)."""
        # The longest first, so that a token inside another cannot leave the rest of it behind.
        self._tokens = sorted({*self._tokens, token}, key=len, reverse=True)

    @property
    def entries(self) -> list[RecordedRequest]:
        """A copy of the records, oldest first."""
        return list(self._entries)

    def clear(self) -> None:
        """Forget every record."""
        self._entries.clear()

    def add(
        self,
        *,
        method: str,
        path: str,
        query: str,
        auth_scheme: str | None,
        authorized: bool,
        raw_body: bytes,
        status: int,
        fault: str | None,
        at: datetime,
    ) -> RecordedRequest:
        """Record a request; a token in the path, query or body is replaced by REDACTED."""
        record = RecordedRequest(
            method=method,
            path=self._redact(path),
            query=self._redact(query),
            auth_scheme=auth_scheme,
            authorized=authorized,
            body=self._body(raw_body),
            status=status,
            fault=fault,
            at=at,
        )
        self._entries.append(record)
        _LOGGER.info("%s %s -> %s (fault: %s)", record.method, record.path, status, fault)
        return record

    def _redact(self, text: str) -> str:
        for token in self._tokens:
            text = text.replace(token, REDACTED)
        return text

    def _body(self, raw_body: bytes) -> Any:
        """Parse the body as JSON after redaction; None if empty or not JSON."""
        try:
            return json.loads(self._redact(raw_body.decode()))
        except ValueError:
            # Covers empty and non-JSON bodies, and bytes that are not UTF-8.
            return None
