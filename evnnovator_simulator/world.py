"""The operator's state: drivers, their sessions, and what the commands do to them."""

import copy
from dataclasses import dataclass, field
from datetime import datetime, timedelta
import hashlib
import itertools
from typing import Any

from .operator_profile import OperatorProfile
from .sessions import (
    PENDING,
    RUNNING,
    Session,
    SessionView,
    charging_start,
    observe,
    plan_ending,
)
from .settings import SimulatorSettings
from .site import DEMO_LOCATION_ID, EVSE_UIDS, find_evse_uid

_FIRST_SESSION_NUMBER = 20796751
"""The published sample's numeric `session_id`; later sessions count up from it."""


class UnknownDriverError(LookupError):
    """No driver has this auth_id."""


class DriverBlockedError(LookupError):
    """The driver exists but the operator has not whitelisted it."""


class NoSessionError(LookupError):
    """The driver has not started any session yet."""


class UnknownSessionError(LookupError):
    """No session has this hex id."""


@dataclass
class Driver:
    """An EV driver known to the operator."""

    auth_id: str
    token_uid: str
    whitelisted: bool
    sessions: list[Session] = field(default_factory=list)
    raw_latest: dict[str, Any] | None = None
    profile: OperatorProfile | None = None
    """The operator's behaviour for this driver's new sessions; None: the world's default."""


class World:
    """Every driver and session of the simulated operator."""

    def __init__(self, settings: SimulatorSettings) -> None:
        """Start empty."""
        self._settings = settings
        self.default_profile: OperatorProfile = settings.operator
        """The operator's behaviour for drivers without their own profile."""
        self._drivers: dict[str, Driver] = {}
        self._sessions: dict[str, Session] = {}
        self._numbers = itertools.count(_FIRST_SESSION_NUMBER)
        self.evse_status_overrides: dict[str, str] = {}
        """Statuses that EVSEs show whatever runs on them (by uid)."""

    def add_driver(self, auth_id: str, *, token_uid: str, whitelisted: bool = True) -> Driver:
        """Register a driver; auth ids and token uids must be unique."""
        if auth_id in self._drivers:
            raise ValueError(f"driver {auth_id!r} already exists")
        if any(driver.token_uid == token_uid for driver in self._drivers.values()):
            # START_SESSION names the driver by token_uid, so it must pick exactly one.
            raise ValueError("token_uid already belongs to another driver")
        driver = Driver(auth_id, token_uid, whitelisted)
        self._drivers[auth_id] = driver
        return driver

    def driver(self, auth_id: str) -> Driver:
        """Return the driver with this auth_id or raise UnknownDriverError."""
        try:
            return self._drivers[auth_id]
        except KeyError:
            raise UnknownDriverError(auth_id) from None

    def session(self, session_id: str) -> Session:
        """Return the session with this hex id or raise UnknownSessionError."""
        try:
            return self._sessions[session_id]
        except KeyError:
            raise UnknownSessionError(session_id) from None

    def profile_for(self, auth_id: str) -> OperatorProfile:
        """Return the profile a new session of this driver starts with."""
        return self.driver(auth_id).profile or self.default_profile

    def observe(self, session: Session, now: datetime) -> SessionView:
        """Return the state of a session at `now`."""
        return observe(session, now)

    def start_session(
        self,
        auth_id: str,
        *,
        now: datetime,
        evse_uid: str,
        autostop_kwh: float | None = None,
        status: str = PENDING,
    ) -> Session:
        """Start a new latest session for a driver, ending any session it still runs.

        A status other than PENDING or ACTIVE creates a session frozen in that status.
        """
        driver = self.driver(auth_id)
        canonical_uid = find_evse_uid(evse_uid)
        if canonical_uid is None:
            raise ValueError(f"unknown EVSE uid {evse_uid!r}")
        if autostop_kwh is not None and not autostop_kwh > 0:
            raise ValueError("autostop_kwh must be > 0")
        if not status:
            raise ValueError("status must not be empty")
        previous = self._running_session(driver, now)
        if previous is not None:
            # As if the driver unplugged: the old session ends now with what it delivered.
            previous.superseded_at = now
        number = next(self._numbers)
        session = Session(
            id=_hex_id(number, auth_id, now),
            session_id=str(number),
            auth_id=auth_id,
            evse_uid=canonical_uid,
            requested_at=now,
            initial_status=status,
            profile=self.profile_for(auth_id),
            charging_since=charging_start(now, status, self._settings.pending_delay),
            autostop_kwh=autostop_kwh,
        )
        driver.sessions.append(session)
        self._sessions[session.id] = session
        return session

    def set_raw_latest(self, auth_id: str, data: dict[str, Any] | None) -> None:
        """Serve `data` verbatim as the driver's latest session (None: back to normal)."""
        self.driver(auth_id).raw_latest = copy.deepcopy(data)

    def latest(self, auth_id: str, now: datetime) -> SessionView | dict[str, Any]:
        """Return what the API serves as the driver's latest session.

        Raises UnknownDriverError, DriverBlockedError or NoSessionError when it serves none.
        """
        driver = self.driver(auth_id)
        if not driver.whitelisted:
            raise DriverBlockedError(auth_id)
        if driver.raw_latest is not None:
            return copy.deepcopy(driver.raw_latest)
        if not driver.sessions:
            raise NoSessionError(auth_id)
        return self.observe(driver.sessions[-1], now)

    def command_start(
        self,
        *,
        token_uid: str,
        location_id: str,
        evse_uid: str,
        autostop_kwh: float | None,
        now: datetime,
    ) -> bool:
        """Apply START_SESSION; return whether the operator accepts it."""
        driver = next((d for d in self._drivers.values() if d.token_uid == token_uid), None)
        if (
            driver is None
            or not driver.whitelisted
            or location_id != DEMO_LOCATION_ID
            or find_evse_uid(evse_uid) is None
            or self._running_session(driver, now) is not None
        ):
            return False
        self.start_session(
            driver.auth_id, now=now, evse_uid=evse_uid, autostop_kwh=autostop_kwh, status=PENDING
        )
        return True

    def command_stop(self, session_id: str, now: datetime) -> bool:
        """Apply STOP_SESSION; return whether the operator accepts it."""
        session = self._sessions.get(session_id)
        if session is None or self.observe(session, now).status not in RUNNING:
            return False
        if session.stop_requested_at is None:
            # A repeated STOP is accepted but must not postpone the first one's effect.
            session.stop_requested_at = now
        return True

    def token_uid(self, auth_id: str, location_id: str) -> str:
        """Return the driver's token uid at the location with this hex id.

        Raises UnknownDriverError, DriverBlockedError, or LookupError for another location.
        """
        driver = self.driver(auth_id)
        if location_id != DEMO_LOCATION_ID:
            raise LookupError(location_id)
        if not driver.whitelisted:
            raise DriverBlockedError(auth_id)
        return driver.token_uid

    def evse_statuses(self, now: datetime) -> dict[str, str]:
        """Each EVSE's status by uid: CHARGING while a driver's session runs on it.

        A status set with `set_evse_status` (e.g. OUTOFORDER) wins over that.
        """
        statuses = dict.fromkeys(EVSE_UIDS, "AVAILABLE")
        for driver in self._drivers.values():
            if driver.sessions and self.observe(driver.sessions[-1], now).status in RUNNING:
                statuses[driver.sessions[-1].evse_uid] = "CHARGING"
        return statuses | self.evse_status_overrides

    def cdr(self, session_number: str, now: datetime) -> tuple[SessionView, datetime] | None:
        """Return a session, by its numeric `session_id`, and when its CDR was made.

        None while there is no CDR: the session runs, or it completed less than the
        settings' `cdr_delay` ago, or no session has that number.
        """
        session = next((s for s in self._sessions.values() if s.session_id == session_number), None)
        if session is None:
            return None
        view = self.observe(session, now)
        if view.status in RUNNING:
            return None
        ending = plan_ending(session)
        completed = session.requested_at if ending is None else ending.completed_at
        created = completed + timedelta(seconds=self._settings.cdr_delay)
        return (view, created) if now >= created else None

    def _running_session(self, driver: Driver, now: datetime) -> Session | None:
        """Return the driver's session that is PENDING or ACTIVE at `now`, if any."""
        if driver.sessions and self.observe(driver.sessions[-1], now).status in RUNNING:
            return driver.sessions[-1]
        return None


def _hex_id(number: int, auth_id: str, now: datetime) -> str:
    """Return a 32-character hex session id, stable for the same inputs."""
    seed = f"{number}:{auth_id}:{now.isoformat()}".encode()
    return hashlib.sha256(seed).hexdigest()[:32]
