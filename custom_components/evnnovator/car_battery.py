"""The car's battery, for the Battery limit: the charger's state of charge, or the car's sensor.

The charger's (OCPI's STATE_OF_CHARGE, true at its meter value) is taken where the session has
it; else the car's own battery sensor in Home Assistant, chosen in the options, whose values
come late and in whole percent: each is paired with the session energy of the moment it came
(the meter's, see `MeterTrack.kwh_at`). What the values teach is `battery.py`'s.
"""

from __future__ import annotations

from collections import deque
from datetime import datetime
import logging
from typing import TYPE_CHECKING

from homeassistant.const import STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import CALLBACK_TYPE, Event, EventStateChangedData, State, callback
from homeassistant.helpers.event import async_track_state_change_event

from .battery import BatteryModel, BatteryReading, BatteryStatus

if TYPE_CHECKING:
    from collections.abc import Callable

    from homeassistant.core import HomeAssistant

    from .api import Session
    from .battery import SessionBattery
    from .forecast import MeterTrack

_LOGGER = logging.getLogger(__name__)

# The car sensor's values kept: a car reports every few minutes, a session is seen at the next
# idle poll (5 minutes by default), so a few reach back to before it began.
RECENT_VALUES = 8


class CarBattery:
    """Follows the latest session's battery, from the charger or the car's own sensor."""

    def __init__(
        self,
        hass: HomeAssistant,
        *,
        sensor: str | None,
        model: BatteryModel,
        meter: MeterTrack,
        changed: Callable[[], None],
    ) -> None:
        """Follow entity `sensor` (None: the charger's values alone); `changed`: replan."""
        self._hass = hass
        self._sensor = sensor
        self._model = model
        self._meter = meter
        self._changed = changed
        self._session: Session | None = None
        self._recent: deque[State] = deque(maxlen=RECENT_VALUES)
        """The car sensor's latest values, while a session runs or not: a session seen a poll
        after it began still finds the one from before it."""

    @property
    def track(self) -> SessionBattery | None:
        """The latest session's battery (kept with the model across restarts)."""
        return self._model.session

    @callback
    def async_start(self) -> CALLBACK_TYPE | None:
        """Listen to the car's sensor; the returned callback stops listening."""
        if self._sensor is None:
            return None
        if (state := self._hass.states.get(self._sensor)) is not None:
            self._recent.append(state)
        return async_track_state_change_event(self._hass, self._sensor, self._on_state)

    @property
    def has_source(self) -> bool:
        """Whether anything can tell the battery: a car sensor, or the charger's own values."""
        session = self._session
        return self._sensor is not None or (
            session is not None and session.state_of_charge is not None
        )

    def follow(self, session: Session, measured_at: datetime) -> bool:
        """Take in the latest session; True when something new is to be kept.

        A new session's battery starts from the car sensor's last value from before it began,
        where the battery starts, and takes the ones since. A session's end teaches the model
        its slope.
        """
        self._session = session
        previous = self.track
        track = self._model.follow(session.id)
        changed = track is not previous
        if changed and self._sensor is not None:
            for state in self._since_the_start(session):
                self._take_state(state)
        if (percent := session.state_of_charge) is not None and session.kwh is not None:
            reading = BatteryReading(
                percent, session.kwh, measured_at, exact=True, whole=percent.is_integer()
            )
            changed = track.take(reading) or changed
        if not session.is_running:
            changed = track.finish() or changed
        return changed

    def percent(self, session: Session | None) -> float | None:
        """The battery of `session`'s car now: from what was learned, else its latest value."""
        track = self.track
        if session is None or track is None or track.session_id != session.id:
            return None
        if session.kwh is not None and (estimate := track.percent_at(session.kwh)) is not None:
            return min(max(estimate, 0.0), 100.0)
        latest = track.latest
        return None if latest is None else latest.percent

    def status(self, session: Session, now: datetime) -> BatteryStatus:
        """What the Battery limit can plan with for `session`."""
        track = self.track
        if not self.has_source or track is None or track.session_id != session.id:
            return BatteryStatus.NO_SOURCE
        return track.status(now, charging=session.is_charging)

    def _since_the_start(self, session: Session) -> list[State]:
        """The car's latest value from before `session` began, and every one since."""
        states = list(self._recent)
        current = self._hass.states.get(self._sensor) if self._sensor is not None else None
        if current is not None and (not states or states[-1].last_updated < current.last_updated):
            states.append(current)
        start = session.start
        before = [
            i for i, state in enumerate(states) if start is None or state.last_updated <= start
        ]
        return states[before[-1] :] if before else states

    @callback
    def _on_state(self, event: Event[EventStateChangedData]) -> None:
        if (state := event.data["new_state"]) is not None:
            self._recent.append(state)
        if self._take_state(state):
            self._changed()

    def _take_state(self, state: State | None) -> bool:
        """Take the car sensor's value into the running session's battery; True if it mattered.

        The charger's own values, where the session has them, are the better ones.
        """
        session, track = self._session, self.track
        if session is None or track is None or not session.is_running:
            return False
        if session.state_of_charge is not None or state is None:
            return False
        at = state.last_updated
        percent = _percent(state)
        if percent is None:
            track.lost(at)
            return True
        kwh = self._kwh_at(session, at)
        if kwh is None:
            return False
        rate = (self._meter.rate_kw(session.start) if session.is_charging else None) or 0.0
        track.take(
            BatteryReading(percent, kwh, at, exact=False, whole=percent.is_integer(), rate_kw=rate)
        )
        if track.jumped:
            _LOGGER.debug(
                "The car's battery shows %s %%, which the meter cannot explain: set aside",
                percent,
            )
        return True

    def _kwh_at(self, session: Session, at: datetime) -> float | None:
        """The session energy when the car's value came: 0 for one from before charging."""
        if session.start is None or at <= session.start or not session.kwh:
            return 0.0
        return self._meter.kwh_at(session, at)

    def energy_at(self, session: Session, percent: float) -> float | None:
        """The session energy at which `session`'s battery reaches `percent`; None unknown."""
        track = self.track
        if track is None or track.session_id != session.id:
            return None
        return track.energy_at(percent)


def _percent(state: State) -> float | None:
    """The sensor's battery in percent; None when it knows none (unavailable, nonsense)."""
    if state.state in {STATE_UNAVAILABLE, STATE_UNKNOWN}:
        return None
    try:
        percent = float(state.state)
    except ValueError:
        return None
    return percent if 0 <= percent <= 100 else None
