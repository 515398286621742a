"""The standard day: 2 h of charging at 7.4 kW started outside Home Assistant, 22 h idle.

Default options, a realistic operator (a meter value every 60 s, 0.01 kWh). The session starts
at a random moment (seeded) relative to the poll schedule and is stopped with the Stop button
after 2 h of charging. Measured: the requests sent in the 24 h; each second while the car
charges, how long the operator's newest meter value has waited without being shown; how long
the start takes to show; and how long after the API reports the session COMPLETED the state
shows it.
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

from evnnovator_simulator import DEMO_AUTH_ID, Simulator, SimulatorSettings
from testkit.vclock import VirtualClock
from testkit.watch import SessionWatch, set_up, stop_the_demo_session

from .report import RESULTS, Day

ENERGY = "sensor.evnnovator_demo_driver_1_session_energy"
STOP_BUTTON = "button.evnnovator_demo_driver_1_stop_charging"
DAY = timedelta(hours=24)
CHARGING = timedelta(hours=2)
# When in the day the car is plugged in (then a random part of an idle poll interval later).
PLUG_IN = timedelta(hours=18)

pytestmark = pytest.mark.freeze_time("2026-11-23T08:00:00+00:00")


@pytest.fixture
def simulator_settings() -> SimulatorSettings:
    """A realistic operator: the demo's."""
    return SimulatorSettings.realistic(seed=7)


def waiting_since(watch: SessionWatch, shown: float, now: datetime) -> float:
    """How long the operator's newest meter value has waited without being shown (0: shown)."""
    served = watch.truth()
    if float(served["kwh"]) == shown:
        return 0.0
    available = dt_util.parse_datetime(str(served["last_modified_date"]))
    if available is None:
        raise RuntimeError("the simulator served no last_modified_date")
    return (now - available).total_seconds()


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
    await clock.run_until(day_start + PLUG_IN + timedelta(seconds=rng.uniform(0, 300)))
    started_at = clock.now()
    watch = SessionWatch(config_entry, simulator, simulator.start_session(DEMO_AUTH_ID))
    charging_from = started_at + timedelta(seconds=simulator.settings.pending_delay)

    def timers_ran(now: datetime) -> None:
        if day.noticed_after is None and watch.shown():
            day.noticed_after = (now - started_at).total_seconds()

    def sample(now: datetime) -> None:
        """Each second while the car charges and the sensor shows this session."""
        if now < charging_from or watch.completed() or not watch.shown():
            return
        state = hass.states.get(ENERGY)
        if state is None:
            raise RuntimeError("no energy sensor")
        day.lag.append(waiting_since(watch, float(state.state), now))

    await clock.run_until(charging_from + CHARGING, each_second=sample, after_timers=timers_ran)

    # Stopped with the button; the API reports the session COMPLETED some seconds later.
    await hass.services.async_call("button", "press", {ATTR_ENTITY_ID: STOP_BUTTON}, blocking=True)
    await hass.async_block_till_done()
    shown_at: list[datetime] = []
    completed_at: list[datetime] = []

    def completion_seen(now: datetime) -> None:
        timers_ran(now)
        if not shown_at and watch.shown_completed():
            shown_at.append(now)

    def completion_served(now: datetime) -> None:
        sample(now)
        if not completed_at and watch.completed():
            completed_at.append(now)

    await clock.run_until(
        clock.now() + timedelta(minutes=10),
        stop_when=lambda: bool(shown_at),
        each_second=completion_served,
        after_timers=completion_seen,
    )
    if not shown_at or not completed_at:
        raise RuntimeError("the stop was not shown within 10 minutes")
    day.stop_shown_after = (shown_at[0] - completed_at[0]).total_seconds()

    await clock.run_until(day_start + DAY)
    day.requests = sum(1 for r in simulator.requests if r.at < day_start + DAY)
    RESULTS.day = day
