"""The limit entities: their values, units, and surviving a restart."""

from homeassistant.components.number import (
    ATTR_VALUE,
    DOMAIN as NUMBER_DOMAIN,
    SERVICE_SET_VALUE,
)
from homeassistant.const import ATTR_ENTITY_ID, Platform
from homeassistant.core import HomeAssistant, State
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    mock_restore_cache_with_extra_data,
    snapshot_platform,
)
from syrupy.assertion import SnapshotAssertion

from .helpers import stored_number

ENERGY_LIMIT = "number.evnnovator_demo_driver_1_energy_limit"
COST_LIMIT = "number.evnnovator_demo_driver_1_cost_limit"

pytestmark = pytest.mark.freeze_time("2026-11-23T08:00:00+00:00")


@pytest.fixture
def platforms() -> list[Platform]:
    """Load the number platform alone, as snapshot_platform needs."""
    return [Platform.NUMBER]


async def test_limits(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """Both limits start off (0); the cost limit is in the session's currency."""
    await snapshot_platform(hass, entity_registry, snapshot, init_integration.entry_id)


async def test_setting_a_limit_reaches_the_controller(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """A value set through the UI or an automation is the one the controller enforces."""
    for entity_id, value in ((ENERGY_LIMIT, 12.5), (COST_LIMIT, 300)):
        await hass.services.async_call(
            NUMBER_DOMAIN,
            SERVICE_SET_VALUE,
            {ATTR_ENTITY_ID: entity_id, ATTR_VALUE: value},
            blocking=True,
        )
        assert float(hass.states.get(entity_id).state) == value
    limits = init_integration.runtime_data.limits
    assert (limits.energy_limit, limits.cost_limit) == (12.5, 300)


async def test_limits_survive_a_restart(hass: HomeAssistant, config_entry: MockConfigEntry) -> None:
    """The limits set before a restart are in force after it."""
    mock_restore_cache_with_extra_data(
        hass,
        [
            (State(ENERGY_LIMIT, "10.0"), stored_number(10.0, "kWh", 200, 0.1)),
            (State(COST_LIMIT, "250"), stored_number(250.0, "INR", 100000, 1)),
        ],
    )
    config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    limits = config_entry.runtime_data.limits
    assert (limits.energy_limit, limits.cost_limit) == (10.0, 250.0)
    assert hass.states.get(ENERGY_LIMIT).state == "10.0"
