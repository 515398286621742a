"""Session events and lifetime totals, against the simulator, across outages and restarts."""

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events

from custom_components.evnnovator.const import (
    DOMAIN,
    EVENT_SESSION_COMPLETED,
    EVENT_SESSION_STARTED,
)
from evnnovator_simulator import DEMO_AUTH_ID, Simulator

from .helpers import advance

TOTAL_ENERGY = "sensor.evnnovator_demo_driver_1_total_energy"
TOTAL_COST = "sensor.evnnovator_demo_driver_1_total_cost"

pytestmark = pytest.mark.freeze_time("2026-11-23T08:00:00+00:00")


async def finish_session(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    entry: MockConfigEntry,
    simulator: Simulator,
) -> dict[str, object]:
    """Stop the latest session at the operator and let Home Assistant see it ended."""
    await entry.runtime_data.coordinator.client.stop_session(
        simulator.latest_session(DEMO_AUTH_ID)["id"]
    )
    await advance(hass, freezer, 31)
    return simulator.latest_session(DEMO_AUTH_ID)


async def reload(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Restart the integration: only what it stored survives."""
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()


async def test_each_session_is_announced_once(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    config_entry: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
) -> None:
    """Started when first seen running, completed when seen ended; never again after that."""
    started = async_capture_events(hass, EVENT_SESSION_STARTED)
    completed = async_capture_events(hass, EVENT_SESSION_COMPLETED)
    config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    session = simulator.latest_session(DEMO_AUTH_ID)
    device = device_registry.async_get_device_by_identifier(
        (DOMAIN, config_entry.unique_id), config_entry.entry_id
    )

    assert [event.data for event in started] == [
        {
            "device_id": device.id,
            "config_entry_id": config_entry.entry_id,
            "session_id": session["id"],
            "energy": session["kwh"],
            "cost": session["total_cost"],
            "currency": "INR",
            "duration": 1200.0,
            "status": "ACTIVE",
        }
    ]
    ended = await finish_session(hass, freezer, config_entry, simulator)
    for _ in range(3):
        await advance(hass, freezer, 300)
    await reload(hass, config_entry)

    assert len(started) == 1
    [event] = completed
    assert event.data["session_id"] == session["id"]
    assert event.data["status"] == "COMPLETED"
    assert event.data["energy"] == ended["kwh"]
    # No limit was set: the completion says nothing of one.
    assert "energy_limit" not in event.data


async def test_first_start_keeps_an_old_session_quiet(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    config_entry: MockConfigEntry,
) -> None:
    """A session that ended before the integration was added is no news; the next one is."""
    events = async_capture_events(hass, EVENT_SESSION_STARTED)
    completed = async_capture_events(hass, EVENT_SESSION_COMPLETED)
    config_entry.add_to_hass(hass)
    simulator.set_raw_latest(
        DEMO_AUTH_ID, {"id": "old-session", "status": "COMPLETED", "kwh": 12.5}
    )
    await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    assert (events, completed) == ([], [])

    simulator.set_raw_latest(DEMO_AUTH_ID, None)
    simulator.start_session(DEMO_AUTH_ID)
    await advance(hass, freezer, 301)
    assert [event.data["status"] for event in events] == ["ACTIVE"]


async def test_completion_seen_after_an_outage(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    init_integration: MockConfigEntry,
) -> None:
    """The session ends while the API is unreachable: announced once when it is back."""
    completed = async_capture_events(hass, EVENT_SESSION_COMPLETED)
    simulator.inject("http_502_html", count=3, only="latest")
    await init_integration.runtime_data.coordinator.client.stop_session(
        simulator.latest_session(DEMO_AUTH_ID)["id"]
    )
    for _ in range(3):
        await advance(hass, freezer, 31)
    assert completed == []
    await advance(hass, freezer, 31)
    await advance(hass, freezer, 301)
    assert len(completed) == 1


async def test_totals_add_every_session_once(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    init_integration: MockConfigEntry,
) -> None:
    """Totals: the finished session plus the running one, unchanged by a restart, never less."""
    first = await finish_session(hass, freezer, init_integration, simulator)
    assert float(hass.states.get(TOTAL_ENERGY).state) == first["kwh"]

    simulator.start_session(DEMO_AUTH_ID)
    await advance(hass, freezer, 301)  # the idle poll notices the new session
    seen: list[float] = []
    for _ in range(10):
        await advance(hass, freezer, 31)
        seen.append(float(hass.states.get(TOTAL_ENERGY).state))
    second = simulator.latest_session(DEMO_AUTH_ID)
    assert seen == sorted(seen)
    assert seen[-1] == pytest.approx(first["kwh"] + second["kwh"])
    # The first one at its bill with tax (18% GST), which came meanwhile.
    assert float(hass.states.get(TOTAL_COST).state) == pytest.approx(
        first["total_cost"] * 1.18 + second["total_cost"], abs=0.01
    )

    # A restart in the middle of the second session neither loses nor doubles anything.
    await reload(hass, init_integration)
    assert float(hass.states.get(TOTAL_ENERGY).state) == pytest.approx(seen[-1])


async def test_totals_stay_while_the_api_is_away(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    init_integration: MockConfigEntry,
) -> None:
    """An outage makes the session's sensors unavailable, but the totals stay as they were."""
    before = hass.states.get(TOTAL_ENERGY).state
    simulator.inject("http_500", count=2, only="latest")
    await advance(hass, freezer, 31)
    assert hass.states.get("sensor.evnnovator_demo_driver_1_session_energy").state == "unavailable"
    assert hass.states.get(TOTAL_ENERGY).state == before
