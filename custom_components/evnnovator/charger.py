"""Polls the status of the charger (EVSE) of the latest session, at the idle pace.

Only while something listens (the Charger status sensor is enabled): each poll is a request
beside the latest session's, so the sensor is off by default.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed

from .api import EvnnovatorError, Evse
from .const import CONF_IDLE_INTERVAL, DEFAULT_IDLE_INTERVAL, DOMAIN, OPTIONAL_LOGGER
from .errors import translated_error

if TYPE_CHECKING:
    from homeassistant.config_entries import ConfigEntry

    from .api import EvnnovatorClient, Session, SessionStatus


class ChargerStatusCoordinator(DataUpdateCoordinator[Evse | None]):
    """Keeps the EVSE of the latest session as the locations call reports it."""

    config_entry: ConfigEntry

    def __init__(self, hass: HomeAssistant, entry: ConfigEntry, client: EvnnovatorClient) -> None:
        """Poll at the idle interval of the options."""
        super().__init__(
            hass,
            OPTIONAL_LOGGER,
            config_entry=entry,
            name=f"{DOMAIN} charger",
            update_interval=timedelta(
                seconds=entry.options.get(CONF_IDLE_INTERVAL, DEFAULT_IDLE_INTERVAL)
            ),
        )
        self._client = client
        self.target: tuple[str, str] | None = None
        """The location's and the EVSE's hex ids, which the EVSE call takes."""
        self._phase: tuple[str, SessionStatus | None] | None = None
        """The latest session and its status, as last followed."""

    @callback
    def follow(self, session: Session) -> None:
        """Watch the charger of the latest session; ask at once when it changes.

        Another charger, or a session that starts or ends (a START or STOP changes the
        charger's status too), is asked about at once rather than an idle interval later.
        """
        target = session.charger_ids
        phase = (session.id, session.known_status)
        if target != self.target or phase != self._phase:
            self.target, self._phase = target, phase
            if self._listeners:
                self.hass.async_create_task(self.async_request_refresh())

    async def _async_update_data(self) -> Evse | None:
        if self.target is None:
            return None
        try:
            return await self._client.get_evse(*self.target)
        except EvnnovatorError as err:
            # Refused credentials are the latest session's poll to report (it starts reauth).
            raise translated_error(err, UpdateFailed) from err
