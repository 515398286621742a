"""How long the API asked to be left alone after a 429: one clock (Home Assistant's) for all."""

from __future__ import annotations

from datetime import datetime, timedelta

from homeassistant.util import dt as dt_util


class Backoff:
    """A wait the API asked for (Retry-After), or a default one when it named none."""

    def __init__(self, default_seconds: float) -> None:
        """Wait `default_seconds` after a 429 without a Retry-After."""
        self._default = default_seconds
        self._until: datetime | None = None

    def hold(self, retry_after: float | None) -> float:
        """Hold for `retry_after` seconds (the default when None); return the wait."""
        wait = self._default if retry_after is None else retry_after
        self._until = dt_util.utcnow() + timedelta(seconds=wait)
        return wait

    @property
    def remaining(self) -> float | None:
        """Seconds left to wait; None when the API may be asked again."""
        if self._until is None:
            return None
        left = (self._until - dt_util.utcnow()).total_seconds()
        if left > 0:
            return left
        self._until = None
        return None
