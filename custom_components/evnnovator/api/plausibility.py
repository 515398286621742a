"""Readings that cannot be true: an answer carrying one is refused whole, never shown.

One absurd `kwh` would otherwise stay in the lifetime total for good (it keeps each session's
highest value) and set off a limit's STOP early. Times that contradict each other (an end
before the start, a start after every clock) are not readings: they read as unknown, so that
they never make a true energy look impossible.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import Session

MAX_SESSION_KWH = 2000.0
"""More than any vehicle's battery takes in one session (the largest trucks carry about 1 MWh)."""
MAX_CHARGER_KW = 400.0
"""The most powerful public chargers."""
POWER_SLACK = 1.25
ENERGY_ALLOWANCE_KWH = 1.0
"""Meter rounding and clocks that disagree by a little must not refuse a true reading."""
MAX_TOTAL_COST = 1e10
"""More than one session costs in any currency."""
START_AHEAD = timedelta(minutes=5)
"""A start this much later than both our clock and the record's own last change has not been."""


def with_possible_times(session: Session, now: datetime) -> Session:
    """The session with the times that cannot be true read as unknown (named in out_of_range).

    A start later than every clock (ours and the record's last change) is unknown; so is an
    end before the start (a stale copy or a sentinel), whatever the status.
    """
    start, end = session.start, session.end
    unknown: list[str] = []
    latest = max(time for time in (now, session.last_modified) if time is not None)
    if start is not None and start > latest + START_AHEAD:
        start = None
        unknown.append("session.start_datetime")
    if start is not None and end is not None and end < start:
        end = None
        unknown.append("session.end_datetime")
    if not unknown:
        return session
    return replace(session, start=start, end=end, out_of_range=(*session.out_of_range, *unknown))


def implausibility(session: Session, now: datetime) -> str | None:
    """Why the session's readings cannot be true, or None when they can be."""
    kwh = session.kwh
    if kwh is not None:
        if kwh > MAX_SESSION_KWH:
            return f"session.kwh {kwh:.6g} is more than one session delivers ({MAX_SESSION_KWH:g})"
        hours = _hours_charged(session, now)
        if hours is not None:
            possible = MAX_CHARGER_KW * POWER_SLACK * hours + ENERGY_ALLOWANCE_KWH
            if kwh > possible:
                return (
                    f"session.kwh {kwh:.6g} is more than any charger delivers in "
                    f"{hours * 60:.1f} minutes since the start"
                )
    cost = session.total_cost
    if cost is not None and cost > MAX_TOTAL_COST:
        return f"session.total_cost {cost:.6g} is more than one session costs"
    return None


def _hours_charged(session: Session, now: datetime) -> float | None:
    """The longest the session can have charged, by our clock and by the API's own times.

    Going by the latest time either clock shows, a clock behind the other never refuses a
    true reading.
    """
    if session.start is None:
        return None
    if session.is_running:
        times = [now, session.end, session.last_modified]
    else:
        times = [session.end, session.last_modified]
    until = max((time for time in times if time is not None), default=now)
    return max((until - session.start).total_seconds(), 0.0) / 3600
