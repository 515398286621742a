"""The one way a STOP goes out: once per session, whoever asks, never inside a Retry-After."""

from __future__ import annotations

from datetime import datetime, timedelta
import logging
from typing import TYPE_CHECKING

from homeassistant.exceptions import HomeAssistantError
from homeassistant.util import dt as dt_util

from .api import EvnnovatorAuthenticationError, EvnnovatorRateLimitError
from .const import DOMAIN
from .errors import translated_errors
from .forecast import SentStop, observed_latency, sent_stop

if TYPE_CHECKING:
    from homeassistant.config_entries import ConfigEntry
    from homeassistant.core import HomeAssistant

    from .api import Session
    from .coordinator import EvnnovatorCoordinator
    from .tracker import SessionTracker

_LOGGER = logging.getLogger(__name__)

# Without a Retry-After header, a refused command waits this long before the next one.
DEFAULT_COMMAND_BACKOFF = 60.0
# A STOP accepted this long ago without the session ending may have been lost: a person may
# send it again (a limit never does).
STOP_RESEND_AFTER = 120.0

type StopSender = str
"""Who asked for a STOP: "energy" or "cost" (a limit), or "user"."""
USER: StopSender = "user"


class StopCommands:
    """Sends STOP for a session at most once, and learns how long the operator takes."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        coordinator: EvnnovatorCoordinator,
        tracker: SessionTracker,
    ) -> None:
        """Send through `coordinator`'s client; remember what was sent in `tracker`."""
        self._hass = hass
        self._entry = entry
        self._coordinator = coordinator
        self._tracker = tracker
        self._sent: dict[str, SentStop] = {}
        """When the STOP of each session still running was accepted (for the latency)."""
        self._not_before: datetime | None = None

    def sent(self, session_id: str) -> bool:
        """Whether a STOP for this session was accepted (in this run or an earlier one)."""
        record = self._tracker.record(session_id)
        return session_id in self._sent or (record is not None and record.stop_sent)

    def stopping(self, session: Session) -> bool:
        """Whether the session runs on after an accepted STOP: the charger is stopping."""
        return session.is_running and self.sent(session.id)

    @property
    def retry_after(self) -> float | None:
        """Seconds until the API accepts commands again after a 429; None when it does."""
        if self._not_before is None:
            return None
        remaining = (self._not_before - dt_util.utcnow()).total_seconds()
        return remaining if remaining > 0 else None

    async def async_stop(self, session: Session, sender: StopSender) -> bool:
        """Send STOP for `session` unless one was accepted already; True if this one was.

        Raises the client's errors; a 429 also holds back every later STOP until its
        Retry-After has passed (raised at once, without a request, until then).
        """
        if self.sent(session.id) and not self._may_resend(session.id, sender):
            _LOGGER.debug("STOP for session %s was sent already", session.id)
            return False
        if (wait := self.retry_after) is not None:
            raise EvnnovatorRateLimitError(
                "the API asked to wait before the next command", retry_after=wait
            )
        try:
            await self._coordinator.client.stop_session(session.id)
        except EvnnovatorAuthenticationError:
            self._entry.async_start_reauth(self._hass)
            raise
        except EvnnovatorRateLimitError as err:
            wait = err.retry_after if err.retry_after is not None else DEFAULT_COMMAND_BACKOFF
            self._not_before = dt_util.utcnow() + timedelta(seconds=wait)
            raise
        self._sent[session.id] = sent_stop(self._coordinator.meter, session, dt_util.utcnow())
        self._tracker.amend(session.id, stop_sent=True, stopped_by=sender)
        self._coordinator.schedule_stop_refreshes()
        self._coordinator.async_update_listeners()
        return True

    async def async_stop_by_user(self) -> Session:
        """Stop the running session for a person (the button, the action).

        Returns the session as last read; raises a translated HomeAssistantError when nothing
        runs or the API refuses. A STOP already on its way is not sent again.
        """
        session = self._coordinator.data
        if session is None or not session.is_running:
            raise HomeAssistantError(translation_domain=DOMAIN, translation_key="not_charging")
        if self._sent_recently(session.id):
            raise HomeAssistantError(translation_domain=DOMAIN, translation_key="already_stopping")
        async with translated_errors(self._hass, self._entry):
            await self.async_stop(session, USER)
        return session

    def _sent_recently(self, session_id: str) -> bool:
        return self.sent(session_id) and not self._may_resend(session_id, USER)

    def _may_resend(self, session_id: str, sender: StopSender) -> bool:
        """A person may repeat a STOP that the operator seems to have lost."""
        if sender != USER:
            return False
        sent = self._sent.get(session_id)
        # Sent before a restart: when is unknown, and the session still runs.
        return sent is None or (dt_util.utcnow() - sent.at).total_seconds() >= STOP_RESEND_AFTER

    def learn_from(self, session: Session) -> bool:
        """Once a session we stopped has ended, learn how long the charger took; True if so."""
        if session.is_running:
            return False
        sent = self._sent.pop(session.id, None)
        latency = None if sent is None else observed_latency(sent, session)
        if latency is None:
            return False
        self._tracker.operator.learn_latency(latency)
        _LOGGER.debug(
            "The operator stopped %.1f s after STOP; planning with %.1f s from now on",
            latency,
            self._tracker.operator.latency,
        )
        return True
