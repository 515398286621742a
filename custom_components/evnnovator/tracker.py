"""Follows every session the API reports, once: its events, the lifetime totals, its limit.

The API only ever shows the latest session, and Home Assistant restarts, loses the API for a
while or sees the same session many times. What must happen once per session (an event, adding
its energy to the totals, the STOP of a limit) is decided here, from records kept on disk.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
import logging
from typing import TYPE_CHECKING, Any

from homeassistant.core import callback
from homeassistant.helpers.storage import Store

from .const import DOMAIN, EVENT_SESSION_COMPLETED, EVENT_SESSION_STARTED

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant

    from .api import Session
    from .coordinator import EvnnovatorCoordinator
    from .data import EvnnovatorConfigEntry

_LOGGER = logging.getLogger(__name__)

STORAGE_VERSION = 1
# Sessions remembered one by one; older ones live on only in the totals.
MAX_REMEMBERED_SESSIONS = 50
SAVE_DELAY = 1.0


@dataclass
class SessionRecord:
    """What is known of one session, and what has been done about it."""

    energy: float = 0.0
    """The most energy (kWh) the API reported: a later, smaller value is a correction."""
    cost: float = 0.0
    currency: str | None = None
    started_announced: bool = False
    completed_announced: bool = False
    energy_limit: float | None = None
    """The energy limit in force while the session charged, if any."""
    limit_stop_sent: bool = False
    """The limit's STOP was accepted: it must not be sent again, even after a restart."""


class SessionTracker:
    """Keeps per-session records and the lifetime totals of one driver account."""

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
        self._sessions: dict[str, SessionRecord] = {}
        # Energy and cost (per currency) of sessions no longer remembered one by one.
        self._retired_energy = 0.0
        self._retired_cost: dict[str, float] = {}

    async def async_load(self) -> None:
        """Restore the records, take in the session the coordinator has, then follow it."""
        stored = await self._store.async_load()
        if stored is not None:
            self._sessions = {
                session_id: SessionRecord(**record)
                for session_id, record in stored["sessions"].items()
            }
            self._retired_energy = stored["retired_energy"]
            self._retired_cost = stored["retired_cost"]
        # On the very first run, the latest session may be old news: announce it only if it runs.
        self._observe(self._coordinator.data, first_run=stored is None)
        self._entry.async_on_unload(self._coordinator.async_add_listener(self._handle_update))
        self._entry.async_on_unload(self._async_flush)

    async def _async_flush(self) -> None:
        """Write what is pending now, rather than on a timer that outlives the entry."""
        await self._store.async_save(self._stored())

    @property
    def total_energy(self) -> float:
        """Energy (kWh) of every session seen, each counted once at the most it reported."""
        return self._retired_energy + sum(record.energy for record in self._sessions.values())

    def total_cost(self, currency: str) -> float:
        """The cost of every session seen that was charged in `currency`."""
        remembered = sum(
            record.cost for record in self._sessions.values() if record.currency == currency
        )
        return self._retired_cost.get(currency, 0.0) + remembered

    def record(self, session_id: str) -> SessionRecord | None:
        """The record of a session, if it was seen."""
        return self._sessions.get(session_id)

    def note_energy_limit(self, session_id: str, limit: float | None) -> None:
        """Remember the limit in force for a session, for its completion event."""
        record = self._sessions.get(session_id)
        if record is not None and record.energy_limit != limit:
            record.energy_limit = limit
            self._save()

    def note_limit_stop_sent(self, session_id: str) -> None:
        """Remember that the limit's STOP for a session was accepted."""
        record = self._sessions.get(session_id)
        if record is not None and not record.limit_stop_sent:
            record.limit_stop_sent = True
            self._save()

    @callback
    def _handle_update(self) -> None:
        # A failed update keeps the last data: nothing new to take in.
        if self._coordinator.last_update_success:
            self._observe(self._coordinator.data, first_run=False)

    def _observe(self, session: Session | None, *, first_run: bool) -> None:
        if session is None:
            return
        record = self._sessions.get(session.id)
        changed = record is None
        if record is None:
            record = self._remember(session.id)
            if first_run and not session.is_running:
                record.started_announced = record.completed_announced = True
        if session.kwh is not None and session.kwh > record.energy:
            record.energy = session.kwh
            changed = True
        if session.total_cost is not None and session.currency is not None:
            if session.currency != record.currency:
                record.currency, record.cost = session.currency, 0.0
                changed = True
            if session.total_cost > record.cost:
                record.cost = session.total_cost
                changed = True
        if not record.started_announced:
            record.started_announced = changed = True
            self._fire(EVENT_SESSION_STARTED, session, record)
        if not session.is_running and not record.completed_announced:
            record.completed_announced = changed = True
            self._fire(EVENT_SESSION_COMPLETED, session, record)
        if changed:
            self._save()

    def _remember(self, session_id: str) -> SessionRecord:
        record = self._sessions[session_id] = SessionRecord()
        while len(self._sessions) > MAX_REMEMBERED_SESSIONS:
            oldest_id = next(iter(self._sessions))
            oldest = self._sessions.pop(oldest_id)
            self._retired_energy += oldest.energy
            if oldest.currency is not None:
                self._retired_cost[oldest.currency] = (
                    self._retired_cost.get(oldest.currency, 0.0) + oldest.cost
                )
        return record

    def _fire(self, event_type: str, session: Session, record: SessionRecord) -> None:
        duration = None
        if session.start is not None:
            until = session.ended or self._coordinator.last_fetch
            duration = max((until - session.start).total_seconds(), 0.0)
        data: dict[str, Any] = {
            "device_id": self._device_id,
            "config_entry_id": self._entry.entry_id,
            "session_id": session.id,
            "energy": session.kwh,
            "cost": session.total_cost,
            "currency": session.currency,
            "duration": duration,
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
        self._store.async_delay_save(self._stored, SAVE_DELAY)

    def _stored(self) -> dict[str, Any]:
        return {
            "sessions": {key: asdict(record) for key, record in self._sessions.items()},
            "retired_energy": self._retired_energy,
            "retired_cost": self._retired_cost,
        }
