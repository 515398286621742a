"""A session's own limit: the energy it was started with (`start_charging`'s `energy_limit`).

Against a realistic operator, whose autostop acts only after the meter value that shows it
reached (and then with its stop latency), in virtual time (testkit.VirtualClock). Whichever of
the session's own limit and the Energy limit entity comes first stops the session, with our one
STOP; Planned stop, the completed event and the Activity name that limit, also after a restart.
"""

from datetime import datetime, timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.number import ATTR_VALUE, SERVICE_SET_VALUE
from homeassistant.const import ATTR_ENTITY_ID, STATE_UNKNOWN
from homeassistant.core import HomeAssistant
from homeassistant.helpers.translation import async_get_translations
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events

from custom_components.evnnovator.book import SessionEntry
from custom_components.evnnovator.const import DOMAIN, EVENT_SESSION_COMPLETED
from evnnovator_simulator import DEMO_AUTH_ID, DEMO_TOKEN_UID, Simulator, SimulatorSettings
from testkit.requests import stop_requests
from testkit.vclock import VirtualClock
from testkit.watch import SessionWatch, after_the_demo_session

from .test_logbook import describe

ENERGY_LIMIT = "number.evnnovator_demo_driver_1_energy_limit"
PLANNED_STOP = "sensor.evnnovator_demo_driver_1_planned_stop"
POWER_KW = 7.4
# The most a first stop (no latency learned yet) may overshoot: the operator's 5-45 s at full
# power, and the 0.01 kWh of its rounded meter.
FIRST_STOP_OVER_KWH = POWER_KW * 45 / 3600 + 0.01
# The STOP goes out at the planned moment, from a meter rounded to 0.01 kWh (5 s at 7.4 kW):
# this close to the truth.
PLAN_SECONDS = 30
# Planned stop moves only when the plan does by a minute (limits.STEADY_SHOWN).
SHOWN_SECONDS = PLAN_SECONDS + 60
# Two more meter values after the first plan.
SHARPENED_AFTER = 130

pytestmark = pytest.mark.freeze_time("2026-11-23T08:00:00+00:00")


@pytest.fixture
def simulator_settings() -> SimulatorSettings:
    """A realistic operator: a meter value every 60 s, a stop 5-45 s after STOP, and the
    autostop noticed at the first meter value past it."""
    return SimulatorSettings.realistic(power_kw=POWER_KW, seed=7)


@pytest.fixture
async def clock(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    config_entry: MockConfigEntry,
) -> VirtualClock:
    """The integration set up, the demo session ended: a clock to move on with."""
    clock = await after_the_demo_session(hass, freezer, simulator, config_entry)
    simulator.clear_requests()
    return clock


async def set_energy_limit(hass: HomeAssistant, kwh: float) -> None:
    await hass.services.async_call(
        "number", SERVICE_SET_VALUE, {ATTR_ENTITY_ID: ENERGY_LIMIT, ATTR_VALUE: kwh}, blocking=True
    )


async def start_charging(
    hass: HomeAssistant, simulator: Simulator, entry: MockConfigEntry, **fields: Any
) -> SessionWatch:
    """`evnnovator.start_charging` with `fields`; the session it started, watched."""
    await hass.services.async_call(
        DOMAIN,
        "start_charging",
        {"config_entry_id": entry.entry_id, "token_uid": DEMO_TOKEN_UID, **fields},
        blocking=True,
    )
    latest = simulator.latest_session(DEMO_AUTH_ID)
    assert latest is not None
    return SessionWatch(entry, simulator, str(latest["id"]))


def planned_stop(hass: HomeAssistant) -> datetime | None:
    return dt_util.parse_datetime(hass.states.get(PLANNED_STOP).state)


async def until_planned(clock: VirtualClock, hass: HomeAssistant, *, then: float = 0) -> datetime:
    """Run until Planned stop shows a moment, and `then` seconds more; the moment shown.

    Its first moment, from one meter value, may be a minute or two off; two more sharpen it.
    """
    await clock.run_until(
        clock.now() + timedelta(minutes=10), stop_when=lambda: planned_stop(hass) is not None
    )
    await clock.run_for(then)
    planned = planned_stop(hass)
    assert planned is not None
    return planned


def crossing(simulator: Simulator, watch: SessionWatch, kwh: float) -> datetime:
    """When the session truly delivers `kwh`, at the operator's constant power."""
    delivered = simulator.delivered_kwh(watch.session_id)
    assert delivered < kwh
    return dt_util.utcnow() + timedelta(hours=(kwh - delivered) / POWER_KW)


async def run_to_the_end(clock: VirtualClock, watch: SessionWatch) -> None:
    await clock.run_until(clock.now() + timedelta(hours=2), stop_when=watch.completed_and_shown)
    assert watch.completed_and_shown()


def entry_of(config_entry: MockConfigEntry, watch: SessionWatch) -> SessionEntry:
    entry = config_entry.runtime_data.data.book.entry(watch.session_id)
    assert entry is not None
    return entry


def kwh_text(value: float) -> str:
    """Energy as the English Activity shows it: to the Wh, without trailing zeros."""
    return f"{value:.3f}".rstrip("0").rstrip(".")


async def activity_message(hass: HomeAssistant, data: dict[str, Any]) -> str:
    """The Activity's message of a completed event, in the server's language."""
    await async_get_translations(hass, hass.config.language, "common", [DOMAIN])
    return describe(hass, EVENT_SESSION_COMPLETED, data)["message"]


async def assert_stopped_at(
    hass: HomeAssistant,
    simulator: Simulator,
    watch: SessionWatch,
    completed: list[Any],
    *,
    limit: float,
    crossed_at: datetime,
) -> None:
    """One STOP, ours, sent at `limit`'s crossing; the event and the Activity measure from it."""
    [stop] = stop_requests(simulator)
    assert stop.status == 200
    assert stop.body == {"session_id": watch.session_id}
    # Sent as the limit is reached, less the low-end latency a first stop assumes: not at a
    # later meter value, as the operator's autostop would.
    assert abs((stop.at - crossed_at).total_seconds()) <= PLAN_SECONDS
    delivered = simulator.delivered_kwh(watch.session_id)
    assert limit <= delivered <= limit + FIRST_STOP_OVER_KWH
    [event] = [event.data for event in completed if event.data["session_id"] == watch.session_id]
    final = watch.final_kwh()
    assert event["energy"] == final
    assert event["energy_limit"] == limit
    assert event["overshoot"] == round(final - limit, 4)
    assert event["stopped_by"] == "energy"
    difference = round(event["overshoot"], 3)
    assert difference > 0  # a rounded meter and a first stop: over, by what flowed while stopping
    assert await activity_message(hass, event) == (
        f"stopped charging after {kwh_text(final)} kWh ({event['cost']:.2f} INR), "
        f"{kwh_text(difference)} kWh over the {kwh_text(limit)} kWh limit"
    )


async def test_the_sessions_own_limit_below_the_energy_limit(
    hass: HomeAssistant, simulator: Simulator, config_entry: MockConfigEntry, clock: VirtualClock
) -> None:
    """Started with 0.5 kWh while the Energy limit says 4: it is planned, stopped (our one STOP)
    and reported at 0.5 kWh; the entity keeps its 4 for the sessions to come."""
    await set_energy_limit(hass, 4)
    completed = async_capture_events(hass, EVENT_SESSION_COMPLETED)
    watch = await start_charging(hass, simulator, config_entry, energy_limit=0.5)

    planned = await until_planned(clock, hass)
    crossed_at = crossing(simulator, watch, 0.5)
    assert abs((planned - crossed_at).total_seconds()) <= SHOWN_SECONDS
    attributes = hass.states.get(PLANNED_STOP).attributes
    assert attributes["limit"] == "energy"
    # The state is to the second.
    assert attributes["stop_command_at"] <= planned + timedelta(seconds=1)
    await run_to_the_end(clock, watch)

    await assert_stopped_at(hass, simulator, watch, completed, limit=0.5, crossed_at=crossed_at)
    entry = entry_of(config_entry, watch)
    assert (entry.autostop, entry.energy_limit, entry.stop.by) == (0.5, 4, "energy")
    assert hass.states.get(ENERGY_LIMIT).state == "4.0"
    assert hass.states.get(PLANNED_STOP).state == STATE_UNKNOWN


async def test_the_sessions_own_limit_after_a_restart(
    hass: HomeAssistant, simulator: Simulator, config_entry: MockConfigEntry, clock: VirtualClock
) -> None:
    """Restarted mid-session: the book kept the session's 0.5 kWh, so the same plan, the same
    single STOP and the same report follow, not the Energy limit's 4 kWh."""
    await set_energy_limit(hass, 4)
    completed = async_capture_events(hass, EVENT_SESSION_COMPLETED)
    watch = await start_charging(hass, simulator, config_entry, energy_limit=0.5)
    planned_before = await until_planned(clock, hass)

    assert await hass.config_entries.async_reload(config_entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get(ENERGY_LIMIT).state == "4.0"
    # The watch follows the new run's coordinator.
    watch = SessionWatch(config_entry, simulator, watch.session_id)
    assert entry_of(config_entry, watch).autostop == 0.5
    planned = planned_stop(hass) or await until_planned(clock, hass)
    crossed_at = crossing(simulator, watch, 0.5)
    assert abs((planned - crossed_at).total_seconds()) <= SHOWN_SECONDS
    assert abs((planned - planned_before).total_seconds()) <= SHOWN_SECONDS
    await run_to_the_end(clock, watch)

    await assert_stopped_at(hass, simulator, watch, completed, limit=0.5, crossed_at=crossed_at)


async def test_the_energy_limit_lowered_below_the_sessions_own_comes_first(
    hass: HomeAssistant, simulator: Simulator, config_entry: MockConfigEntry, clock: VirtualClock
) -> None:
    """Started with 2 kWh, the Energy limit set to 1 kWh mid-session: whichever comes first
    stops it, here the entity's, with the one STOP; the event names the 1 kWh."""
    completed = async_capture_events(hass, EVENT_SESSION_COMPLETED)
    watch = await start_charging(hass, simulator, config_entry, energy_limit=2)
    planned = await until_planned(clock, hass, then=SHARPENED_AFTER)
    assert abs((planned - crossing(simulator, watch, 2)).total_seconds()) <= SHOWN_SECONDS

    await set_energy_limit(hass, 1)
    planned = planned_stop(hass)
    assert planned is not None
    crossed_at = crossing(simulator, watch, 1)
    assert abs((planned - crossed_at).total_seconds()) <= SHOWN_SECONDS
    await run_to_the_end(clock, watch)

    await assert_stopped_at(hass, simulator, watch, completed, limit=1, crossed_at=crossed_at)
    assert entry_of(config_entry, watch).autostop == 2


@pytest.mark.parametrize("started", ["start_charging", "outside"])
async def test_without_its_own_limit_the_energy_limit_stops_it(
    hass: HomeAssistant,
    simulator: Simulator,
    config_entry: MockConfigEntry,
    clock: VirtualClock,
    started: str,
) -> None:
    """A session started without `energy_limit` (from Home Assistant: the entity's value goes
    to the operator; or from another app: nothing does) stops at the Energy limit's 1 kWh."""
    await set_energy_limit(hass, 1)
    completed = async_capture_events(hass, EVENT_SESSION_COMPLETED)
    if started == "outside":
        watch = SessionWatch(config_entry, simulator, simulator.start_session(DEMO_AUTH_ID))
    else:
        watch = await start_charging(hass, simulator, config_entry)
    planned = await until_planned(clock, hass, then=SHARPENED_AFTER)
    crossed_at = crossing(simulator, watch, 1)
    assert abs((planned - crossed_at).total_seconds()) <= SHOWN_SECONDS
    await run_to_the_end(clock, watch)

    await assert_stopped_at(hass, simulator, watch, completed, limit=1, crossed_at=crossed_at)
    assert entry_of(config_entry, watch).autostop == (1 if started == "start_charging" else None)


async def test_a_start_seen_late_keeps_its_limit(
    hass: HomeAssistant, simulator: Simulator, config_entry: MockConfigEntry, clock: VirtualClock
) -> None:
    """The API fails for 12 minutes from START on: the session that then shows started at
    START, so it is START's and takes its 3 kWh."""
    simulator.inject("http_500", count=1000, only="latest")
    watch = await start_charging(hass, simulator, config_entry, energy_limit=3)
    await clock.run_for(12 * 60)
    assert not watch.shown()
    simulator.clear_faults()
    planned = await until_planned(clock, hass, then=SHARPENED_AFTER)

    assert entry_of(config_entry, watch).autostop == 3
    assert abs((planned - crossing(simulator, watch, 3)).total_seconds()) <= SHOWN_SECONDS


async def test_a_start_never_carried_out_limits_no_later_session(
    hass: HomeAssistant, simulator: Simulator, config_entry: MockConfigEntry, clock: VirtualClock
) -> None:
    """START's session never shows (it ended unseen while the API failed); the session that
    shows next started 12 minutes after START, another way: START's 0.5 kWh is not its limit,
    and nothing stops it."""
    simulator.inject("http_500", count=1000, only="latest")
    started = await start_charging(hass, simulator, config_entry, energy_limit=0.5)
    await clock.run_for(60)
    assert simulator.stop_session(started.session_id)
    await clock.run_for(11 * 60)
    watch = SessionWatch(config_entry, simulator, simulator.start_session(DEMO_AUTH_ID))
    simulator.clear_faults()
    await clock.run_until(clock.now() + timedelta(minutes=10), stop_when=lambda: False)

    assert watch.shown()
    assert config_entry.runtime_data.coordinator.session.is_charging
    assert entry_of(config_entry, watch).autostop is None
    assert hass.states.get(PLANNED_STOP).state == STATE_UNKNOWN
    # START's own STOP, by the driver's other app, went past the API: none of ours.
    assert stop_requests(simulator) == []


@pytest.mark.parametrize(
    ("autostop", "energy_limit", "stop_energy"),
    [(None, None, None), (0.5, None, 0.5), (None, 4.0, 4.0), (0.5, 4.0, 0.5), (4.0, 0.5, 0.5)],
)
def test_the_first_reached_of_the_two(
    autostop: float | None, energy_limit: float | None, stop_energy: float | None
) -> None:
    """The book's one rule: the lower of the session's own limit and the Energy limit."""
    entry = SessionEntry(autostop=autostop, energy_limit=energy_limit)
    assert entry.stop_energy == stop_energy
