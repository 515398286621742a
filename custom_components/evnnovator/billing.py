"""Fetches the bill (CDR) of each session that ended, on a gentle schedule, until it exists.

The operator makes the CDR some time after the session ends (the sample: half a minute);
until then the call answers 404. One schedule at a time, for the latest session; what a bill
changes is the account's (it counts it in the book, announces it and restates the hours).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.event import async_call_later

from .api import EvnnovatorError

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

    from .api import ChargeDetailRecord, EvnnovatorClient, Session
    from .book import SessionEntry

_LOGGER = logging.getLogger(__name__)

# Seconds after the end was seen at which the CDR is asked for: soon after the sample's half
# minute, then less and less often; after the last, an hour on, it is given up.
BILL_ATTEMPTS_AT: tuple[float, ...] = (35, 60, 120, 300, 600, 1200, 1800, 3600)


class SessionBilling:
    """Asks for the bill of the latest session once it ended, and hands it on."""

    def __init__(
        self,
        hass: HomeAssistant,
        client: EvnnovatorClient,
        *,
        on_bill: Callable[[Session, ChargeDetailRecord], None],
        on_give_up: Callable[[Session], None],
    ) -> None:
        """Ask through `client`; `on_bill` takes a bill in, `on_give_up` the lack of one."""
        self._hass = hass
        self._client = client
        self._on_bill = on_bill
        self._on_give_up = on_give_up
        self._session: Session | None = None
        self._attempt = 0
        self._cancel: CALLBACK_TYPE | None = None

    @callback
    def follow(self, session: Session, entry: SessionEntry) -> None:
        """Start asking for the bill of a session seen ended, unless it is known or asked for."""
        if session.is_running or entry.bill_announced or not session.session_id:
            return
        if self._session is not None and self._session.id == session.id:
            self._session = session  # the newest report: its units judge the CDR's
            return
        self.cancel()
        self._session, self._attempt = session, 0
        self._schedule()

    @callback
    def cancel(self) -> None:
        """Stop asking (a newer session, or the entry unloads)."""
        if self._cancel is not None:
            self._cancel()
            self._cancel = None

    def _schedule(self) -> None:
        previous = BILL_ATTEMPTS_AT[self._attempt - 1] if self._attempt else 0.0
        delay = BILL_ATTEMPTS_AT[self._attempt] - previous
        self._cancel = async_call_later(self._hass, delay, self._async_ask)

    async def _async_ask(self, _now: datetime) -> None:
        self._cancel = None
        session = self._session
        if session is None:  # pragma: no cover -- scheduled only with a session
            return
        try:
            cdr = await self._client.get_session_cdr(session)
        except EvnnovatorError as err:
            # Any failure is one more attempt on the schedule; polling reports the API's state.
            _LOGGER.debug("The bill of session %s could not be fetched: %s", session.id, err)
            cdr = None
        if cdr is not None:
            self._session = None
            self._on_bill(session, cdr)
            return
        self._attempt += 1
        if self._attempt < len(BILL_ATTEMPTS_AT):
            self._schedule()
            return
        self._session = None
        _LOGGER.warning(
            "No bill (CDR) for session %s an hour after it ended; "
            "its cost stays the operator's figure before tax",
            session.id,
        )
        self._on_give_up(session)
