"""The config entry's version: entries other releases wrote, after an upgrade or a downgrade."""

import logging
from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.evnnovator.config_flow import EvnnovatorConfigFlow
from custom_components.evnnovator.const import (
    CONF_CHARGING_INTERVAL,
    CONF_IDLE_INTERVAL,
    CONF_TOKEN_UID,
    DOMAIN,
)
from evnnovator_simulator import Simulator

STATUS = "sensor.evnnovator_demo_driver_1_session_status"
# Options as this release's options flow saves them.
OPTIONS = {CONF_CHARGING_INTERVAL: 20, CONF_IDLE_INTERVAL: 120, CONF_TOKEN_UID: "DEMO0001"}
LATER_RELEASE_LOG = "from a later release"


def entry_of_version(
    config_entry: MockConfigEntry, version: int, minor_version: int, **added: dict[str, Any]
) -> MockConfigEntry:
    """The fixture's entry (data and unique id as the user flow writes them), with the options,
    at `version`.`minor_version`; `added` holds what that version adds to data and options."""
    return MockConfigEntry(
        domain=DOMAIN,
        title=config_entry.title,
        unique_id=config_entry.unique_id,
        data={**config_entry.data, **added.get("data", {})},
        options={**OPTIONS, **added.get("options", {})},
        version=version,
        minor_version=minor_version,
    )


async def load(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()


def stored(entry: MockConfigEntry) -> tuple[Any, ...]:
    """What Home Assistant keeps of the entry."""
    return (
        entry.version,
        entry.minor_version,
        dict(entry.data),
        dict(entry.options),
        entry.unique_id,
        entry.title,
    )


def test_this_release_writes_version_1_1() -> None:
    """The format the flows write, which the entries below are of or after."""
    assert (EvnnovatorConfigFlow.VERSION, EvnnovatorConfigFlow.MINOR_VERSION) == (1, 1)


async def test_an_entry_this_release_wrote_loads_unchanged(
    hass: HomeAssistant, config_entry: MockConfigEntry, caplog: pytest.LogCaptureFixture
) -> None:
    """Upgrading to this release: the entry 0.1.0 wrote (version 1.1) loads, nothing migrated."""
    entry = entry_of_version(config_entry, 1, 1)
    before = stored(entry)

    await load(hass, entry)

    assert entry.state is ConfigEntryState.LOADED
    assert stored(entry) == before
    assert hass.states.get(STATUS).state not in (STATE_UNAVAILABLE, None)
    assert LATER_RELEASE_LOG not in caplog.text


async def test_an_entry_of_a_later_minor_version_loads(
    hass: HomeAssistant, config_entry: MockConfigEntry, caplog: pytest.LogCaptureFixture
) -> None:
    """Going back from a later release that wrote 1.3 with more in it: the entry loads and works,
    and keeps its version and what was added, for when the user upgrades again."""
    entry = entry_of_version(
        config_entry, 1, 3, data={"added_later": "x"}, options={"also_added": 5}
    )
    before = stored(entry)

    await load(hass, entry)

    assert entry.state is ConfigEntryState.LOADED
    assert stored(entry) == before
    assert hass.states.get(STATUS).state not in (STATE_UNAVAILABLE, None)
    [logged] = [record for record in caplog.records if LATER_RELEASE_LOG in record.getMessage()]
    assert logged.levelno == logging.INFO
    assert "version 1.3" in logged.getMessage()


async def test_an_entry_of_a_later_major_version_does_not_load(
    hass: HomeAssistant,
    simulator: Simulator,
    config_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Version 2 is a format this release cannot read: the entry does not load, says why in the
    log, sends nothing to the API, and stays as it was for the release that wrote it."""
    entry = entry_of_version(config_entry, 2, 1)
    before = stored(entry)

    await load(hass, entry)

    assert entry.state is ConfigEntryState.MIGRATION_ERROR
    assert stored(entry) == before
    assert hass.states.get(STATUS) is None
    assert simulator.requests == []
    [refused] = [record for record in caplog.records if "higher than the" in record.getMessage()]
    assert refused.levelno == logging.ERROR
    assert "has version 2" in refused.getMessage()
