"""Follows every session the API reports: fires its events once and keeps the ledger on disk.

The API only ever shows the latest session, and Home Assistant restarts, loses the API for a
while or sees the same session many times. The ledger decides what is due once per session;
this keeps it across restarts and acts on it.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from homeassistant.core import callback
from homeassistant.helpers.storage import Store

from .const import DOMAIN, EVENT_SESSION_COMPLETED, EVENT_SESSION_STARTED
from .ledger import Announcement, SessionLedger, SessionRecord
from .statistics import HourlyStatistics

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant

    from .api import Session
    from .coordinator import EvnnovatorCoordinator
    from .data import EvnnovatorConfigEntry

_LOGGER = logging.getLogger(__name__)

STORAGE_VERSION = 1
SAVE_DELAY = 1.0
_EVENTS = {
    Announcement.STARTED: EVENT_SESSION_STARTED,
    Announcement.COMPLETED: EVENT_SESSION_COMPLETED,
}


class SessionTracker:
    """Keeps the ledger of one driver account, fed by its coordinator."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: EvnnovatorConfigEntry,
        coordinator: EvnnovatorCoordinator,
        device_id: str,
    ) -> None:
        """Prepare; async_load reads what earlier runs kept."""
        self._hass = hass
        self._entry = entry
        self._coordinator = coordinator
        self._device_id = device_id
        self._store: Store[dict[str, Any]] = Store(
            hass, STORAGE_VERSION, f"{DOMAIN}.{entry.entry_id}.sessions"
        )
        self.ledger = SessionLedger()
        self.statistics = HourlyStatistics(hass, entry)

    async def async_load(self) -> None:
        """Restore the ledger, take in the session the coordinator has, then follow it."""
        stored = await self._store.async_load()
        self.ledger = SessionLedger(stored)
        await self.statistics.async_backfill(
            self.ledger, self._coordinator.data, self._coordinator.last_fetch
        )
        self._observe(first_run=stored is None)
        self._entry.async_on_unload(self._coordinator.async_add_listener(self._handle_update))
        self._entry.async_on_unload(self._async_flush)

    def record(self, session_id: str) -> SessionRecord | None:
        """The record of a session, if it was seen."""
        return self.ledger.sessions.get(session_id)

    def note_energy_limit(self, session_id: str, limit: float | None) -> None:
        """Remember the limit in force for a session, for its completion event."""
        record = self.record(session_id)
        if record is not None and record.energy_limit != limit:
            record.energy_limit = limit
            self._save()

    def note_server_autostop(self, session_id: str, kwh: float) -> None:
        """Remember that the operator stops a session by itself at `kwh`."""
        record = self.record(session_id)
        if record is not None and record.server_autostop != kwh:
            record.server_autostop = kwh
            self._save()

    def note_limit_stop_sent(self, session_id: str) -> None:
        """Remember that the limit's STOP for a session was accepted."""
        record = self.record(session_id)
        if record is not None and not record.limit_stop_sent:
            record.limit_stop_sent = True
            self._save()

    @callback
    def _handle_update(self) -> None:
        # A failed update keeps the last data: nothing new to take in.
        if self._coordinator.last_update_success:
            self._observe(first_run=False)

    def _observe(self, *, first_run: bool) -> None:
        session = self._coordinator.data
        if session is None:
            return
        observation = self.ledger.observe(session, first_run=first_run)
        self.statistics.async_add_reading(session, self._coordinator.last_fetch)
        for announcement in observation.announcements:
            self._fire(_EVENTS[announcement], session, observation.record)
        if observation.changed:
            self._save()

    def _fire(self, event_type: str, session: Session, record: SessionRecord) -> None:
        data: dict[str, Any] = {
            "device_id": self._device_id,
            "config_entry_id": self._entry.entry_id,
            "session_id": session.id,
            "energy": session.kwh,
            "cost": session.total_cost,
            "currency": session.currency,
            "duration": session.elapsed(self._coordinator.last_fetch),
            "status": session.status,
        }
        if event_type == EVENT_SESSION_COMPLETED and record.energy_limit is not None:
            data["energy_limit"] = record.energy_limit
            data["overshoot"] = (
                None if session.kwh is None else round(session.kwh - record.energy_limit, 4)
            )
        _LOGGER.debug("Session %s: %s", session.id, event_type)
        self._hass.bus.async_fire(event_type, data)

    def _save(self) -> None:
        self._store.async_delay_save(self.ledger.as_dict, SAVE_DELAY)

    async def _async_flush(self) -> None:
        """Write what is pending now, rather than on a timer that outlives the entry."""
        await self._store.async_save(self.ledger.as_dict())
        await self.statistics.async_flush()
