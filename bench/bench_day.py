"""The standard day: 2 h of charging at 7.4 kW started outside Home Assistant, 22 h idle.

Default options. The session starts at a random moment (seeded) relative to the poll schedule
and is stopped with the Stop button after 2 h of charging. Measured: the requests sent in the
24 h, how old the energy shown is while the car charges, how long the start takes to show, and
how long after the API reports the session COMPLETED the state shows it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
import random

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from evnnovator_simulator import DEMO_AUTH_ID, Simulator

from .report import RESULTS, Day
from .session import SessionWatch, set_up, stop_the_demo_session
from .vclock import VirtualClock

ENERGY = "sensor.evnnovator_demo_driver_1_session_energy"
STOP_BUTTON = "button.evnnovator_demo_driver_1_stop_charging"
DAY = timedelta(hours=24)
CHARGING = timedelta(hours=2)
# When in the day the car is plugged in (then a random part of an idle poll interval later).
PLUG_IN = timedelta(hours=18)

pytestmark = pytest.mark.freeze_time("2026-11-23T08:00:00+00:00")


class ServedValues:
    """The energy the simulator served at each poll: what the sensor can show, and since when."""

    def __init__(self, simulator: Simulator) -> None:
        """Start with the requests not yet seen."""
        self._simulator = simulator
        self._seen = len(simulator.requests)
        self.served: list[tuple[datetime, float]] = []

    def take_new(self, _now: datetime) -> None:
        """Note the answers of the polls made at this instant (the clock has not moved since)."""
        requests = self._simulator.requests
        for request in requests[self._seen :]:
            latest = self._simulator.latest_session(DEMO_AUTH_ID)
            if request.path.endswith("/latest") and request.status == 200 and latest:
                self.served.append((request.at, float(latest["kwh"])))
        self._seen = len(requests)

    def since(self, kwh: float) -> datetime | None:
        """When the simulator last served `kwh`."""
        return next((at for at, value in reversed(self.served) if value == kwh), None)


async def bench_standard_day(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    config_entry: MockConfigEntry,
) -> None:
    """One day, measured; the figures go into the results."""
    await set_up(hass, config_entry)
    clock = VirtualClock(hass, freezer)
    await stop_the_demo_session(clock, simulator, config_entry)
    # Let the idle pace settle, then the day starts.
    await clock.run_for(3600)
    day_start = clock.now()
    simulator.clear_requests()
    rng = random.Random("standard-day")  # noqa: S311 (seeded: the same day each time)
    day = Day()

    # Plugged in: the session starts at the operator, outside Home Assistant.
    await clock.run_until(
        day_start + PLUG_IN + timedelta(seconds=rng.uniform(0, 300)),
    )
    started_at = clock.now()
    watch = SessionWatch(config_entry, simulator, simulator.start_session(DEMO_AUTH_ID))
    charging_from = started_at + timedelta(seconds=simulator.settings.pending_delay)
    served = ServedValues(simulator)

    def timers_ran(now: datetime) -> None:
        served.take_new(now)
        if day.noticed_after is None and watch.shown():
            day.noticed_after = (now - started_at).total_seconds()

    def sample(now: datetime) -> None:
        """Each second while the car charges and the sensor shows this session: its age."""
        if now < charging_from or watch.completed() or not watch.shown():
            return
        state = hass.states.get(ENERGY)
        since = None if state is None else served.since(float(state.state))
        if since is None:
            raise RuntimeError(f"the energy shown at {now} was never served")
        day.staleness.append((now - since).total_seconds())

    await clock.run_until(charging_from + CHARGING, each_second=sample, after_timers=timers_ran)

    # Stopped with the button; the API reports the session COMPLETED a few seconds later.
    await hass.services.async_call("button", "press", {ATTR_ENTITY_ID: STOP_BUTTON}, blocking=True)
    await hass.async_block_till_done()
    shown_at: list[datetime] = []

    def completion_seen(now: datetime) -> None:
        timers_ran(now)
        if not shown_at and watch.shown_completed():
            shown_at.append(now)

    await clock.run_until(
        clock.now() + timedelta(minutes=10),
        stop_when=lambda: bool(shown_at),
        each_second=sample,
        after_timers=completion_seen,
    )
    ended = dt_util.parse_datetime(str(watch.truth()["end_datetime"]))
    if not shown_at or ended is None:
        raise RuntimeError("the stop was not shown within 10 minutes")
    day.stop_shown_after = (shown_at[0] - ended).total_seconds()

    await clock.run_until(day_start + DAY)
    day.requests = sum(1 for r in simulator.requests if r.at < day_start + DAY)
    RESULTS.day = day
