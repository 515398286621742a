"""The stop button, end to end against the simulator."""

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.button import DOMAIN as BUTTON_DOMAIN, SERVICE_PRESS
from homeassistant.config_entries import SOURCE_REAUTH
from homeassistant.const import ATTR_ENTITY_ID, STATE_OFF, STATE_ON, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.evnnovator.const import DOMAIN
from evnnovator_simulator import DEMO_AUTH_ID, Simulator

from .helpers import advance

STOP_BUTTON = "button.evnnovator_demo_driver_1_stop_charging"
STATUS = "sensor.evnnovator_demo_driver_1_session_status"
CHARGING = "binary_sensor.evnnovator_demo_driver_1_charging"

pytestmark = pytest.mark.freeze_time("2026-11-23T08:00:00+00:00")


async def press_stop(hass: HomeAssistant) -> None:
    await hass.services.async_call(
        BUTTON_DOMAIN, SERVICE_PRESS, {ATTR_ENTITY_ID: STOP_BUTTON}, blocking=True
    )


def stop_requests(simulator: Simulator) -> list[object]:
    return [r for r in simulator.requests if r.path.endswith("/commands/STOP_SESSION")]


def latest_requests(simulator: Simulator) -> int:
    return sum(1 for r in simulator.requests if r.path.endswith("/latest"))


async def test_stop_end_to_end(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    init_integration: MockConfigEntry,
) -> None:
    """One STOP with the session's id, then quick refreshes until it shows as completed."""
    session_id = simulator.latest_session(DEMO_AUTH_ID)["id"]
    assert hass.states.get(STOP_BUTTON).state != STATE_UNAVAILABLE
    assert hass.states.get(CHARGING).state == STATE_ON
    simulator.clear_requests()

    await press_stop(hass)

    [stop] = stop_requests(simulator)
    assert stop.method == "POST"
    assert stop.body == {"session_id": session_id}
    assert stop.auth_scheme == "token"
    assert stop.authorized

    # The operator takes 5 s to stop: the refresh after 3 s still sees it charging ...
    await advance(hass, freezer, 4)
    assert hass.states.get(STATUS).state == "active"
    # ... and the one after 8 s sees it completed, without waiting for the 30 s poll.
    await advance(hass, freezer, 5)
    assert hass.states.get(STATUS).state == "completed"
    assert hass.states.get(CHARGING).state == STATE_OFF
    assert hass.states.get(STOP_BUTTON).state == STATE_UNAVAILABLE

    # Once it has stopped, the quick refreshes end and polling falls back to the idle pace.
    polls = latest_requests(simulator)
    for _ in range(4):
        await advance(hass, freezer, 60)
    assert latest_requests(simulator) == polls
    await advance(hass, freezer, 70)
    assert latest_requests(simulator) == polls + 1
    assert len(stop_requests(simulator)) == 1


async def test_stop_rejected(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    init_integration: MockConfigEntry,
) -> None:
    """The session ended before Home Assistant noticed: REJECTED becomes a clear error."""
    client = init_integration.runtime_data.coordinator.client
    await client.stop_session(simulator.latest_session(DEMO_AUTH_ID)["id"])
    freezer.tick(10)  # the simulator completes the session; Home Assistant has not polled yet

    with pytest.raises(HomeAssistantError) as raised:
        await press_stop(hass)
    assert raised.value.translation_key == "command_rejected"
    assert "REJECTED" in str(raised.value)


async def test_stop_unauthorized_starts_reauth(
    hass: HomeAssistant, simulator: Simulator, init_integration: MockConfigEntry
) -> None:
    """A 401 on STOP asks the user for a new token."""
    simulator.inject("http_401", only="commands")
    with pytest.raises(HomeAssistantError) as raised:
        await press_stop(hass)
    assert raised.value.translation_key == "authentication_failed"
    await hass.async_block_till_done()
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]


async def test_stop_when_api_fails(
    hass: HomeAssistant, simulator: Simulator, init_integration: MockConfigEntry
) -> None:
    """A 5xx on STOP is a translated error and leaves the entities as they were."""
    simulator.inject("http_500", only="commands")
    with pytest.raises(HomeAssistantError) as raised:
        await press_stop(hass)
    assert raised.value.translation_key == "server_error"
    assert hass.states.get(STATUS).state == "active"


async def test_nothing_to_stop(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    init_integration: MockConfigEntry,
) -> None:
    """Asking to stop when no session runs says so; no command is sent."""
    await press_stop(hass)
    await advance(hass, freezer, 4)
    await advance(hass, freezer, 5)
    simulator.clear_requests()
    with pytest.raises(HomeAssistantError) as raised:
        await init_integration.runtime_data.coordinator.async_stop_charging()
    assert raised.value.translation_key == "not_charging"
    assert stop_requests(simulator) == []
