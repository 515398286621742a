"""Fetches the tariff of the latest session's connector: rarely, at a new session and every 6 h.

Two requests each time: the EVSE (its connectors name their tariff) and the tariff.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed
from homeassistant.util import dt as dt_util

from .api import EvnnovatorError, Tariff
from .const import DOMAIN, OPTIONAL_LOGGER
from .errors import translated_error

if TYPE_CHECKING:
    from homeassistant.config_entries import ConfigEntry

    from .api import EvnnovatorClient, Evse, Session

# Prices change rarely: four times a day is soon enough to see a new one.
PRICE_REFRESH = timedelta(hours=6)


def connector_tariff_id(evse: Evse | None, connector_id: str | None) -> str | None:
    """The tariff of the session's connector.

    The connector with its id, else the first that names a tariff (the session's
    `connectorId`, e.g. "1", is rarely a connector's id).
    """
    if evse is None:
        return None
    connectors = [connector for connector in evse.connectors if connector.tariff_id]
    exact = [connector for connector in connectors if connector.id == connector_id]
    chosen = exact or connectors
    return chosen[0].tariff_id if chosen else None


class TariffCoordinator(DataUpdateCoordinator[Tariff | None]):
    """Keeps the tariff of the latest session's connector."""

    config_entry: ConfigEntry

    def __init__(self, hass: HomeAssistant, entry: ConfigEntry, client: EvnnovatorClient) -> None:
        """Refresh every PRICE_REFRESH while the price sensor is enabled, and at each session."""
        super().__init__(
            hass,
            OPTIONAL_LOGGER,
            config_entry=entry,
            name=f"{DOMAIN} price",
            update_interval=PRICE_REFRESH,
        )
        self._client = client
        self._session: Session | None = None
        self._priced: tuple[str, str] | None = None
        """The charger (location and EVSE hex ids) whose tariff `data` is."""

    @callback
    def follow(self, session: Session) -> None:
        """Ask again when a new session shows: it may be at another charger and price."""
        is_new = self._session is None or self._session.id != session.id
        self._session = session
        if is_new:
            self.hass.async_create_task(self.async_request_refresh())

    def energy_price(self, currency: str | None) -> float | None:
        """The price per kWh before tax, if known for the latest session's charger and currency.

        Another charger's tariff prices nothing: until the new one is fetched, the cost limit
        waits for the session's own cost per kWh (currency None: any).
        """
        tariff = self.data
        if tariff is None or self._priced != (
            None if self._session is None else self._session.charger_ids
        ):
            return None
        if currency and tariff.currency and tariff.currency != currency:
            return None
        return tariff.energy_price_for(self._session, dt_util.utcnow())

    async def _async_update_data(self) -> Tariff | None:
        session = self._session
        charger = None if session is None else session.charger_ids
        if session is None or charger is None:
            return None
        try:
            detail = await self._client.get_evse(*charger)
            tariff_id = connector_tariff_id(detail, session.connector_id)
            tariff = (
                None if tariff_id is None else await self._client.get_tariff(charger[0], tariff_id)
            )
        except EvnnovatorError as err:
            raise translated_error(err, UpdateFailed) from err
        self._priced = charger
        return tariff
