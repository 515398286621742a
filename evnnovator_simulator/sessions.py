"""A charging session and how it evolves with time.

Nothing runs in the background: a session stores the moments that matter (requested, stop asked,
superseded) and the operator profile in force when it started; `observe` derives its state at any
instant. A frozen or manual clock therefore gives exact, reproducible answers.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from .meter import energy_kwh, last_sample, next_sample, stop_latency, time_to_reach
from .operator_profile import OperatorProfile

PENDING = "PENDING"
ACTIVE = "ACTIVE"
COMPLETED = "COMPLETED"
RUNNING = frozenset({PENDING, ACTIVE})
"""Statuses in which a session is still going on."""


@dataclass
class Session:
    """What the operator remembers about one session."""

    id: str
    session_id: str
    auth_id: str
    evse_uid: str
    requested_at: datetime
    initial_status: str
    profile: OperatorProfile
    """The operator's behaviour when the session started; later changes leave it alone."""
    charging_since: datetime
    """When energy starts to flow unless the session ends first."""
    autostop_kwh: float | None = None
    stop_requested_at: datetime | None = None
    superseded_at: datetime | None = None


@dataclass(frozen=True)
class SessionView:
    """A session as it stands at one instant."""

    session: Session
    status: str
    kwh: float
    """The energy the record shows (the last meter sample), not yet rounded."""
    charging_since: datetime | None
    """When energy started to flow; None if it never did (yet)."""
    end: datetime | None
    """What `end_datetime` shows: the last meter value while ACTIVE, the end once COMPLETED."""
    last_modified: datetime


@dataclass(frozen=True)
class Ending:
    """How a session ends, as planned by the moments it has stored so far."""

    real_stop: datetime
    """When energy really stops flowing."""
    completed_at: datetime
    """When the record says COMPLETED (at or after the real stop)."""
    exact_autostop: bool
    """The exact autostop ended it: the target itself is the final energy."""


def observe(session: Session, now: datetime) -> SessionView:
    """Return the state of `session` at `now`."""
    if session.initial_status not in RUNNING:
        # Statuses such as INVALID or unknown ones stay as they were created: nothing flows.
        return SessionView(session, session.initial_status, 0.0, None, None, session.requested_at)

    since = session.charging_since
    ending = plan_ending(session)
    if ending is not None and now >= ending.completed_at:
        started = since if since < ending.real_stop else None
        final = delivered_kwh(session, ending.real_stop)
        return SessionView(
            session,
            COMPLETED,
            final,
            started,
            end=ending.real_stop,
            last_modified=ending.completed_at,
        )
    if now < since:
        changed = max(session.requested_at, session.stop_requested_at or session.requested_at)
        return SessionView(session, PENDING, 0.0, None, None, changed)
    # Between samples the API repeats the last one, and `end_datetime` (as in the published
    # sample, set while ACTIVE) and `last_modified_date` are that sample's time.
    sampled = since + last_sample(session.profile, now - since)
    return SessionView(session, ACTIVE, delivered_kwh(session, sampled), since, sampled, sampled)


def delivered_kwh(session: Session, at: datetime) -> float:
    """Return the energy truly delivered up to `at` (or up to the real stop), unrounded."""
    if session.initial_status not in RUNNING:
        return 0.0
    ending = plan_ending(session)
    if ending is not None and at >= ending.real_stop:
        if ending.exact_autostop and session.autostop_kwh is not None:
            # The target itself rather than the energy formula, which float rounding blurs.
            return session.autostop_kwh
        at = ending.real_stop
    return energy_kwh(session.profile, at - session.charging_since)


def plan_ending(session: Session) -> Ending | None:
    """Return how the session ends, or None while nothing ends it yet (or it never ran)."""
    if session.initial_status not in RUNNING:
        return None
    profile = session.profile
    since = session.charging_since
    latency = stop_latency(profile, session.id)
    stops: list[tuple[datetime, bool]] = []
    reach = None if session.autostop_kwh is None else time_to_reach(profile, session.autostop_kwh)
    if reach is not None and profile.autostop == "exact":
        stops.append((since + reach, True))
    elif reach is not None:
        # The operator only learns of the energy from a meter value, and reacts with its latency.
        stops.append((since + next_sample(profile, reach) + latency, False))
    if session.stop_requested_at is not None:
        stops.append((session.stop_requested_at + latency, False))
    if session.superseded_at is not None:
        stops.append((session.superseded_at, False))
    if not stops:
        return None
    # On a tie the exact autostop wins (True sorts last, so negate) to report its exact energy.
    real_stop, exact = min(stops, key=lambda stop: (stop[0], not stop[1]))
    completed_at = real_stop
    if profile.completion == "next_sample" and real_stop > since:
        completed_at = since + next_sample(profile, real_stop - since)
    if session.superseded_at is not None:
        # A new session replaced it: this one is over at once, whatever its meter.
        completed_at = min(completed_at, session.superseded_at)
    return Ending(real_stop, completed_at, exact)


def charging_start(requested_at: datetime, initial_status: str, pending_delay: float) -> datetime:
    """Return when a session created at `requested_at` starts charging."""
    if initial_status == PENDING:
        return requested_at + timedelta(seconds=pending_delay)
    return requested_at
