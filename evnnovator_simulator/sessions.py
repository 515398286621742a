"""A charging session and how it evolves with time.

Nothing runs in the background: a session stores the moments that matter (requested, stop asked,
superseded) and `observe` derives its state at any instant. A frozen or manual clock therefore
gives exact, reproducible answers.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from .settings import SimulatorSettings

PENDING = "PENDING"
ACTIVE = "ACTIVE"
COMPLETED = "COMPLETED"
RUNNING = frozenset({PENDING, ACTIVE})
"""Statuses in which a session is still going on."""

_SECONDS_PER_HOUR = 3600.0


@dataclass
class Session:
    """What the operator remembers about one session."""

    id: str
    session_id: str
    auth_id: str
    evse_uid: str
    requested_at: datetime
    initial_status: str
    autostop_kwh: float | None = None
    stop_requested_at: datetime | None = None
    superseded_at: datetime | None = None


@dataclass(frozen=True)
class SessionView:
    """A session as it stands at one instant."""

    session: Session
    status: str
    kwh: float
    charging_since: datetime | None
    """When energy started to flow; None if it never did (yet)."""
    end: datetime | None
    """What `end_datetime` shows: the last meter value while ACTIVE, the end once COMPLETED."""
    last_modified: datetime


def observe(session: Session, now: datetime, settings: SimulatorSettings) -> SessionView:
    """Return the state of `session` at `now`."""
    if session.initial_status not in RUNNING:
        # Statuses such as INVALID or unknown ones stay as they were created: nothing flows.
        return SessionView(session, session.initial_status, 0.0, None, None, session.requested_at)

    charging_since = session.requested_at
    if session.initial_status == PENDING:
        charging_since += timedelta(seconds=settings.pending_delay)
    end, autostopped = _end(session, charging_since, settings)

    if end is not None and now >= end:
        if autostopped and session.autostop_kwh is not None:
            # Report the target itself rather than power * time, which float rounding blurs.
            kwh = session.autostop_kwh
        else:
            kwh = _energy(charging_since, end, settings)
        started = charging_since if charging_since < end else None
        return SessionView(session, COMPLETED, kwh, started, end, end)
    if now < charging_since:
        changed = max(session.requested_at, session.stop_requested_at or session.requested_at)
        return SessionView(session, PENDING, 0.0, None, None, changed)
    # The published sample shows end_datetime set while ACTIVE: the time of the last meter value.
    return SessionView(
        session, ACTIVE, _energy(charging_since, now, settings), charging_since, now, now
    )


def _end(
    session: Session, charging_since: datetime, settings: SimulatorSettings
) -> tuple[datetime | None, bool]:
    """Return when the session ends (None: not planned yet) and whether autostop ends it."""
    candidates: list[tuple[datetime, bool]] = []
    if session.autostop_kwh is not None and settings.power_kw > 0:
        hours = session.autostop_kwh / settings.power_kw
        candidates.append((charging_since + timedelta(hours=hours), True))
    if session.stop_requested_at is not None:
        stop_at = session.stop_requested_at + timedelta(seconds=settings.stop_delay)
        candidates.append((stop_at, False))
    if session.superseded_at is not None:
        candidates.append((session.superseded_at, False))
    if not candidates:
        return None, False
    # On a tie the autostop wins (True sorts last, so negate) to report its exact energy.
    return min(candidates, key=lambda candidate: (candidate[0], not candidate[1]))


def _energy(since: datetime, until: datetime, settings: SimulatorSettings) -> float:
    """Return the energy delivered between two instants at the configured power."""
    seconds = max(0.0, (until - since).total_seconds())
    return settings.power_kw * seconds / _SECONDS_PER_HOUR
