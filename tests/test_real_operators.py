"""Stop at X kWh against a realistic operator: meter values every M s, a jittered stop.

End to end against the simulator in virtual time (testkit.VirtualClock: exact, and fast).
"""

from datetime import timedelta
from itertools import pairwise

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.number import ATTR_VALUE, SERVICE_SET_VALUE
from homeassistant.const import ATTR_ENTITY_ID, STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.event import async_track_state_change_event
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.evnnovator.const import DOMAIN
from custom_components.evnnovator.forecast import SAMPLE_MARGIN
from evnnovator_simulator import DEMO_AUTH_ID, DEMO_TOKEN_UID, Simulator, SimulatorSettings
from testkit.requests import polls, stop_requests
from testkit.vclock import VirtualClock
from testkit.watch import SessionWatch, after_the_demo_session

ENERGY_LIMIT = "number.evnnovator_demo_driver_1_energy_limit"
STOP_BUTTON = "button.evnnovator_demo_driver_1_stop_charging"
STATUS = "sensor.evnnovator_demo_driver_1_session_status"
PLANNED_STOP = "sensor.evnnovator_demo_driver_1_planned_stop"
LIMIT_STOP_FAILED = "binary_sensor.evnnovator_demo_driver_1_limit_stop_failed"
STARTED = "sensor.evnnovator_demo_driver_1_session_started"
SESSION_ENERGY = "sensor.evnnovator_demo_driver_1_session_energy"
DURATION = "sensor.evnnovator_demo_driver_1_session_duration"
POWER_KW = 7.4

pytestmark = pytest.mark.freeze_time("2026-11-23T08:00:00+00:00")


@pytest.fixture
def simulator_settings() -> SimulatorSettings:
    """A realistic operator: a meter value every 300 s, a stop 5-45 s after STOP."""
    return SimulatorSettings.realistic(power_kw=POWER_KW, meter_interval=300, seed=3)


@pytest.fixture
async def clock(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    config_entry: MockConfigEntry,
) -> VirtualClock:
    """The integration set up, the demo session ended: a clock to move on with."""
    return await after_the_demo_session(hass, freezer, simulator, config_entry)


async def set_energy_limit(hass: HomeAssistant, kwh: float) -> None:
    await hass.services.async_call(
        "number", SERVICE_SET_VALUE, {ATTR_ENTITY_ID: ENERGY_LIMIT, ATTR_VALUE: kwh}, blocking=True
    )


async def run_to_the_end(clock: VirtualClock, watch: SessionWatch) -> None:
    await clock.run_until(clock.now() + timedelta(hours=2), stop_when=watch.completed_and_shown)
    assert watch.completed_and_shown()


async def test_a_slow_meter_stops_near_x_and_polls_in_step(
    hass: HomeAssistant, simulator: Simulator, config_entry: MockConfigEntry, clock: VirtualClock
) -> None:
    """With a value every 300 s the limit stops within 0.1 kWh of X, sessions after the first,
    with one STOP each; while charging it polls just after each meter value, not every 30 s."""
    errors: list[float] = []
    for x in (2.0, 3.1, 2.6):
        await set_energy_limit(hass, x)
        polls_before = len(polls(simulator))
        started = clock.now()
        session_id = simulator.start_session(DEMO_AUTH_ID)
        watch = SessionWatch(config_entry, simulator, session_id)
        await run_to_the_end(clock, watch)
        errors.append(simulator.delivered_kwh(session_id) - x)
        charging_minutes = (clock.now() - started).total_seconds() / 60
        if len(errors) > 1:
            # About one poll per meter value, plus the idle poll that found the session and the
            # refreshes after the STOP: far fewer than the 2 a minute of the charging interval.
            assert len(polls(simulator)) - polls_before < charging_minutes / 5 + 8
    assert all(abs(error) <= 0.1 for error in errors[1:]), errors
    assert len(stop_requests(simulator)) == 3 + 1  # and the demo session's
    operator = config_entry.runtime_data.data.operator
    assert operator.cadence == 300
    assert operator.latency_learned


async def test_the_reading_is_timed_by_the_meter_not_the_fetch(
    hass: HomeAssistant, simulator: Simulator, config_entry: MockConfigEntry, clock: VirtualClock
) -> None:
    """A value fetched minutes after the meter sent it counts from the meter's time."""
    session_id = simulator.start_session(DEMO_AUTH_ID)
    watch = SessionWatch(config_entry, simulator, session_id)
    await clock.run_until(clock.now() + timedelta(minutes=12), stop_when=lambda: False)
    latest = config_entry.runtime_data.meter.latest
    assert latest is not None
    assert watch.shown()
    assert latest.at == dt_util.parse_datetime(str(watch.truth()["last_modified_date"]))
    assert latest.at < config_entry.runtime_data.coordinator.data.fetched_at
    # Polled just after that meter value was due.
    assert (config_entry.runtime_data.coordinator.data.fetched_at - latest.at).total_seconds() <= (
        SAMPLE_MARGIN + 1
    )


async def test_stop_pressed_by_hand_before_the_limit_sends_one_stop(
    hass: HomeAssistant, simulator: Simulator, config_entry: MockConfigEntry, clock: VirtualClock
) -> None:
    """The limit's moment comes while the charger is stopping after a press: no second STOP;
    the status says stopping meanwhile, and the stop is credited to the user."""
    session_id = simulator.start_session(DEMO_AUTH_ID)
    watch = SessionWatch(config_entry, simulator, session_id)
    await clock.run_until(clock.now() + timedelta(minutes=11), stop_when=lambda: False)
    assert watch.shown()
    delivered = simulator.delivered_kwh(session_id)
    await set_energy_limit(hass, round(delivered + 0.05, 2))  # reached within about 25 s
    stops_before = len(stop_requests(simulator))
    await hass.services.async_call("button", "press", {ATTR_ENTITY_ID: STOP_BUTTON}, blocking=True)
    assert hass.states.get(STATUS).state == "stopping"
    await run_to_the_end(clock, watch)
    assert len(stop_requests(simulator)) - stops_before == 1
    record = config_entry.runtime_data.data.book.entry(session_id)
    assert record is not None
    assert record.stop.by == "user"


@pytest.mark.parametrize(
    ("fault", "params", "gaps"),
    [
        # Every wait at least the Retry-After.
        ("http_429", {"retry_after": 120}, [120, 120, 120, 120]),
        # 5, 15, 30 s, then 60, 120, 300 s: the limit keeps trying, ever less often.
        ("http_502_html", {}, [5, 15, 30, 60, 120, 300]),
    ],
)
async def test_a_refused_stop_follows_one_schedule(
    hass: HomeAssistant,
    simulator: Simulator,
    config_entry: MockConfigEntry,
    clock: VirtualClock,
    fault: str,
    params: dict[str, int],
    gaps: list[int],
) -> None:
    """A 429 waits for its Retry-After; a STOP that keeps failing is sent 1 + 3 times quickly,
    then the repair issue, and it is tried again, less and less often, while the car charges,
    until one is accepted."""
    session_id = simulator.start_session(DEMO_AUTH_ID)
    watch = SessionWatch(config_entry, simulator, session_id)
    await clock.run_until(clock.now() + timedelta(minutes=11), stop_when=lambda: False)
    assert watch.shown()
    stops_before = len(stop_requests(simulator))
    simulator.inject(fault, count=1000, only="commands", **params)
    await set_energy_limit(hass, round(simulator.delivered_kwh(session_id) - 0.01, 2))
    await clock.run_until(clock.now() + timedelta(minutes=10), stop_when=lambda: False)
    stops = stop_requests(simulator)[stops_before:]
    measured = [
        round((later.at - earlier.at).total_seconds()) for earlier, later in pairwise(stops)
    ]
    assert measured == gaps
    issue = ir.async_get(hass).async_get_issue(DOMAIN, f"limit_stop_failed_{config_entry.entry_id}")
    assert issue is not None
    # The device shows the problem too, until the car is stopped.
    assert hass.states.get(LIMIT_STOP_FAILED).state == "on"
    simulator.clear_faults()
    await run_to_the_end(clock, watch)
    assert [s.status for s in stop_requests(simulator)[stops_before:]][-1] == 200
    assert hass.states.get(LIMIT_STOP_FAILED).state == "off"
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue.issue_id) is None


async def test_a_failing_limit_stops_the_car_once_the_api_is_back(
    hass: HomeAssistant, simulator: Simulator, config_entry: MockConfigEntry, clock: VirtualClock
) -> None:
    """The limit is reached during a 5xx burst of 20 minutes: the limit goes on trying through
    a restart, and its first STOP after the burst is accepted, the only one; the car stops
    within minutes of the API's return instead of charging on, and the issue clears."""
    session_id = simulator.start_session(DEMO_AUTH_ID)
    await clock.run_until(clock.now() + timedelta(minutes=11), stop_when=lambda: False)
    stops_before = len(stop_requests(simulator))
    simulator.inject("http_502_html", count=1000, only="commands")
    limit = round(simulator.delivered_kwh(session_id) - 0.01, 2)
    await set_energy_limit(hass, limit)
    await clock.run_until(clock.now() + timedelta(minutes=5), stop_when=lambda: False)
    assert hass.states.get(LIMIT_STOP_FAILED).state == "on"
    # A restart keeps what was decided: the limit still fails, and is still tried.
    assert await hass.config_entries.async_reload(config_entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get(LIMIT_STOP_FAILED).state == "on"
    await clock.run_until(clock.now() + timedelta(minutes=15), stop_when=lambda: False)
    simulator.clear_faults()
    back = clock.now()
    await run_to_the_end(clock, SessionWatch(config_entry, simulator, session_id))
    accepted = [s for s in stop_requests(simulator)[stops_before:] if s.status == 200]
    assert len(accepted) == 1
    assert (accepted[0].at - back).total_seconds() <= 600
    assert hass.states.get(LIMIT_STOP_FAILED).state == "off"
    issue_id = f"limit_stop_failed_{config_entry.entry_id}"
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None


async def test_what_is_learned_survives_a_restart(
    hass: HomeAssistant, simulator: Simulator, config_entry: MockConfigEntry, clock: VirtualClock
) -> None:
    """The meter cadence and the stop latency are kept in the entry's store."""
    await set_energy_limit(hass, 1.5)
    session_id = simulator.start_session(DEMO_AUTH_ID)
    await run_to_the_end(clock, SessionWatch(config_entry, simulator, session_id))
    learned = config_entry.runtime_data.data.operator.as_dict()
    assert learned["meter_gaps"]
    assert learned["stop_latencies"]

    assert await hass.config_entries.async_reload(config_entry.entry_id)
    await hass.async_block_till_done()
    assert config_entry.runtime_data.data.operator.as_dict() == learned


async def test_charging_power_from_the_meter(
    hass: HomeAssistant, simulator: Simulator, config_entry: MockConfigEntry, clock: VirtualClock
) -> None:
    """Unknown until the meter has shown the rate (one value a minute after the start will
    do), then the power; 0 once it stops."""
    power = "sensor.evnnovator_demo_driver_1_charging_power"
    assert hass.states.get(power).state == "0.0"
    session_id = simulator.start_session(DEMO_AUTH_ID)
    watch = SessionWatch(config_entry, simulator, session_id)
    await clock.run_until(clock.now() + timedelta(hours=1), stop_when=watch.shown)
    assert hass.states.get(power).state == STATE_UNKNOWN
    await clock.run_until(clock.now() + timedelta(minutes=12), stop_when=lambda: False)
    assert float(hass.states.get(power).state) == pytest.approx(POWER_KW, abs=0.1)
    await hass.services.async_call("button", "press", {ATTR_ENTITY_ID: STOP_BUTTON}, blocking=True)
    await run_to_the_end(clock, watch)
    assert hass.states.get(power).state == "0.0"


async def test_the_planned_stop_shows_on_the_device(
    hass: HomeAssistant, simulator: Simulator, config_entry: MockConfigEntry, clock: VirtualClock
) -> None:
    """With a limit set and the rate known: when the limit will be reached, and which one."""
    session_id = simulator.start_session(DEMO_AUTH_ID)
    watch = SessionWatch(config_entry, simulator, session_id)
    await clock.run_until(clock.now() + timedelta(minutes=11), stop_when=lambda: False)
    assert hass.states.get(PLANNED_STOP).state == "unknown"  # no limit
    x = round(simulator.delivered_kwh(session_id) + 1.0, 2)
    await set_energy_limit(hass, x)
    state = hass.states.get(PLANNED_STOP)
    planned = dt_util.parse_datetime(state.state)
    assert planned is not None
    crossing = clock.now() + timedelta(hours=(x - simulator.delivered_kwh(session_id)) / POWER_KW)
    assert abs((planned - crossing).total_seconds()) < 30
    assert state.attributes["limit"] == "energy"
    assert state.attributes["stop_command_at"] <= planned + timedelta(seconds=1)
    await run_to_the_end(clock, watch)
    assert hass.states.get(PLANNED_STOP).state == "unknown"


async def test_the_sessions_own_limit_shows_as_the_planned_stop(
    hass: HomeAssistant, simulator: Simulator, config_entry: MockConfigEntry, clock: VirtualClock
) -> None:
    """Started with an autostop and no limit set: the planned stop is the session's own energy
    limit, and the integration sends its one STOP for it (before the operator's late autostop)."""
    await hass.services.async_call(
        DOMAIN,
        "start_charging",
        {"config_entry_id": config_entry.entry_id, "token_uid": DEMO_TOKEN_UID, "energy_limit": 2},
        blocking=True,
    )
    stops_before = len(stop_requests(simulator))
    latest = simulator.latest_session(DEMO_AUTH_ID)
    assert latest is not None
    watch = SessionWatch(config_entry, simulator, str(latest["id"]))
    await clock.run_until(clock.now() + timedelta(minutes=11), stop_when=lambda: False)
    state = hass.states.get(PLANNED_STOP)
    assert state.attributes == {**state.attributes, "limit": "energy"}
    assert "stop_command_at" in state.attributes
    assert dt_util.parse_datetime(state.state) is not None
    await run_to_the_end(clock, watch)
    assert len(stop_requests(simulator)) == stops_before + 1
    record = config_entry.runtime_data.data.book.entry(watch.session_id)
    assert record is not None
    assert record.autostop == 2


async def test_a_session_seen_from_pending_to_its_end_never_moves_back(
    hass: HomeAssistant, simulator: Simulator, config_entry: MockConfigEntry, clock: VirtualClock
) -> None:
    """Session started and the energy's last reset keep one value from PENDING to the end, and
    the duration only grows: it counts until the reading was true, which never passes the end."""
    seen: dict[str, list[object]] = {"started": [], "last_reset": [], "duration": []}

    @callback
    def note(event: Event[EventStateChangedData]) -> None:
        state = event.data["new_state"]
        if state is None or state.state in {STATE_UNKNOWN, STATE_UNAVAILABLE}:
            return
        if state.entity_id == STARTED:
            seen["started"].append(state.state)
        elif state.entity_id == SESSION_ENERGY:
            seen["last_reset"].append(state.attributes.get("last_reset"))
        else:
            seen["duration"].append(float(state.state))

    async_track_state_change_event(hass, [STARTED, SESSION_ENERGY, DURATION], note)
    session_id = simulator.start_session(DEMO_AUTH_ID)
    watch = SessionWatch(config_entry, simulator, session_id)
    # An idle account is polled at the idle pace: look at once, while the session is PENDING.
    await config_entry.runtime_data.coordinator.async_refresh()
    assert hass.states.get(STATUS).state == "pending"
    await clock.run_until(clock.now() + timedelta(minutes=20), stop_when=lambda: False)
    await hass.services.async_call("button", "press", {ATTR_ENTITY_ID: STOP_BUTTON}, blocking=True)
    await run_to_the_end(clock, watch)

    assert len(set(seen["started"])) == 1
    assert len(set(seen["last_reset"])) == 1
    durations = seen["duration"]
    assert len(durations) > 3
    assert all(later >= earlier for earlier, later in pairwise(durations))
