"""Clocks: the simulator computes every state from "now", so a test can drive time by hand."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

type Clock = Callable[[], datetime]
"""Returns the current time as an aware UTC datetime."""

DEFAULT_MANUAL_START = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def system_clock() -> datetime:
    """Return the real current time in UTC."""
    return datetime.now(UTC)


class ManualClock:
    """A clock that only moves when told to."""

    def __init__(self, start: datetime | None = None) -> None:
        """Start at `start` (aware), or at a fixed date so that runs are reproducible."""
        self._now = DEFAULT_MANUAL_START
        if start is not None:
            self.set(start)

    def __call__(self) -> datetime:
        """Return the clock's current time."""
        return self._now

    def advance(self, seconds: float) -> datetime:
        """Move forward by `seconds` (>= 0) and return the new time."""
        if seconds < 0:
            # Sessions are computed from elapsed time: going back would un-deliver energy.
            raise ValueError("a manual clock only moves forward")
        self._now += timedelta(seconds=seconds)
        return self._now

    def set(self, when: datetime) -> None:
        """Jump to `when`, which must be timezone-aware."""
        if when.tzinfo is None:
            raise ValueError("when must be timezone-aware")
        self._now = when.astimezone(UTC)
