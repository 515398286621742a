"""The EVnnovator integration: a driver's charging sessions on EVnnovator's OCPI gateway."""

from __future__ import annotations

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.typing import ConfigType

from . import const
from .account import Account
from .config_flow import EvnnovatorConfigFlow
from .connection import create_client
from .data import EvnnovatorConfigEntry
from .services import async_setup_services
from .store import AccountStore

PLATFORMS: list[Platform] = [
    Platform.BINARY_SENSOR,
    Platform.BUTTON,
    Platform.NUMBER,
    Platform.SENSOR,
]
# Set up in the UI only; async_setup exists for the actions.
CONFIG_SCHEMA = cv.config_entry_only_config_schema(const.DOMAIN)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the actions with the integration, so that they exist while no entry is loaded.

    A call for an entry that is not loaded then gets a clear error instead of "unknown action".
    """
    async_setup_services(hass)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: EvnnovatorConfigEntry) -> bool:
    """Load what was kept, check the account with a first poll, then set up the entities.

    The order is the account's own: the device exists before the first events name it, and the
    limits plan only once the number entities have restored them.
    """
    store = AccountStore(hass, entry.entry_id)
    account = Account(
        hass,
        entry,
        create_client(hass, dict(entry.data)),
        store=store,
        data=await store.async_load_account(),
    )
    await account.async_setup()
    entry.runtime_data = account
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    account.async_start()
    return True


async def async_migrate_entry(hass: HomeAssistant, entry: EvnnovatorConfigEntry) -> bool:
    """Load an entry of this major version that another release wrote.

    Home Assistant calls this for an entry whose version is not the flow's, having already refused
    (with an error in the log) one of a later major version. 1.1 is the first format, so no entry
    is older yet: a later format's steps go here. One of a later minor version was written by a
    later release before the user went back to this one: it loads as it is, and keeps its version
    for when they upgrade again.
    """
    const.LOGGER.info(
        "Config entry %s is version %s.%s, from a later release; this one (%s.%s) loads it as is",
        entry.title,
        entry.version,
        entry.minor_version,
        EvnnovatorConfigFlow.VERSION,
        EvnnovatorConfigFlow.MINOR_VERSION,
    )
    return True


async def async_unload_entry(hass: HomeAssistant, entry: EvnnovatorConfigEntry) -> bool:
    """Unload the entities; the coordinators' timers stop with the entry."""
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)
