"""The account's events: a session started, went idle, completed, was billed.

Started, completed and billed are fired once per session; idle once per idle period (the car
stopped drawing while the session runs on: full, or paused).

The book decides what is due (`Change.announcements`, a bill taken in); this says it on the
event bus, with the device and the entry, for device triggers, automations and the logbook.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from .book import Announcement
from .const import (
    EVENT_CHARGING_IDLE,
    EVENT_SESSION_BILLED,
    EVENT_SESSION_COMPLETED,
    EVENT_SESSION_STARTED,
)

if TYPE_CHECKING:
    from datetime import datetime

    from homeassistant.config_entries import ConfigEntry
    from homeassistant.core import HomeAssistant

    from .api import Session
    from .book import Bill, Change, SessionEntry

_LOGGER = logging.getLogger(__name__)

_EVENTS = {
    Announcement.STARTED: EVENT_SESSION_STARTED,
    Announcement.COMPLETED: EVENT_SESSION_COMPLETED,
}


class SessionEvents:
    """Fires the events of one driver account's sessions."""

    def __init__(self, hass: HomeAssistant, entry: ConfigEntry, device_id: str) -> None:
        """Name `device_id` (the account's device) and the entry in every event."""
        self._hass = hass
        self._source = {"device_id": device_id, "config_entry_id": entry.entry_id}

    def announce(
        self,
        change: Change,
        session: Session,
        fetched_at: datetime,
        *,
        battery: float | None = None,
        cost_with_tax: float | None = None,
        cost_limit_with_tax: bool = False,
    ) -> None:
        """Fire what the book found due for `session` (as fetched at `fetched_at`).

        `battery`: the car's battery in percent, as the integration knows it, if it does.
        `cost_with_tax`: the session's cost with tax as Session cost with tax shows it, None
        while not known. `cost_limit_with_tax`: a cost limit would count with tax (the option
        on, a tax ratio known).
        """
        entry = change.entry
        for announcement in change.announcements:
            event_type = _EVENTS[announcement]
            data = self._session_data(session, fetched_at)
            if event_type == EVENT_SESSION_COMPLETED:
                data["cost_with_tax"] = cost_with_tax
                if entry is not None:
                    data |= _limits_data(
                        entry, session, battery=battery, cost_limit_with_tax=cost_limit_with_tax
                    )
            _LOGGER.debug("Session %s: %s", session.id, event_type)
            self._hass.bus.async_fire(event_type, data)

    def idle(self, session: Session, idle_since: datetime, fetched_at: datetime) -> None:
        """Announce that the running session's car stopped drawing (at `idle_since`)."""
        data = self._session_data(session, fetched_at) | {"idle_since": idle_since.isoformat()}
        _LOGGER.debug("Session %s: %s", session.id, EVENT_CHARGING_IDLE)
        self._hass.bus.async_fire(EVENT_CHARGING_IDLE, data)

    def _session_data(self, session: Session, fetched_at: datetime) -> dict[str, Any]:
        """What every session event says of the session."""
        return self._source | {
            "session_id": session.id,
            "energy": session.kwh,
            "cost": session.total_cost,
            "currency": session.currency,
            "duration": session.elapsed(fetched_at),
            "status": session.status,
        }

    def billed(self, bill: Bill) -> None:
        """Announce a session's bill."""
        self._hass.bus.async_fire(EVENT_SESSION_BILLED, self._source | bill.as_dict())


def _limits_data(
    entry: SessionEntry, session: Session, *, battery: float | None, cost_limit_with_tax: bool
) -> dict[str, Any]:
    """What the completion event says of the limits the session had, and what stopped it."""
    data: dict[str, Any] = {}
    # The session's own limit (START's) or the Energy limit, whichever came first.
    if (energy_limit := entry.stop_energy) is not None:
        data["energy_limit"] = energy_limit
        data["overshoot"] = None if session.kwh is None else round(session.kwh - energy_limit, 4)
    if entry.cost_limit is not None:
        data["cost_limit"] = entry.cost_limit
        if cost_limit_with_tax:
            data["cost_limit_with_tax"] = True
    if entry.battery_limit is not None:
        data["battery_limit"] = entry.battery_limit
    if battery is not None:
        data["battery"] = round(battery, 1)
    if entry.stop.by is not None:
        data["stopped_by"] = entry.stop.by
    return data
