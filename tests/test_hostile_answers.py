"""A gateway that answers oddly, now and then: no glitch, spike, echo or odd field reaches a user
as a wrong value. Each test plays one such answer through the simulator.
"""

from datetime import timedelta
import json
import logging

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.button import DOMAIN as BUTTON_DOMAIN, SERVICE_PRESS
from homeassistant.components.number import (
    ATTR_VALUE,
    DOMAIN as NUMBER_DOMAIN,
    SERVICE_SET_VALUE,
)
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import ATTR_ENTITY_ID, STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.evnnovator.const import CONF_TOKEN_UID, EVENT_SESSION_COMPLETED
from custom_components.evnnovator.diagnostics import MAX_DEPTH, MAX_ITEMS, MAX_TEXT, bounded
from custom_components.evnnovator.forecast import PRIOR_LATENCY
from evnnovator_simulator import DEMO_AUTH_ID, DEMO_TOKEN, DEMO_TOKEN_UID, Simulator

from .helpers import advance

ENERGY = "sensor.evnnovator_demo_driver_1_session_energy"
STARTED = "sensor.evnnovator_demo_driver_1_session_started"
DURATION = "sensor.evnnovator_demo_driver_1_session_duration"
LOCATION = "sensor.evnnovator_demo_driver_1_charging_location"
CHARGING = "binary_sensor.evnnovator_demo_driver_1_charging"
STOP_BUTTON = "button.evnnovator_demo_driver_1_stop_charging"
TOTAL_ENERGY = "sensor.evnnovator_demo_driver_1_total_energy"
ENERGY_LIMIT = "number.evnnovator_demo_driver_1_energy_limit"

pytestmark = pytest.mark.freeze_time("2026-11-23T08:00:00+00:00")


def truth(simulator: Simulator) -> dict[str, object]:
    session = simulator.latest_session(DEMO_AUTH_ID)
    assert session is not None
    return session


def stops(simulator: Simulator) -> list[object]:
    return [r for r in simulator.requests if r.path.endswith("/commands/STOP_SESSION")]


def warnings_and_errors(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [
        r
        for r in caplog.records
        if r.levelno >= logging.WARNING and r.name.startswith("custom_components.evnnovator")
    ]


async def set_energy_limit(hass: HomeAssistant, value: float) -> None:
    await hass.services.async_call(
        NUMBER_DOMAIN,
        SERVICE_SET_VALUE,
        {ATTR_ENTITY_ID: ENERGY_LIMIT, ATTR_VALUE: value},
        blocking=True,
    )


# --- 1. One "no session" answer in the middle of charging -----------------------------------


@pytest.mark.parametrize("fault", ["not_found", "data_null"])
async def test_one_no_session_answer_while_charging_is_a_glitch(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    init_integration: MockConfigEntry,
    fault: str,
) -> None:
    """Unavailable for that poll at worst: never unknown, never off, the pace kept."""
    completed = async_capture_events(hass, EVENT_SESSION_COMPLETED)
    coordinator = init_integration.runtime_data.coordinator
    seen: set[str] = set()
    hass.bus.async_listen(
        "state_changed",
        lambda event: (
            seen.add(event.data["new_state"].state) if event.data["entity_id"] == CHARGING else None
        ),
    )
    simulator.inject(fault, only="latest")
    await advance(hass, freezer, 31)
    assert hass.states.get(ENERGY).state == STATE_UNAVAILABLE
    assert coordinator.update_interval == timedelta(seconds=30)

    await advance(hass, freezer, 31)
    assert hass.states.get(ENERGY).state == str(truth(simulator)["kwh"])
    assert hass.states.get(CHARGING).state == "on"
    assert hass.states.get(STOP_BUTTON).state != STATE_UNAVAILABLE
    assert "off" not in seen
    assert completed == []


async def test_two_no_session_answers_in_a_row_are_believed(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    init_integration: MockConfigEntry,
) -> None:
    simulator.inject("not_found", count=3, only="latest")
    await advance(hass, freezer, 31)
    await advance(hass, freezer, 31)
    assert hass.states.get(ENERGY).state == STATE_UNKNOWN
    assert hass.states.get(CHARGING).state == "off"
    assert init_integration.runtime_data.coordinator.update_interval == timedelta(seconds=300)
    # Nothing ran a poll ago: a third is no glitch either.
    await advance(hass, freezer, 301)
    assert hass.states.get(ENERGY).state == STATE_UNKNOWN


async def test_a_glitch_does_not_delay_the_planned_stop(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    init_integration: MockConfigEntry,
) -> None:
    """The Energy limit's STOP goes out when planned, glitch or not: the first stop knows no
    latency yet, so the prior one before the crossing."""
    limit = round(float(truth(simulator)["kwh"]) + 0.5, 1)  # type: ignore[arg-type]
    start = dt_util.parse_datetime(str(truth(simulator)["start_datetime"]))
    assert start is not None
    crossed_at = start + timedelta(hours=limit / simulator.settings.power_kw)
    await set_energy_limit(hass, limit)
    while dt_util.utcnow() < crossed_at - timedelta(seconds=100):
        await advance(hass, freezer, 1)
    simulator.inject("not_found", only="latest")
    while not stops(simulator) and dt_util.utcnow() < crossed_at + timedelta(seconds=300):
        await advance(hass, freezer, 1)
    assert [r.fault for r in simulator.requests if r.path.endswith("/latest")].count(
        "not_found"
    ) == 1
    [stop] = stops(simulator)
    planned_at = crossed_at - timedelta(seconds=PRIOR_LATENCY)
    assert abs((stop.at - planned_at).total_seconds()) <= 1  # type: ignore[attr-defined]


# --- 3. Readings that cannot be true ----------------------------------------------------------


@pytest.mark.parametrize("kwh", [1e308, 3000, 200])
async def test_an_impossible_reading_reaches_neither_totals_nor_limits(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    init_integration: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
    kwh: float,
) -> None:
    """Refused with one log line; the next good answer brings everything back."""
    await set_energy_limit(hass, 10)
    total = hass.states.get(TOTAL_ENERGY).state
    caplog.clear()
    simulator.inject("absurd_kwh", kwh=kwh, only="latest")
    await advance(hass, freezer, 31)
    assert hass.states.get(ENERGY).state == STATE_UNAVAILABLE
    assert hass.states.get(TOTAL_ENERGY).state == total
    assert stops(simulator) == []
    [line] = warnings_and_errors(caplog)
    assert "session.kwh" in line.getMessage()
    assert line.exc_info is None

    await advance(hass, freezer, 31)
    assert hass.states.get(ENERGY).state == str(truth(simulator)["kwh"])
    assert float(hass.states.get(TOTAL_ENERGY).state) < 5
    assert stops(simulator) == []


# --- 4. The token echoed by the API -----------------------------------------------------------


async def test_an_echoed_token_reaches_no_error_and_no_log(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    init_integration: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    simulator.inject("echo_token", only="commands")
    with pytest.raises(HomeAssistantError) as info:
        await hass.services.async_call(
            BUTTON_DOMAIN, SERVICE_PRESS, {ATTR_ENTITY_ID: STOP_BUTTON}, blocking=True
        )
    assert DEMO_TOKEN not in str(info.value)
    assert "REDACTED" in str(info.value)

    simulator.inject("echo_token", only="latest")
    await advance(hass, freezer, 31)
    assert hass.states.get(ENERGY).state == STATE_UNAVAILABLE
    assert "REDACTED" in caplog.text
    assert DEMO_TOKEN not in caplog.text


async def test_diagnostics_redact_by_value(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    init_integration: MockConfigEntry,
) -> None:
    """A secret under a name no key rule knows is redacted all the same."""
    hass.config_entries.async_update_entry(
        init_integration, options={CONF_TOKEN_UID: DEMO_TOKEN_UID}
    )
    simulator.set_raw_latest(
        DEMO_AUTH_ID, truth(simulator) | {"card": {"uid": DEMO_TOKEN_UID, "driver": DEMO_AUTH_ID}}
    )
    simulator.inject("echo_token_field", only="latest")
    await advance(hass, freezer, 31)
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, init_integration)
    text = json.dumps(diagnostics)
    for secret in (DEMO_TOKEN, DEMO_TOKEN_UID, DEMO_AUTH_ID):
        assert secret not in text
    assert diagnostics["latest_session"]["card"] == {
        "uid": "**REDACTED**",
        "driver": "**REDACTED**",
    }
    assert diagnostics["latest_session"]["gateway_note"] == "requested with token **REDACTED**"


# --- 5. A location name over 255 characters ---------------------------------------------------


async def test_a_long_location_name_is_shortened_and_kept_whole_in_an_attribute(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    init_integration: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.clear()
    simulator.inject("long_text", length=300, only="latest")
    await advance(hass, freezer, 31)
    state = hass.states.get(LOCATION)
    assert len(state.state) == 255
    assert state.state.endswith("…")
    assert len(state.attributes["full_text"]) == 300
    assert state.state[:254] == state.attributes["full_text"][:254]
    assert state.attributes["city"] == "Vadodara"
    assert warnings_and_errors(caplog) == []

    await advance(hass, freezer, 31)
    state = hass.states.get(LOCATION)
    assert "full_text" not in state.attributes
    assert len(state.state) < 255


# --- 6. A far-future timestamp ----------------------------------------------------------------


async def test_a_far_future_start_is_unknown_and_logged_once(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    init_integration: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Session started is the session's creation, which the bad start leaves alone; what counts
    # from the start (the duration) is unknown while the start is.
    started = hass.states.get(STARTED).state
    assert started not in (STATE_UNKNOWN, STATE_UNAVAILABLE)
    caplog.clear()
    simulator.inject("far_future", count=3, only="latest")
    for _ in range(3):
        await advance(hass, freezer, 31)
        assert hass.states.get(DURATION).state == STATE_UNKNOWN
        assert hass.states.get(STARTED).state == started
        assert hass.states.get(ENERGY).state == str(truth(simulator)["kwh"])
    [line] = warnings_and_errors(caplog)
    assert "session.start_datetime" in line.getMessage()
    assert line.exc_info is None

    await advance(hass, freezer, 31)
    assert hass.states.get(DURATION).state not in (STATE_UNKNOWN, STATE_UNAVAILABLE)
    assert hass.states.get(STARTED).state == truth(simulator)["created_date"].replace(  # type: ignore[attr-defined]
        ".000", ""
    )


async def test_a_completed_session_ending_before_its_start_still_completes(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    init_integration: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A COMPLETED record whose end lies before its start (a stale copy, a sentinel): the end
    is unknown, said once; the session completes, and its energy counts."""
    completed = async_capture_events(hass, EVENT_SESSION_COMPLETED)
    ended = truth(simulator) | {"status": "COMPLETED", "kwh": 3.0, "total_cost": 54.0}
    ended["end_datetime"] = "2026-11-22T08:00:00.000Z"  # a day before its start
    caplog.clear()
    simulator.set_raw_latest(DEMO_AUTH_ID, ended)
    for _ in range(2):
        await advance(hass, freezer, 31)
    assert hass.states.get(ENERGY).state == "3.0"
    assert hass.states.get(CHARGING).state == "off"
    assert hass.states.get("sensor.evnnovator_demo_driver_1_session_ended").state == STATE_UNKNOWN
    assert float(hass.states.get(TOTAL_ENERGY).state) == 3.0
    assert [event.data["energy"] for event in completed] == [3.0]
    [line] = warnings_and_errors(caplog)
    assert "session.end_datetime" in line.getMessage()


async def test_a_start_after_every_clock_is_unknown(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    init_integration: MockConfigEntry,
) -> None:
    """A start an hour after our clock and the record's last change: unknown; the energy stays."""
    later = dt_util.utcnow() + timedelta(hours=1)
    raw = truth(simulator) | {"start_datetime": later.isoformat().replace("+00:00", "Z")}
    simulator.set_raw_latest(DEMO_AUTH_ID, raw)
    await advance(hass, freezer, 31)
    assert hass.states.get(DURATION).state == STATE_UNKNOWN
    assert hass.states.get(ENERGY).state == str(raw["kwh"])
    # Without a creation time either, the session's start is all Session started has.
    simulator.set_raw_latest(DEMO_AUTH_ID, raw | {"created_date": None})
    await advance(hass, freezer, 31)
    assert hass.states.get(STARTED).state == STATE_UNKNOWN


# --- 7. Diagnostics of a deeply nested field --------------------------------------------------


async def test_diagnostics_download_with_a_deeply_nested_field(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    init_integration: MockConfigEntry,
) -> None:
    simulator.inject("nested_field", depth=400, only="latest")
    await advance(hass, freezer, 31)
    assert hass.states.get(ENERGY).state == str(truth(simulator)["kwh"])

    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, init_integration)
    value = diagnostics["latest_session"]["vendor_extension"]
    depth = 1
    while isinstance(value, dict):
        value, depth = value["more"], depth + 1
    assert depth == MAX_DEPTH
    assert value.startswith("… (nested object left out)")
    assert diagnostics["latest_session"]["status"] == "ACTIVE"


def test_bounded_cuts_long_texts_and_lists() -> None:
    value = {
        "text": "x" * (MAX_TEXT + 5),
        "list": list(range(MAX_ITEMS + 3)),
        "object": {str(key): key for key in range(MAX_ITEMS + 2)},
        "lists": [[[]]],
    }
    cut = bounded(value)
    assert cut["text"] == "x" * MAX_TEXT + f"… ({MAX_TEXT + 5} chars)"
    assert cut["list"][-1] == "… 3 more items left out"
    assert len(cut["list"]) == MAX_ITEMS + 1
    assert cut["object"]["…"] == "2 more fields left out"
    assert bounded(value["lists"], depth=1) == ["… (nested list left out)"]


# --- 8. Totals after a restart during an outage -----------------------------------------------


async def test_totals_after_a_restart_during_an_outage(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    init_integration: MockConfigEntry,
) -> None:
    """As docs/totals-and-energy.md says: unavailable until the API answers, then nothing lost."""
    before = float(hass.states.get(TOTAL_ENERGY).state)
    assert await hass.config_entries.async_unload(init_integration.entry_id)
    simulator.inject("http_500", count=1000, only="latest")
    await hass.config_entries.async_setup(init_integration.entry_id)
    await hass.async_block_till_done()
    assert init_integration.state is ConfigEntryState.SETUP_RETRY
    assert hass.states.get(TOTAL_ENERGY).state == STATE_UNAVAILABLE

    simulator.clear_faults()
    await advance(hass, freezer, 120)
    assert init_integration.state is ConfigEntryState.LOADED
    after = float(hass.states.get(TOTAL_ENERGY).state)
    assert after >= before
    assert after == pytest.approx(float(truth(simulator)["kwh"]))  # type: ignore[arg-type]
