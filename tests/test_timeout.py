"""A request that times out, in real time: a frozen clock would never let the timeout fire."""

from unittest.mock import patch

from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from evnnovator_simulator import DEMO_AUTH_ID, Simulator

ENERGY = "sensor.evnnovator_demo_driver_1_session_energy"


@pytest.fixture(autouse=True)
def short_timeout() -> object:
    """A request timeout short enough for a test to wait it out."""
    with patch("custom_components.evnnovator.const.REQUEST_TIMEOUT", 0.3):
        yield


async def test_timeout_makes_entities_unavailable_until_it_clears(
    hass: HomeAssistant, simulator: Simulator, init_integration: MockConfigEntry
) -> None:
    """A request that hangs makes the entities unavailable; the next answer brings them back."""
    coordinator = init_integration.runtime_data.coordinator
    simulator.inject("timeout", only="latest", seconds=5)
    await coordinator.async_refresh()
    await hass.async_block_till_done()
    assert not coordinator.last_update_success
    assert hass.states.get(ENERGY).state == STATE_UNAVAILABLE

    await coordinator.async_refresh()
    await hass.async_block_till_done()
    # The simulator's clock runs in real time here, so allow the energy of a few seconds.
    expected = simulator.latest_session(DEMO_AUTH_ID)["kwh"]
    assert float(hass.states.get(ENERGY).state) == pytest.approx(expected, abs=0.01)
