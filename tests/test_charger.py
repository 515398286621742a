"""Charger status: the latest session's EVSE from the locations call, at the idle pace."""

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import ATTR_CONFIG_ENTRY_ID, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.evnnovator.const import CONF_TOKEN_UID
from evnnovator_simulator import (
    DEMO_AUTH_ID,
    DEMO_EVSE_UID,
    DEMO_LOCATION_ID,
    DEMO_TOKEN_UID,
    Simulator,
    site,
)

from .helpers import advance, end_demo_session
from .test_services import START, call

CHARGER_STATUS = "sensor.evnnovator_demo_driver_1_charger_status"

pytestmark = pytest.mark.freeze_time("2026-11-23T08:00:00+00:00")


def evse_requests(simulator: Simulator) -> list[str]:
    return [request.path for request in simulator.requests if "/locations/" in request.path]


async def test_off_by_default_and_then_no_requests(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    init_integration: MockConfigEntry,
    entity_registry: er.EntityRegistry,
) -> None:
    """Each poll would be a request more: the sensor is off until enabled, and nothing is asked."""
    entry = entity_registry.async_get(CHARGER_STATUS)
    assert entry is not None
    assert entry.disabled_by is er.RegistryEntryDisabler.INTEGRATION
    simulator.clear_requests()  # the price's look at the charger at set-up (see test_price)
    await advance(hass, freezer, 3600)
    assert evse_requests(simulator) == []


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_the_status_follows_the_charger(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    init_integration: MockConfigEntry,
) -> None:
    """Charging while a session runs on it, free once it ended; any OCPI status; failures."""
    state = hass.states.get(CHARGER_STATUS)
    assert state.state == "charging"
    assert state.attributes["evse_id"] == "IN*TCZ*2"
    assert state.attributes["capabilities"] == ["REMOTE_START_STOP_CAPABLE", "RFID_READER"]
    # By the EVSE's hex id, not its uid or printed id.
    assert set(evse_requests(simulator)) == {
        f"{simulator.settings.prefix}/locations/2b10508db844fada81778c8b1bce853e"
        "/evse/3d2542dc29da4512d061391db6a18377"
    }

    await init_integration.runtime_data.coordinator.client.stop_session(
        simulator.latest_session(DEMO_AUTH_ID)["id"]
    )
    await advance(hass, freezer, 301)
    assert hass.states.get(CHARGER_STATUS).state == "available"

    simulator.set_evse_status(DEMO_EVSE_UID, "OUTOFORDER")
    await advance(hass, freezer, 301)
    assert hass.states.get(CHARGER_STATUS).state == "outoforder"

    simulator.set_evse_status(DEMO_EVSE_UID, "ON_FIRE")  # not OCPI's: unknown, not an error
    await advance(hass, freezer, 301)
    assert hass.states.get(CHARGER_STATUS).state == "unknown"

    simulator.set_evse_status(DEMO_EVSE_UID, None)
    simulator.inject("http_500")
    simulator.inject("http_500")
    await advance(hass, freezer, 301)
    assert hass.states.get(CHARGER_STATUS).state == STATE_UNAVAILABLE
    await advance(hass, freezer, 301)
    assert hass.states.get(CHARGER_STATUS).state == "available"


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_a_charger_without_remote_start_is_refused_up_front(
    hass: HomeAssistant,
    simulator: Simulator,
    init_integration: MockConfigEntry,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """When the API lists the charger's capabilities without remote start: no START is sent."""
    monkeypatch.setitem(site._EVSE_DETAILS[DEMO_EVSE_UID], "capabilities", ["RFID_READER"])
    hass.config_entries.async_update_entry(
        init_integration, options={CONF_TOKEN_UID: DEMO_TOKEN_UID}
    )
    await hass.async_block_till_done()
    await end_demo_session(simulator, init_integration)
    await init_integration.runtime_data.charger.async_refresh()
    with pytest.raises(ServiceValidationError) as raised:
        await call(hass, START, {ATTR_CONFIG_ENTRY_ID: init_integration.entry_id})
    assert raised.value.translation_key == "not_remote_startable"
    assert raised.value.translation_placeholders == {"charger": "IN*TCZ*2"}
    assert not [r for r in simulator.requests if r.path.endswith("START_SESSION")]


async def test_start_asks_the_location_once_when_the_status_sensor_is_off(
    hass: HomeAssistant,
    simulator: Simulator,
    init_integration: MockConfigEntry,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With the Charger status sensor disabled (the default), the capabilities are not known:
    START asks the location once, and refuses a charger it lists without remote start."""
    monkeypatch.setitem(site._EVSE_DETAILS[DEMO_EVSE_UID], "capabilities", ["RFID_READER"])
    hass.config_entries.async_update_entry(
        init_integration, options={CONF_TOKEN_UID: DEMO_TOKEN_UID}
    )
    await hass.async_block_till_done()
    await end_demo_session(simulator, init_integration)
    for _ in range(2):
        with pytest.raises(ServiceValidationError) as raised:
            await call(hass, START, {ATTR_CONFIG_ENTRY_ID: init_integration.entry_id})
        assert raised.value.translation_key == "not_remote_startable"
    location = f"/locations/{DEMO_LOCATION_ID}"
    assert [r.path for r in simulator.requests if r.path.endswith(location)] == [
        f"/api/ocpi/api/v1{location}"
    ]
    assert not [r for r in simulator.requests if r.path.endswith("START_SESSION")]


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_the_status_follows_a_start_and_a_stop_at_once(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    init_integration: MockConfigEntry,
) -> None:
    """A session seen starting or ending asks the charger at once, not an idle interval later."""
    await end_demo_session(simulator, init_integration)
    await advance(hass, freezer, 11)  # Home Assistant's debounce of a refresh asked for
    assert hass.states.get(CHARGER_STATUS).state == "available"
    simulator.start_session(DEMO_AUTH_ID, status="ACTIVE")
    await advance(hass, freezer, 301)  # the idle poll sees the new session
    assert hass.states.get(CHARGER_STATUS).state == "charging"
    await init_integration.runtime_data.coordinator.client.stop_session(
        str(simulator.latest_session(DEMO_AUTH_ID)["id"])
    )
    await advance(hass, freezer, 31)
    assert hass.states.get(CHARGER_STATUS).state == "available"
