"""Setting up and unloading the integration."""

import json
from pathlib import Path

from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.evnnovator.const import DOMAIN
from evnnovator_simulator import Simulator


async def test_setup_and_unload(hass: HomeAssistant, init_integration: MockConfigEntry) -> None:
    """The entry loads against the simulator and unloads cleanly."""
    assert init_integration.state is ConfigEntryState.LOADED
    assert await hass.config_entries.async_unload(init_integration.entry_id)
    await hass.async_block_till_done()
    assert init_integration.state is ConfigEntryState.NOT_LOADED


@pytest.mark.parametrize("fault", ["http_500", "http_502_html", "bad_json", "status_2001"])
async def test_setup_retries_when_api_fails(
    hass: HomeAssistant, simulator: Simulator, config_entry: MockConfigEntry, fault: str
) -> None:
    """An API that fails at start-up makes Home Assistant retry later, not fail for good."""
    simulator.inject(fault)
    config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    assert config_entry.state is ConfigEntryState.SETUP_RETRY


@pytest.mark.parametrize("fault", ["http_401", "http_403"])
async def test_setup_with_refused_credentials_starts_reauth(
    hass: HomeAssistant, simulator: Simulator, config_entry: MockConfigEntry, fault: str
) -> None:
    """Refused credentials at start-up ask the user for a new token."""
    simulator.inject(fault)
    config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    assert config_entry.state is ConfigEntryState.SETUP_ERROR
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]


async def test_device_names_version_and_configuration(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """The account's device: the integration's version, a link to where it is configured."""
    [device] = dr.async_entries_for_config_entry(dr.async_get(hass), init_integration.entry_id)
    manifest = json.loads(
        (Path(__file__).parent.parent / "custom_components/evnnovator/manifest.json").read_text()
    )
    assert device.sw_version == manifest["version"]
    assert device.configuration_url == "homeassistant://config/integrations/integration/evnnovator"
