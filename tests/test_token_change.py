"""The API token changed at the gateway while Home Assistant runs: reauth, then back to normal."""

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.const import CONF_TOKEN, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.evnnovator.const import DOMAIN
from evnnovator_simulator import DEMO_AUTH_ID, DEMO_TOKEN, Simulator

from .conftest import NEW_TOKEN
from .helpers import advance

ENERGY = "sensor.evnnovator_demo_driver_1_session_energy"
STATUS = "sensor.evnnovator_demo_driver_1_session_status"

pytestmark = pytest.mark.freeze_time("2026-11-23T08:00:00+00:00")


def expected_kwh(simulator: Simulator) -> str:
    return str(simulator.latest_session(DEMO_AUTH_ID)["kwh"])


async def test_token_changed_at_the_gateway(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    init_integration: MockConfigEntry,
) -> None:
    """The next poll's 401 asks for a new token; the old one is refused there, the new one
    is saved and the entities show the running session again."""
    assert hass.states.get(ENERGY).state == expected_kwh(simulator)
    simulator.set_token(NEW_TOKEN)
    simulator.clear_requests()

    await advance(hass, freezer, 31)

    # Refused for its token (no injected fault): unavailable, and the user is asked.
    [poll] = simulator.requests
    assert (poll.status, poll.authorized, poll.fault) == (401, False, None)
    assert hass.states.get(ENERGY).state == STATE_UNAVAILABLE
    [flow] = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert flow["context"]["source"] == SOURCE_REAUTH

    result = await hass.config_entries.flow.async_configure(
        flow["flow_id"], {CONF_TOKEN: DEMO_TOKEN}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "invalid_token"}

    result = await hass.config_entries.flow.async_configure(
        flow["flow_id"], {CONF_TOKEN: NEW_TOKEN}
    )
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert init_integration.data[CONF_TOKEN] == NEW_TOKEN
    assert init_integration.state is ConfigEntryState.LOADED
    assert hass.config_entries.flow.async_progress_by_handler(DOMAIN) == []
    assert hass.states.get(ENERGY).state == expected_kwh(simulator)
    assert hass.states.get(STATUS).state == "active"
    # And it goes on polling with the new token.
    simulator.clear_requests()
    await advance(hass, freezer, 31)
    assert [(r.status, r.authorized) for r in simulator.requests if r.path.endswith("/latest")] == [
        (200, True)
    ]
    assert hass.states.get(ENERGY).state == expected_kwh(simulator)
