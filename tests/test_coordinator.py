"""Polling: its pace, and how every kind of API failure shows and recovers."""

import logging

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import SOURCE_REAUTH
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.evnnovator.const import DOMAIN
from evnnovator_simulator import DEMO_AUTH_ID, Simulator

from .helpers import advance

ENERGY = "sensor.evnnovator_demo_driver_1_session_energy"
STOP_BUTTON = "button.evnnovator_demo_driver_1_stop_charging"

pytestmark = pytest.mark.freeze_time("2026-11-23T08:00:00+00:00")


def latest_requests(simulator: Simulator) -> int:
    return sum(1 for r in simulator.requests if r.path.endswith("/latest"))


def expected_kwh(simulator: Simulator) -> str:
    return str(simulator.latest_session(DEMO_AUTH_ID)["kwh"])


@pytest.mark.parametrize(
    "fault",
    [
        "http_500",
        "http_502_html",
        "bad_json",
        "status_2001",
        "wrong_types",
        "oversized",
        "http_404_page",
        "echo_token",
    ],
)
async def test_fault_makes_entities_unavailable_until_it_clears(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    init_integration: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
    fault: str,
) -> None:
    """Never a wrong value: unavailable while the API fails, right again once it recovers.

    Stop stays usable: the car was charging at the last good reading and may still be."""
    assert hass.states.get(ENERGY).state == expected_kwh(simulator)
    caplog.clear()
    simulator.inject(fault, count=2, only="latest")

    await advance(hass, freezer, 31)
    assert hass.states.get(ENERGY).state == STATE_UNAVAILABLE
    assert hass.states.get(STOP_BUTTON).state != STATE_UNAVAILABLE
    await advance(hass, freezer, 31)
    assert hass.states.get(ENERGY).state == STATE_UNAVAILABLE

    await advance(hass, freezer, 31)
    assert hass.states.get(ENERGY).state == expected_kwh(simulator)
    assert hass.states.get(STOP_BUTTON).state != STATE_UNAVAILABLE

    # One readable line when the API goes away, one when it is back; no traceback shown.
    assert caplog.text.count("Error fetching evnnovator data") == 1
    assert caplog.text.count("Fetching evnnovator data recovered") == 1
    ours = [
        record
        for record in caplog.records
        if record.name.startswith("custom_components.evnnovator")
        and record.levelno >= logging.WARNING
    ]
    assert [(record.levelno, record.exc_info) for record in ours] == [(logging.ERROR, None)]


@pytest.mark.parametrize("fault", ["http_401", "http_403"])
async def test_refused_credentials_start_reauth(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    init_integration: MockConfigEntry,
    fault: str,
) -> None:
    """401 or 403 while polling: entities unavailable and the user is asked for a new token."""
    simulator.inject(fault, only="latest")
    await advance(hass, freezer, 31)
    assert hass.states.get(ENERGY).state == STATE_UNAVAILABLE
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]


async def test_rate_limit_is_respected(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    init_integration: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """After a 429 with Retry-After 120, no request until 120 s have passed; meanwhile the
    entities keep the last reading (a slower reading, not a failure), and one warning says so."""
    shown = hass.states.get(ENERGY).state
    simulator.inject("http_429", only="latest", retry_after=120)
    await advance(hass, freezer, 31)
    assert hass.states.get(ENERGY).state == shown
    assert caplog.text.count("asked to slow down") == 1
    assert "Error fetching" not in caplog.text
    asked = latest_requests(simulator)

    # Even an explicit refresh (as after a STOP) does not ask before the time is up.
    await init_integration.runtime_data.coordinator.async_refresh()
    for _ in range(3):
        await advance(hass, freezer, 30)
    assert latest_requests(simulator) == asked

    await advance(hass, freezer, 31)
    assert latest_requests(simulator) == asked + 1
    assert hass.states.get(ENERGY).state == expected_kwh(simulator)
    assert "usual pace again" in caplog.text


async def test_a_kept_reading_keeps_its_average_power(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    init_integration: MockConfigEntry,
) -> None:
    """During a 429 the reading stands, and so does the average power: its energy over the
    time until it was true, not over a duration that runs on."""
    average = "sensor.evnnovator_demo_driver_1_average_charging_power"
    shown = hass.states.get(average).state
    assert float(shown) > 0
    simulator.inject("http_429", only="latest", retry_after=300)
    for _ in range(9):
        await advance(hass, freezer, 31)
        assert hass.states.get(average).state == shown


async def test_a_long_rate_limit_turns_the_entities_unavailable(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    init_integration: MockConfigEntry,
) -> None:
    """A reading kept through 429s for more than 10 minutes is too old to show."""
    simulator.inject("http_429", count=100, only="latest", retry_after=300)
    for _ in range(3):
        await advance(hass, freezer, 301)
    assert hass.states.get(ENERGY).state == STATE_UNAVAILABLE
    simulator.clear_faults()
    await advance(hass, freezer, 301)
    assert hass.states.get(ENERGY).state == expected_kwh(simulator)


async def test_rate_limit_without_retry_after_backs_off(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    init_integration: MockConfigEntry,
) -> None:
    """A 429 without Retry-After waits a minute before asking again."""
    simulator.inject("http_429", only="latest", retry_after=None)
    await advance(hass, freezer, 31)
    asked = latest_requests(simulator)
    await advance(hass, freezer, 30)
    assert latest_requests(simulator) == asked
    await advance(hass, freezer, 31)
    assert latest_requests(simulator) == asked + 1


async def test_polling_pace_follows_the_session(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    init_integration: MockConfigEntry,
) -> None:
    """30 s while charging, 300 s once nothing runs, 30 s again when a new session starts."""
    coordinator = init_integration.runtime_data.coordinator
    assert coordinator.update_interval.total_seconds() == 30

    await coordinator.client.stop_session(simulator.latest_session(DEMO_AUTH_ID)["id"])
    await advance(hass, freezer, 31)
    assert coordinator.update_interval.total_seconds() == 300

    simulator.start_session(DEMO_AUTH_ID)
    await advance(hass, freezer, 301)
    assert coordinator.update_interval.total_seconds() == 30
    assert hass.states.get("sensor.evnnovator_demo_driver_1_session_status").state == "active"
