"""Readings that cannot be true: an answer carrying one is refused whole, never shown.

One absurd `kwh` would otherwise stay in the lifetime total for good (it keeps each session's
highest value) and set off a limit's STOP early.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from datetime import datetime

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
