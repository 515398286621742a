"""The EVnnovator integration: a driver's charging sessions on EVnnovator's OCPI gateway."""

from __future__ import annotations

from homeassistant.const import CONF_TOKEN, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.typing import ConfigType
from homeassistant.util import dt as dt_util

from . import const
from .account import Account
from .api import EvnnovatorClient
from .billing import SessionBilling
from .charger import ChargerStatusCoordinator
from .coordinator import EvnnovatorCoordinator
from .data import EvnnovatorConfigEntry
from .device import async_register_account_device
from .forecast import MeterTrack
from .limits import LimitController
from .price import TariffCoordinator
from .services import async_setup_services
from .statistics import HourlyStatistics
from .stopping import StopCommands
from .tracker import SessionTracker

PLATFORMS: list[Platform] = [
    Platform.BINARY_SENSOR,
    Platform.BUTTON,
    Platform.NUMBER,
    Platform.SENSOR,
]
# Set up in the UI only; async_setup exists for the actions.
CONFIG_SCHEMA = cv.config_entry_only_config_schema(const.DOMAIN)


def create_client(hass: HomeAssistant, data: dict[str, str]) -> EvnnovatorClient:
    """A client for the credentials of a config entry, on Home Assistant's shared web session."""
    return EvnnovatorClient(
        async_get_clientsession(hass),
        token=data[CONF_TOKEN],
        base_url=data[const.CONF_BASE_URL],
        auth_scheme=data[const.CONF_AUTH_SCHEME],
        # Read at call time, so that tests can shorten it.
        request_timeout=const.REQUEST_TIMEOUT,
        # Home Assistant's clock, which judges how much energy a session can have delivered.
        clock=dt_util.utcnow,
    )


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the actions with the integration, so that they exist while no entry is loaded.

    A call for an entry that is not loaded then gets a clear error instead of "unknown action".
    """
    async_setup_services(hass)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: EvnnovatorConfigEntry) -> bool:
    """Check the account with a first refresh, then follow its sessions and set up the entities."""
    tracker = SessionTracker(hass, entry)
    await tracker.async_load()
    coordinator = EvnnovatorCoordinator(
        hass, entry, create_client(hass, dict(entry.data)), MeterTrack(tracker.operator)
    )
    await coordinator.async_config_entry_first_refresh()
    tracker.device_id = async_register_account_device(hass, entry)
    statistics = HourlyStatistics(hass, entry)
    await statistics.async_backfill(tracker.ledger, coordinator.data, coordinator.reading_time)
    entry.async_on_unload(statistics.async_flush)
    stops = StopCommands(hass, entry, coordinator, tracker)
    price = TariffCoordinator(hass, entry, coordinator.client)
    limits = LimitController(
        hass, entry, coordinator, tracker, stops, energy_price=price.energy_price
    )
    entry.runtime_data = Account(
        coordinator=coordinator,
        tracker=tracker,
        statistics=statistics,
        stops=stops,
        limits=limits,
        billing=SessionBilling(hass, coordinator, tracker, on_bill=statistics.async_bill),
        charger=ChargerStatusCoordinator(hass, entry, coordinator.client),
        price=price,
    )
    entry.runtime_data.async_follow(entry)
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    return True


async def async_unload_entry(hass: HomeAssistant, entry: EvnnovatorConfigEntry) -> bool:
    """Unload the entities; the coordinator's timers stop with the entry."""
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)
