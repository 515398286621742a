"""The car's battery sensor (testkit/car.py): late, floored, within its update intervals."""

from datetime import datetime, timedelta
from itertools import pairwise

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import Event, EventStateChangedData, HomeAssistant, callback
import pytest

from evnnovator_simulator import DEMO_AUTH_ID, Simulator, SimulatorSettings
from evnnovator_simulator.battery import whole_percent
from testkit.car import ATTRIBUTES, CLOUD_DELAY_S, ENTITY_ID, UPDATE_INTERVAL_S, CarBatterySensor
from testkit.vclock import VirtualClock

pytestmark = pytest.mark.freeze_time("2026-11-23T08:00:00+00:00")

# 7.4 kW into 60 kWh storing 90 %: 0.185 % a minute, from 30 % to 85 % in under 5 hours.
START_PERCENT = 30.0


@pytest.fixture
def simulator_settings() -> SimulatorSettings:
    return SimulatorSettings.realistic(
        battery_kwh=60.0, charging_efficiency=0.9, battery_start_percent=START_PERCENT
    )


@pytest.fixture
def clock(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> VirtualClock:
    return VirtualClock(hass, freezer)


def shown(hass: HomeAssistant) -> str:
    state = hass.states.get(ENTITY_ID)
    assert state is not None
    return state.state


def changes(hass: HomeAssistant) -> list[tuple[datetime, str]]:
    """Each change of the sensor's state, with its time, from now on."""
    seen: list[tuple[datetime, str]] = []

    @callback
    def note(event: Event[EventStateChangedData]) -> None:
        if event.data["entity_id"] == ENTITY_ID and (new := event.data["new_state"]) is not None:
            seen.append((new.last_reported, new.state))

    hass.bus.async_listen("state_changed", note)
    return seen


async def test_it_reports_late_floored_and_within_its_intervals(
    hass: HomeAssistant, clock: VirtualClock, simulator: Simulator
) -> None:
    car = CarBatterySensor(hass, simulator, seed=1)
    car.park(START_PERCENT)
    state = hass.states.get(ENTITY_ID)
    assert state is not None
    assert (state.state, dict(state.attributes)) == ("30", ATTRIBUTES)
    seen = changes(hass)
    session_id = simulator.start_session(DEMO_AUTH_ID, status="ACTIVE")
    behind = 0
    for _ in range(4 * 60):
        await clock.run_for(60)
        truth = simulator.battery_percent(session_id)
        assert truth is not None
        # The battery only fills: the sensor is never ahead of it, and often behind.
        assert int(shown(hass)) <= whole_percent(truth)
        behind += int(shown(hass)) < whole_percent(truth)
    assert behind > 60

    reports = car.reports
    assert len(reports) >= 4 * 60 / (UPDATE_INTERVAL_S[1] / 60)
    for report in reports:
        truth = simulator.battery_percent(session_id, at=report.sampled_at)
        assert truth is not None
        assert report.percent == whole_percent(truth)
        delay = (report.published_at - report.sampled_at).total_seconds()
        assert CLOUD_DELAY_S[0] <= delay <= CLOUD_DELAY_S[1]
    for before, after in pairwise(reports):
        gap = (after.sampled_at - before.sampled_at).total_seconds()
        assert UPDATE_INTERVAL_S[0] <= gap <= UPDATE_INTERVAL_S[1]
    # Home Assistant showed exactly the reports, at their times (a repeat changes nothing).
    expected, last = [], "30"
    for report in reports:
        if str(report.percent) != last:
            last = str(report.percent)
            expected.append((report.published_at, last))
    assert seen == expected
    assert len(expected) > 20


async def test_parked_between_sessions(
    hass: HomeAssistant, clock: VirtualClock, simulator: Simulator
) -> None:
    car = CarBatterySensor(hass, simulator, seed=2)
    car.park(START_PERCENT)
    session_id = simulator.start_session(DEMO_AUTH_ID, status="ACTIVE")
    await clock.run_for(3600)
    assert simulator.stop_session(session_id)
    await clock.run_for(3600)
    final = simulator.battery_percent(session_id)
    assert final is not None
    # Unplugged, it keeps what it took until it drives.
    assert shown(hass) == str(whole_percent(final))
    assert final > START_PERCENT + 10
    car.park(24.6)
    assert shown(hass) == "24"
    await clock.run_for(3600)
    assert shown(hass) == "24"
    assert car.reports[-1].percent == 24
    assert car.reports[-1].sampled_at > clock.now() - timedelta(seconds=UPDATE_INTERVAL_S[1])


async def test_glitches_last_until_the_next_report(
    hass: HomeAssistant, clock: VirtualClock, simulator: Simulator
) -> None:
    car = CarBatterySensor(hass, simulator, seed=3)
    car.park(55.0)
    car.unavailable()
    assert shown(hass) == STATE_UNAVAILABLE
    await clock.run_for(UPDATE_INTERVAL_S[1] + CLOUD_DELAY_S[1])
    assert shown(hass) == "55"
    car.jump(99)
    assert shown(hass) == "99"
    await clock.run_for(UPDATE_INTERVAL_S[1] + CLOUD_DELAY_S[1])
    assert shown(hass) == "55"


async def test_a_frozen_sensor_goes_stale(
    hass: HomeAssistant, clock: VirtualClock, simulator: Simulator
) -> None:
    car = CarBatterySensor(hass, simulator, seed=4)
    car.park(START_PERCENT)
    session_id = simulator.start_session(DEMO_AUTH_ID, status="ACTIVE")
    await clock.run_for(1800)
    car.freeze()
    stale, reports = shown(hass), len(car.reports)
    await clock.run_for(3 * 3600)
    truth = simulator.battery_percent(session_id)
    assert truth is not None
    assert whole_percent(truth) > int(stale) + 20
    assert (shown(hass), len(car.reports)) == (stale, reports)


async def test_a_car_that_rounds_shows_the_nearest_percent(
    hass: HomeAssistant, clock: VirtualClock, simulator: Simulator
) -> None:
    car = CarBatterySensor(hass, simulator, seed=3, rounds=True)
    car.park(29.6)
    assert shown(hass) == "30"
    session_id = simulator.start_session(DEMO_AUTH_ID, status="ACTIVE")
    await clock.run_for(3 * 3600)
    assert len(car.reports) > 10
    for report in car.reports:
        truth = simulator.battery_percent(session_id, at=report.sampled_at)
        assert truth is not None
        assert report.percent == round(truth)
