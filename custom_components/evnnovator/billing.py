"""Fetches the bill (CDR) of each session that ended, on a gentle schedule, until it exists.

The operator makes the CDR some time after the session ends (the sample: half a minute; OCPI
allows hours): until then the call answers 404. Each ended session's bill is asked for on its
own schedule, also after a newer session began, for two days; a failure of the call is never
the last attempt. What is still awaited is kept across restarts (`pending`, in the Store). What
a bill changes is the account's (it counts it in the book, announces it, restates the hours).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
import logging
from typing import TYPE_CHECKING, Any

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.event import async_call_later
from homeassistant.util import dt as dt_util

from .api import EvnnovatorError, parse_session

if TYPE_CHECKING:
    from collections.abc import Callable

    from .api import ChargeDetailRecord, EvnnovatorClient, Session
    from .book import SessionEntry

_LOGGER = logging.getLogger(__name__)

# Seconds after the end was seen at which the CDR is asked for: soon after the sample's half
# minute, then less and less often, up to two days; after the last, it is given up.
BILL_ATTEMPTS_AT: tuple[float, ...] = (
    35,
    60,
    120,
    300,
    600,
    1200,
    1800,
    3600,
    *(hours * 3600.0 for hours in (2, 3, 4, 6, 8, 12, 16, 24, 36, 48)),
)
# Past the schedule a failed call (not a "no bill yet") is asked again this much later, for at
# most this long: the last attempt is an answer, unless the call fails for a whole day more.
FAULT_RETRY = 3600.0
FAULT_RETRY_FOR = 86400.0


@dataclass
class PendingBill:
    """A session whose bill is awaited: its latest report, and when its end was seen."""

    session: Session
    ended_seen: datetime
    attempt: int = 0

    def as_dict(self) -> dict[str, Any]:
        """JSON-able, to keep across restarts."""
        return {"session": self.session.raw, "ended_seen": self.ended_seen.isoformat()}

    @classmethod
    def from_dict(cls, stored: dict[str, Any]) -> PendingBill:
        """The inverse of `as_dict`; the attempt is the next one due from now."""
        return cls(parse_session(stored["session"]), datetime.fromisoformat(stored["ended_seen"]))


class SessionBilling:
    """Asks for the bill of each ended session, and hands it on."""

    def __init__(
        self,
        hass: HomeAssistant,
        client: EvnnovatorClient,
        *,
        pending: dict[str, dict[str, Any]],
        on_bill: Callable[[Session, ChargeDetailRecord], None],
        on_give_up: Callable[[Session], None],
        save: Callable[[], None],
    ) -> None:
        """Ask through `client`; `on_bill` takes a bill in, `on_give_up` the lack of one.

        `pending` is the Store's record of the bills awaited (kept up to date here, `save`
        writes it); `resume` takes it up again after a restart.
        """
        self._hass = hass
        self._client = client
        self._stored = pending
        self._on_bill = on_bill
        self._on_give_up = on_give_up
        self._save = save
        self._pending: dict[str, PendingBill] = {}
        self._timers: dict[str, CALLBACK_TYPE] = {}

    @callback
    def resume(self) -> None:
        """Ask again for the bills awaited before the restart, each at its next attempt."""
        now = dt_util.utcnow()
        for session_id, stored in list(self._stored.items()):
            if session_id in self._pending:
                continue
            try:
                pending = PendingBill.from_dict(stored)
            except EvnnovatorError, KeyError, TypeError, ValueError:
                del self._stored[session_id]  # written by nobody else: never expected
                continue
            elapsed = (now - pending.ended_seen).total_seconds()
            pending.attempt = sum(1 for at in BILL_ATTEMPTS_AT if at <= elapsed)
            self._pending[session_id] = pending
            self._schedule(session_id, now)

    @callback
    def follow(self, session: Session, entry: SessionEntry) -> None:
        """Start asking for the bill of a session seen ended, unless it is known or asked for."""
        if session.is_running or entry.bill_announced or not session.session_id:
            return
        if (pending := self._pending.get(session.id)) is not None:
            pending.session = session  # the newest report: its units judge the CDR's
            return
        now = dt_util.utcnow()
        self._pending[session.id] = PendingBill(session, now)
        self._keep(session.id)
        self._schedule(session.id, now)

    @callback
    def cancel(self) -> None:
        """Stop asking (the entry unloads, or Home Assistant stops); what is awaited is kept."""
        for cancel in self._timers.values():
            cancel()
        self._timers.clear()

    def _keep(self, session_id: str) -> None:
        pending = self._pending.get(session_id)
        if pending is None:
            self._stored.pop(session_id, None)
        else:
            self._stored[session_id] = pending.as_dict()
        self._save()

    def _schedule(self, session_id: str, now: datetime, *, fault: bool = False) -> None:
        if (cancel := self._timers.pop(session_id, None)) is not None:
            cancel()
        pending = self._pending[session_id]
        if pending.attempt < len(BILL_ATTEMPTS_AT):
            due = pending.ended_seen + timedelta(seconds=BILL_ATTEMPTS_AT[pending.attempt])
        elif fault and (now - pending.ended_seen).total_seconds() < (
            BILL_ATTEMPTS_AT[-1] + FAULT_RETRY_FOR
        ):
            due = now + timedelta(seconds=FAULT_RETRY)
        else:
            self._give_up(pending)
            return
        delay = max((due - now).total_seconds(), 0.0)
        self._timers[session_id] = async_call_later(
            self._hass, delay, partial(self._async_ask, session_id)
        )

    async def _async_ask(self, session_id: str, _now: datetime) -> None:
        self._timers.pop(session_id, None)
        pending = self._pending.get(session_id)
        if pending is None:  # pragma: no cover -- scheduled only while pending
            return
        fault = False
        try:
            cdr = await self._client.get_session_cdr(pending.session)
        except EvnnovatorError as err:
            # Any failure is one more attempt, never the last; polling reports the API's state.
            _LOGGER.debug("The bill of session %s could not be fetched: %s", session_id, err)
            cdr, fault = None, True
        if cdr is not None:
            del self._pending[session_id]
            self._keep(session_id)
            self._on_bill(pending.session, cdr)
            return
        pending.attempt += 1
        self._schedule(session_id, dt_util.utcnow(), fault=fault)

    def _give_up(self, pending: PendingBill) -> None:
        session = pending.session
        del self._pending[session.id]
        self._keep(session.id)
        _LOGGER.warning(
            "No bill (CDR) for session %s two days after it ended; "
            "its cost stays the operator's figure before tax",
            session.id,
        )
        self._on_give_up(session)
