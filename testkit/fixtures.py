"""The fixtures of the integration against the simulator, for the tests and the benchmark."""

from collections.abc import AsyncIterator

from homeassistant.const import CONF_TOKEN
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.evnnovator.config_flow import unique_id_for
from custom_components.evnnovator.const import (
    CONF_AUTH_ID,
    CONF_AUTH_SCHEME,
    CONF_BASE_URL,
    DOMAIN,
)
from evnnovator_simulator import DEMO_AUTH_ID, DEMO_TOKEN, Simulator, SimulatorSettings


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Let Home Assistant load the integration from custom_components."""


@pytest.fixture
def simulator_settings() -> SimulatorSettings:
    """The simulator's settings; a test module overrides this fixture to change them."""
    return SimulatorSettings()


@pytest.fixture
async def simulator(
    socket_enabled: None, simulator_settings: SimulatorSettings
) -> AsyncIterator[Simulator]:
    """The EVnnovator API simulator on loopback, on Home Assistant's (freezable) clock."""
    sim = Simulator(simulator_settings, clock=dt_util.utcnow)
    await sim.start()
    yield sim
    await sim.stop()


@pytest.fixture
def config_entry(simulator: Simulator) -> MockConfigEntry:
    """A config entry of the demo driver, pointing at the simulator."""
    return MockConfigEntry(
        domain=DOMAIN,
        title=DEMO_AUTH_ID,
        unique_id=unique_id_for(DEMO_AUTH_ID, simulator.base_url),
        data={
            CONF_AUTH_ID: DEMO_AUTH_ID,
            CONF_TOKEN: DEMO_TOKEN,
            CONF_BASE_URL: simulator.base_url,
            CONF_AUTH_SCHEME: "token",
        },
    )
