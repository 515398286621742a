"""A session whose car stops drawing: Charging off, status idle, one event per idle period.

Against the simulator: a car that is full at an energy (the session stays ACTIVE, its meter flat),
one that pauses and draws again, and meters from continuous to one value every 5 minutes.
"""

from datetime import datetime, timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import STATE_OFF, STATE_ON
from homeassistant.core import Event, HomeAssistant
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.evnnovator.const import EVENT_CHARGING_IDLE
from custom_components.evnnovator.idle import IdleWatch, idle_window
from evnnovator_simulator import DEMO_AUTH_ID, OperatorProfile, Simulator

from .helpers import advance, poll_for, polls

STATUS = "sensor.evnnovator_demo_driver_1_session_status"
CHARGING = "binary_sensor.evnnovator_demo_driver_1_charging"
T0 = datetime.fromisoformat("2026-11-23T08:00:00+00:00")

pytestmark = pytest.mark.freeze_time("2026-11-23T08:00:00+00:00")


def idle_events(hass: HomeAssistant) -> list[Event]:
    events: list[Event] = []
    hass.bus.async_listen(EVENT_CHARGING_IDLE, events.append)
    return events


async def new_session(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, simulator: Simulator, **car: float
) -> datetime:
    """A session of `car` (operator fields), seen by the integration soon; when it started.

    Off the polls' beat, as a real meter is: a meter value fetched the instant it was taken
    reads as a record modified at every request (no cadence to learn).
    """
    simulator.set_operator(OperatorProfile.realistic(power_kw=7.4, **car))
    simulator.start_session(DEMO_AUTH_ID, status="ACTIVE")
    started = dt_util.utcnow()
    await advance(hass, freezer, 7)
    await advance(hass, freezer, 30)
    assert hass.states.get(STATUS).state == "active"
    return started


@pytest.mark.parametrize("meter_interval", [15.0, 60.0, 300.0])
async def test_never_idle_while_charging(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    init_integration: MockConfigEntry,
    meter_interval: float,
) -> None:
    """Two hours of charging at 7.4 kW, polled as the integration polls: never idle."""
    events = idle_events(hass)
    await new_session(hass, freezer, simulator, meter_interval=meter_interval)
    async for _ in polls(hass, freezer, minutes=120):
        assert hass.states.get(CHARGING).state == STATE_ON
        assert hass.states.get(STATUS).state == "active"
    assert events == []


@pytest.mark.parametrize("meter_interval", [0.0, 60.0, 300.0])
async def test_idle_once_the_car_is_full(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    init_integration: MockConfigEntry,
    meter_interval: float,
) -> None:
    """Full at 2 kWh (16 minutes at 7.4 kW): Charging turns off within the idle window, once."""
    events = idle_events(hass)
    started = await new_session(
        hass, freezer, simulator, meter_interval=meter_interval, car_full_kwh=2.0
    )
    full_at = started + timedelta(hours=2 / 7.4)
    data = init_integration.runtime_data.data
    window = data.idle.window(data.operator.cadence)
    while hass.states.get(CHARGING).state == STATE_ON:
        assert events == []
        await advance(hass, freezer, 30)
    now = dt_util.utcnow()
    # Late by at most the window, one meter interval (the first flat value) and a poll.
    assert now - full_at <= timedelta(seconds=window + meter_interval + 60)
    assert hass.states.get(STATUS).state == "idle"
    [event] = events
    assert event.data["energy"] == 2.0
    assert event.data["status"] == "ACTIVE"
    # When energy last flowed: the first flat meter value (or the first poll that showed it).
    since = datetime.fromisoformat(event.data["idle_since"])
    assert full_at <= since <= full_at + timedelta(seconds=meter_interval + 30)
    # An hour later: still idle, nothing fired again; the session ends normally.
    await poll_for(hass, freezer, minutes=60)
    assert hass.states.get(STATUS).state == "idle"
    assert len(events) == 1
    await init_integration.runtime_data.coordinator.client.stop_session(
        simulator.latest_session(DEMO_AUTH_ID)["id"]
    )
    await advance(hass, freezer, 400)
    assert hass.states.get(STATUS).state == "completed"
    assert hass.states.get(CHARGING).state == STATE_OFF
    assert len(events) == 1


async def test_charging_again_when_energy_flows_again(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    init_integration: MockConfigEntry,
) -> None:
    """A car that pauses for 40 minutes: idle, then charging again, each change once."""
    events = idle_events(hass)
    await new_session(hass, freezer, simulator, car_full_kwh=1.0, car_resumes_after=2400.0)
    seen: list[str] = []
    async for _ in polls(hass, freezer, minutes=80):
        state = hass.states.get(STATUS).state
        if not seen or seen[-1] != state:
            seen.append(state)
        assert (hass.states.get(CHARGING).state == STATE_ON) == (state == "active")
    assert seen == ["active", "idle", "active"]
    assert len(events) == 1


def test_the_window() -> None:
    """Five minutes at least, two meter intervals for a slow meter, 15 minutes not knowing."""
    assert idle_window(15.0) == idle_window(60.0) == 300.0
    assert idle_window(300.0) == 600.0
    assert idle_window(None) == 900.0


def test_a_standby_draw_is_idle_and_a_real_one_is_not() -> None:
    """A Wh meter's standby steps (30 W) are idle; 0.6 kW, above twice the line, charges."""
    watch = IdleWatch()
    at = T0

    def take(kwh: float) -> bool:
        return watch.take("s", active=True, kwh=kwh, start=T0, at=at, now=at, cadence=60.0)

    began = []
    for minute in range(1, 31):
        at = T0 + timedelta(minutes=minute)
        began.append(take(round(5.0 + 0.03 * minute / 60, 3)))
    assert began.count(True) == 1
    assert watch.idle
    for minute in range(31, 40):
        at = T0 + timedelta(minutes=minute)
        take(round(5.015 + 0.6 * (minute - 30) / 60, 3))
    assert not watch.idle
    # A pending (not ACTIVE) session is never idle.
    assert not watch.take("s", active=False, kwh=6.0, start=T0, at=at, now=at, cadence=60.0)
    assert not watch.idle


async def test_a_restart_keeps_the_idle_period(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    init_integration: MockConfigEntry,
) -> None:
    """Restarted while idle: idle at the first poll, and the period is not announced again."""
    events = idle_events(hass)
    await new_session(hass, freezer, simulator, car_full_kwh=1.0)
    await poll_for(hass, freezer, minutes=30)
    assert hass.states.get(STATUS).state == "idle"
    assert len(events) == 1

    assert await hass.config_entries.async_reload(init_integration.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get(STATUS).state == "idle"
    assert hass.states.get(CHARGING).state == STATE_OFF
    await poll_for(hass, freezer, minutes=30)
    assert hass.states.get(STATUS).state == "idle"
    assert len(events) == 1


def test_what_is_kept_reads_back() -> None:
    """as_dict and back: the same session, steps and idle period."""
    watch = IdleWatch()
    for minute in range(40):
        at = T0 + timedelta(minutes=minute)
        watch.take(
            "s", active=True, kwh=min(minute * 0.1, 1.0), start=T0, at=at, now=at, cadence=60.0
        )
    assert watch.idle
    again = IdleWatch(watch.as_dict())
    assert again.as_dict() == watch.as_dict()
    assert again.idle_since == watch.idle_since
    at = T0 + timedelta(minutes=41)
    assert not again.take("s", active=True, kwh=1.0, start=T0, at=at, now=at, cadence=60.0)
    assert again.idle


async def test_a_slower_meter_than_the_last_chargers_does_not_trip(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    init_integration: MockConfigEntry,
) -> None:
    """A minute's meter learned, then a charger with a value every 5 minutes: never idle."""
    events = idle_events(hass)
    await new_session(hass, freezer, simulator, meter_interval=60.0)
    await poll_for(hass, freezer, minutes=10)
    assert init_integration.runtime_data.data.operator.cadence == 60.0
    await new_session(hass, freezer, simulator, meter_interval=300.0)
    async for _ in polls(hass, freezer, minutes=30):
        assert hass.states.get(CHARGING).state == STATE_ON
    assert events == []
    # The operator's cadence still says a minute; the window takes this meter's own gaps: a
    # value a few seconds late, or one missed, does not read as a full car.
    data = init_integration.runtime_data.data
    assert data.operator.cadence == 60.0
    assert data.idle.window(data.operator.cadence) == 600.0
