"""The Battery limit in Home Assistant against the simulator, with the car's battery sensor.

The car: 60 kWh, storing 90 % of what is metered (0.667 metered kWh a percent), at 40 % when the
session starts; its sensor (an entity of the car's own integration) shows whole percent, rounded
down, every 5 minutes. The simulator's operator charges at 7.4 kW with a continuous meter.
"""

from collections.abc import Callable
import itertools
import math

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import Event, HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.evnnovator.const import CONF_BATTERY_SENSOR, EVENT_SESSION_COMPLETED
from custom_components.evnnovator.logbook import completed_message
from evnnovator_simulator import DEMO_AUTH_ID, Simulator, SimulatorSettings
from evnnovator_simulator.dialect import OCPI_2_1_1, OCPI_2_2_1
from testkit.requests import stop_requests

from .helpers import advance, english, poll_until, set_up_integration
from .test_limits import STATUS, set_limit
from .test_tracker import reload

CAR = "sensor.my_car_battery"
BATTERY_LIMIT = "number.evnnovator_demo_driver_1_battery_limit"
BATTERY = "sensor.evnnovator_demo_driver_1_battery"
PLANNED_STOP = "sensor.evnnovator_demo_driver_1_planned_stop"
START_PERCENT = 40.0
KWH_PER_PERCENT = 60 * 0.01 / 0.9
# Seconds between the car's values: irregular, as a car's cloud reports.
CAR_INTERVALS = (180, 420, 300, 240, 540, 120)
STEP = 30

pytestmark = pytest.mark.freeze_time("2026-11-23T08:00:00+00:00")


def show_car(hass: HomeAssistant, state: str) -> None:
    hass.states.async_set(
        CAR, state, {"device_class": "battery", "unit_of_measurement": "%"}, force_update=True
    )


def true_percent(simulator: Simulator, session_id: str) -> float:
    return START_PERCENT + simulator.delivered_kwh(session_id) / KWH_PER_PERCENT


async def show_true_battery(hass: HomeAssistant, simulator: Simulator, session_id: str) -> None:
    """The car's sensor shows its battery as it truly is now, in whole percent rounded down."""
    show_car(hass, str(math.floor(true_percent(simulator, session_id))))
    await hass.async_block_till_done()


def planned(hass: HomeAssistant) -> bool:
    """The Planned stop is the battery limit's."""
    return hass.states.get(PLANNED_STOP).attributes.get("limit") == "battery"


def shown_completed(hass: HomeAssistant) -> bool:
    return hass.states.get(STATUS).state == "completed"


@pytest.fixture
async def with_car(
    hass: HomeAssistant, config_entry: MockConfigEntry, simulator: Simulator
) -> MockConfigEntry:
    """The integration following the car's sensor (the option), a session just started."""
    show_car(hass, str(int(START_PERCENT)))
    simulator.start_session(DEMO_AUTH_ID, status="ACTIVE")
    return await set_up_integration(hass, config_entry, {CONF_BATTERY_SENSOR: CAR})


def session_id_of(simulator: Simulator) -> str:
    latest = simulator.latest_session(DEMO_AUTH_ID)
    assert latest is not None
    return str(latest["id"])


async def charge_with_car(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    seconds: int,
    until: Callable[[HomeAssistant], bool] = lambda _: False,
) -> None:
    """Let the session charge; the car's sensor shows its battery at CAR_INTERVALS."""
    session_id = session_id_of(simulator)
    intervals = itertools.cycle(CAR_INTERVALS)
    next_value = next(intervals)
    for elapsed in range(STEP, seconds + STEP, STEP):
        await advance(hass, freezer, STEP)
        if elapsed >= next_value:
            next_value += next(intervals)
            await show_true_battery(hass, simulator, session_id)
        if until(hass):
            return


async def test_the_battery_limit_stops_at_x_percent(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    with_car: MockConfigEntry,
) -> None:
    """The first session learns the car's kWh per percent from its meter, and stops within 1 %.

    One STOP, planned for the battery limit; the Battery sensor follows the meter between the
    car's values; the completed event and its logbook entry name the battery limit.
    """
    completed: list[Event] = []
    hass.bus.async_listen(EVENT_SESSION_COMPLETED, completed.append)
    session_id = session_id_of(simulator)
    await set_limit(hass, BATTERY_LIMIT, 52)
    assert hass.states.get(PLANNED_STOP).attributes["battery_status"] == "learning"

    await charge_with_car(hass, freezer, simulator, 3600, until=planned)
    assert planned(hass)
    assert hass.states.get(PLANNED_STOP).attributes["battery_status"] == "planned"
    # Planned from about 5 % of values on: the estimate rough yet, sharper with each value.
    shown = float(hass.states.get(BATTERY).state)
    assert shown == pytest.approx(true_percent(simulator, session_id), abs=2.0)

    await charge_with_car(hass, freezer, simulator, 3600, until=shown_completed)
    assert shown_completed(hass)
    assert true_percent(simulator, session_id) == pytest.approx(52, abs=1.0)
    assert len(stop_requests(simulator)) == 1
    [event] = completed
    assert event.data["stopped_by"] == "battery"
    assert event.data["battery_limit"] == 52
    assert event.data["battery"] == pytest.approx(52, abs=1.0)
    message = completed_message(english(), event.data)
    assert message.endswith(", at 52 % battery")


async def test_a_jump_of_the_cars_sensor_never_stops_early(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    with_car: MockConfigEntry,
) -> None:
    """95 % a few minutes after 40 %: set aside, the Planned stop says so, no STOP goes out."""
    await set_limit(hass, BATTERY_LIMIT, 80)
    await advance(hass, freezer, 120)
    show_car(hass, "95")
    await hass.async_block_till_done()
    await advance(hass, freezer, STEP)
    assert hass.states.get(PLANNED_STOP).attributes["battery_status"] == "jumped"
    await advance(hass, freezer, 300)
    assert stop_requests(simulator) == []
    # The next true value puts it right.
    await show_true_battery(hass, simulator, session_id_of(simulator))
    assert hass.states.get(PLANNED_STOP).attributes["battery_status"] == "learning"


async def test_an_unavailable_car_sensor_makes_the_limit_wait(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    with_car: MockConfigEntry,
) -> None:
    """Nothing learned and nothing to learn from: the limit waits and says why."""
    await set_limit(hass, BATTERY_LIMIT, 41)
    show_car(hass, STATE_UNAVAILABLE)
    await hass.async_block_till_done()
    await advance(hass, freezer, 600)
    assert hass.states.get(PLANNED_STOP).attributes["battery_status"] == "unavailable"
    assert stop_requests(simulator) == []


async def test_without_a_battery_source_the_limit_says_so(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    init_integration: MockConfigEntry,
) -> None:
    """No car sensor chosen and a charger that reports no battery: no_source, no STOP."""
    await set_limit(hass, BATTERY_LIMIT, 10)
    await advance(hass, freezer, 60)
    assert hass.states.get(PLANNED_STOP).attributes["battery_status"] == "no_source"
    assert hass.states.get(BATTERY).state == "unknown"
    assert stop_requests(simulator) == []


@pytest.mark.parametrize(
    "simulator_settings",
    [
        SimulatorSettings(
            power_kw=50.0,
            meter_interval=60.0,
            battery_kwh=77.0,
            battery_start_percent=30.0,
            charging_efficiency=0.95,
            reports_soc=True,
            dialect=dialect,
        )
        for dialect in (OCPI_2_1_1, OCPI_2_2_1)
    ],
    ids=[OCPI_2_1_1, OCPI_2_2_1],
)
async def test_the_chargers_state_of_charge_needs_no_car_sensor(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    config_entry: MockConfigEntry,
) -> None:
    """A DC charger that reports the battery (STATE_OF_CHARGE): the limit plans from it alone.

    50 kW into a 77 kWh battery, a meter value a minute: the Battery sensor shows the charger's
    value, the session stops within 1 % of 60 %, in either OCPI dialect.
    """
    simulator.start_session(DEMO_AUTH_ID, status="ACTIVE")
    await set_up_integration(hass, config_entry)
    session_id = session_id_of(simulator)
    await set_limit(hass, BATTERY_LIMIT, 60)
    await poll_until(hass, freezer, shown_completed, minutes=90, every=STEP)
    assert hass.states.get(STATUS).state == "completed"
    final = simulator.battery_percent(session_id)
    assert final == pytest.approx(60, abs=1.0)
    assert float(hass.states.get(BATTERY).state) == pytest.approx(final, abs=1.0)
    assert len(stop_requests(simulator)) == 1


async def test_a_restart_mid_session_keeps_what_the_battery_taught(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    with_car: MockConfigEntry,
) -> None:
    """Restarted once planned: the car's values so far (the start among them) are kept."""
    session_id = session_id_of(simulator)
    await set_limit(hass, BATTERY_LIMIT, 52)

    await charge_with_car(hass, freezer, simulator, 3600, until=planned)
    before = with_car.runtime_data.battery.track
    assert before is not None
    start = before.start_percent
    await reload(hass, with_car)
    after = with_car.runtime_data.battery.track
    assert after is not None
    assert after is not before
    assert after.start_percent == start
    assert planned(hass)

    await charge_with_car(hass, freezer, simulator, 3600, until=shown_completed)
    assert true_percent(simulator, session_id) == pytest.approx(52, abs=1.0)
    assert len(stop_requests(simulator)) == 1


async def test_a_session_seen_late_starts_from_the_cars_value_before_it(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    config_entry: MockConfigEntry,
) -> None:
    """The car reported once more after energy began to flow, before the idle poll saw the
    session: its battery still starts from the value from before, which no lag spoils."""
    show_car(hass, "40")
    simulator.start_session(DEMO_AUTH_ID, status="COMPLETED")
    entry = await set_up_integration(hass, config_entry, {CONF_BATTERY_SENSOR: CAR})
    await advance(hass, freezer, 60)
    simulator.start_session(DEMO_AUTH_ID, status="ACTIVE")
    await advance(hass, freezer, 120)
    show_car(hass, "41")
    await hass.async_block_till_done()
    assert entry.runtime_data.coordinator.session.is_running is False  # not seen yet
    await advance(hass, freezer, 300)
    track = entry.runtime_data.battery.track
    assert track is not None
    assert track.session_id == session_id_of(simulator)
    assert track.start is not None
    assert (track.start.percent, track.start.kwh) == (40.0, 0.0)
    assert track.latest is not None
    assert track.latest.percent == 41.0
    assert track.latest.kwh > 0
