"""Follows every session the API reports: fires its events once and keeps the ledger on disk.

The API only ever shows the latest session, and Home Assistant restarts, loses the API for a
while or sees the same session many times. The ledger decides what is due once per session;
this keeps it across restarts and acts on it. The same Store keeps what was learned of the
operator (meter cadence, stop latency).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from homeassistant.helpers.storage import Store

from .const import (
    DOMAIN,
    EVENT_SESSION_BILLED,
    EVENT_SESSION_COMPLETED,
    EVENT_SESSION_STARTED,
)
from .forecast import OperatorModel
from .ledger import Announcement, SessionLedger, SessionRecord

if TYPE_CHECKING:
    from datetime import datetime

    from homeassistant.config_entries import ConfigEntry
    from homeassistant.core import HomeAssistant

    from .api import ChargeDetailRecord, Session

_LOGGER = logging.getLogger(__name__)

STORAGE_VERSION = 1
SAVE_DELAY = 1.0
# What is learned of the operator changes with every meter value: written at most this often.
LEARNED_SAVE_DELAY = 60.0
_EVENTS = {
    Announcement.STARTED: EVENT_SESSION_STARTED,
    Announcement.COMPLETED: EVENT_SESSION_COMPLETED,
}


class SessionTracker:
    """Keeps the ledger of one driver account and what was learned of its operator."""

    def __init__(self, hass: HomeAssistant, entry: ConfigEntry) -> None:
        """Prepare; async_load reads what earlier runs kept."""
        self._hass = hass
        self._entry = entry
        self._store: Store[dict[str, Any]] = Store(
            hass, STORAGE_VERSION, f"{DOMAIN}.{entry.entry_id}.sessions"
        )
        self.ledger = SessionLedger()
        self.operator = OperatorModel()
        self.device_id: str | None = None
        self.last_bill: dict[str, Any] | None = None
        """The latest bill taken in (see `bill`), kept across restarts."""
        self.token_uids: dict[str, str] = {}
        """The driver's charging token uid per location (hex id), as the gateway gave it."""
        self._first_run = True

    async def async_load(self) -> None:
        """Restore the ledger and the operator model; flush what is pending at unload."""
        stored = await self._store.async_load()
        self.ledger = SessionLedger(stored)
        self.operator = OperatorModel(None if stored is None else stored.get("operator"))
        self._first_run = stored is None
        self.last_bill = None if stored is None else stored.get("last_bill")
        self.token_uids = dict((stored or {}).get("token_uids") or {})
        self._entry.async_on_unload(self._async_flush)

    def record(self, session_id: str) -> SessionRecord | None:
        """The record of a session, if it was seen."""
        return self.ledger.sessions.get(session_id)

    def amend(self, session_id: str, **changes: Any) -> None:
        """Change fields of a session's record, and keep them if anything changed."""
        record = self.record(session_id)
        if record is None:
            return
        changed = False
        for name, value in changes.items():
            if getattr(record, name) != value:
                setattr(record, name, value)
                changed = True
        if changed:
            self._save()

    def observe(self, session: Session, fetched_at: datetime) -> SessionRecord:
        """Take in a session the API reported; fire the events that are due."""
        observation = self.ledger.observe(session, first_run=self._first_run)
        self._first_run = False
        for announcement in observation.announcements:
            self._fire(_EVENTS[announcement], session, observation.record, fetched_at)
        if observation.changed:
            self._save()
        return observation.record

    def bill(self, session: Session, cdr: ChargeDetailRecord) -> None:
        """Take in a session's bill: count it in the total, keep it, announce it once."""
        record = self.record(session.id)
        if record is None or record.bill_announced:
            return
        currency = cdr.currency or session.currency
        if cdr.billed_cost is not None:
            self.ledger.bill(session.id, amount=cdr.billed_cost, currency=currency)
        record.bill_announced = True
        self.last_bill = {
            "session_id": session.id,
            "cost": _rounded(cdr.billed_cost),
            "cost_before_tax": _rounded(cdr.cost_excl_tax),
            "tax": _rounded(cdr.tax),
            "currency": currency,
            "energy": None if cdr.energy_kwh is None else round(cdr.energy_kwh, 3),
            "duration": None if cdr.duration_minutes is None else round(cdr.duration_minutes, 1),
        }
        self._hass.bus.async_fire(
            EVENT_SESSION_BILLED,
            {"device_id": self.device_id, "config_entry_id": self._entry.entry_id} | self.last_bill,
        )
        self._save()

    def remember_token_uid(self, location_id: str, uid: str) -> None:
        """Keep the driver's token uid at a location, so that it is asked for once."""
        if self.token_uids.get(location_id) != uid:
            self.token_uids[location_id] = uid
            self._save()

    def learned(self) -> None:
        """The operator model learned something: keep it, without a write per meter value."""
        self._store.async_delay_save(self._as_dict, LEARNED_SAVE_DELAY)

    def _fire(
        self, event_type: str, session: Session, record: SessionRecord, fetched_at: datetime
    ) -> None:
        data: dict[str, Any] = {
            "device_id": self.device_id,
            "config_entry_id": self._entry.entry_id,
            "session_id": session.id,
            "energy": session.kwh,
            "cost": session.total_cost,
            "currency": session.currency,
            "duration": session.elapsed(fetched_at),
            "status": session.status,
        }
        if event_type == EVENT_SESSION_COMPLETED and record.energy_limit is not None:
            data["energy_limit"] = record.energy_limit
            data["overshoot"] = (
                None if session.kwh is None else round(session.kwh - record.energy_limit, 4)
            )
        if event_type == EVENT_SESSION_COMPLETED:
            if record.cost_limit is not None:
                data["cost_limit"] = record.cost_limit
            if record.stopped_by is not None:
                data["stopped_by"] = record.stopped_by
        _LOGGER.debug("Session %s: %s", session.id, event_type)
        self._hass.bus.async_fire(event_type, data)

    def _as_dict(self) -> dict[str, Any]:
        return self.ledger.as_dict() | {
            "operator": self.operator.as_dict(),
            "last_bill": self.last_bill,
            "token_uids": self.token_uids,
        }

    def _save(self) -> None:
        self._store.async_delay_save(self._as_dict, SAVE_DELAY)

    async def _async_flush(self) -> None:
        """Write what is pending now, rather than on a timer that outlives the entry."""
        await self._store.async_save(self._as_dict())


def _rounded(amount: float | None) -> float | None:
    """A money amount to the cent (the API's float is unrounded: 3.3983999999999996)."""
    return None if amount is None else round(amount, 2)
