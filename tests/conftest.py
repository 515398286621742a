"""Fixtures shared by all tests."""

# Imported before Home Assistant loads any integration: otherwise the test plugin's own
# `custom_components` package shadows ours.
import custom_components.evnnovator  # noqa: F401  # isort: skip

from collections.abc import AsyncIterator, Iterator
import logging
from unittest.mock import PropertyMock, patch

from homeassistant.const import CONF_TOKEN, Platform
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.syrupy import HomeAssistantSnapshotExtension
from syrupy.assertion import SnapshotAssertion

from custom_components.evnnovator import PLATFORMS
from custom_components.evnnovator.config_flow import unique_id_for
from custom_components.evnnovator.const import (
    CONF_AUTH_ID,
    CONF_AUTH_SCHEME,
    CONF_BASE_URL,
    DOMAIN,
)
from evnnovator_simulator import DEMO_AUTH_ID, DEMO_TOKEN, Simulator, SimulatorSettings

# Every token a test may use: none may ever reach the log.
SECRET_TOKENS = (DEMO_TOKEN, "a-new-token-for-reauth", "wrong-token-123")


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Let Home Assistant load the integration from custom_components."""


@pytest.fixture
def snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """Snapshots that know Home Assistant's objects and leave out their random ids."""
    return snapshot.use_extension(HomeAssistantSnapshotExtension)


@pytest.fixture(autouse=True)
def token_never_logged(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """Fail any test whose log output, at any level, contains a token."""
    caplog.set_level(logging.DEBUG)
    yield
    for token in SECRET_TOKENS:
        assert token not in caplog.text, "a token was written to the log"


@pytest.fixture
def entity_registry_enabled_by_default() -> Iterator[None]:
    """Create every entity enabled, including those disabled by default."""
    with patch(
        "homeassistant.helpers.entity.Entity.entity_registry_enabled_default",
        return_value=True,
        new_callable=PropertyMock,
    ):
        yield


@pytest.fixture
def platforms() -> list[Platform]:
    """The platforms to set up; a test module overrides this to load one alone."""
    return PLATFORMS


@pytest.fixture(autouse=True)
def only_these_platforms(platforms: list[Platform]) -> Iterator[None]:
    """Set up just the platforms the test asks for (snapshot_platform wants one at a time)."""
    with patch("custom_components.evnnovator.PLATFORMS", platforms):
        yield


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


@pytest.fixture
async def init_integration(hass: HomeAssistant, config_entry: MockConfigEntry) -> MockConfigEntry:
    """The integration, set up against the simulator."""
    config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    return config_entry
