"""Fixtures shared by all tests."""

# Imported before Home Assistant loads any integration: otherwise the test plugin's own
# `custom_components` package shadows ours.
import custom_components.evnnovator  # noqa: F401  # isort: skip

from collections.abc import Iterator
import logging
import random
from unittest.mock import PropertyMock, patch

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.syrupy import HomeAssistantSnapshotExtension
from syrupy.assertion import SnapshotAssertion

from custom_components.evnnovator import PLATFORMS
from evnnovator_simulator import DEMO_TOKEN
from testkit.fixtures import (  # noqa: F401  (fixtures: imported to be registered here)
    auto_enable_custom_integrations,
    config_entry,
    simulator,
    simulator_settings,
)

from .helpers import set_up_integration

# The token a test changes to (at the gateway, then in reauth).
NEW_TOKEN = "a-new-token-for-reauth"
# Every token a test may use: none may ever reach the log.
SECRET_TOKENS = (DEMO_TOKEN, NEW_TOKEN, "wrong-token-123")


@pytest.fixture
def snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """Snapshots that know Home Assistant's objects and leave out their random ids."""
    return snapshot.use_extension(HomeAssistantSnapshotExtension)


@pytest.fixture(autouse=True)
def same_poll_phase() -> None:
    """Home Assistant spreads polls over the second at random: the same spread every run.

    So that a test that fails for one phase fails again when run again.
    """
    random.seed(0)


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
async def init_integration(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,  # noqa: F811  (the fixture imported above)
) -> MockConfigEntry:
    """The integration, set up against the simulator."""
    return await set_up_integration(hass, config_entry)
