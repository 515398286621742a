"""The control room: every command to the charger goes out here, START and STOP alike.

- START: the charger defaults to the latest session's, a charger the API says cannot start
  remotely is refused up front, the token uid comes from the options or the gateway (asked once
  per location), and the autostop asked for is noted in the book as the session's own limit,
  on the session that START started (the next new one to show, if it started soon after).
- STOP: once per session, whoever asks, kept in the book across restarts; a person may resend
  after STOP_RESEND_AFTER, a limit never. A 429 holds every command until its Retry-After
  (one gate, on Home Assistant's clock). A limit's failed STOP is retried on one schedule per
  session: quickly three times, then, with a repair issue and the problem sensor on, ever less
  often for as long as the car charges past the limit (the "failing" mark is kept in the book,
  across restarts). After an accepted STOP, quick refreshes follow the session until it has
  stopped, and its end teaches how long the operator takes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
import logging
from typing import TYPE_CHECKING, Any

from homeassistant.core import CALLBACK_TYPE, callback
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.event import async_call_later
from homeassistant.util import dt as dt_util

from .api import (
    EvnnovatorAuthenticationError,
    EvnnovatorCommandRejectedError,
    EvnnovatorConnectionError,
    EvnnovatorError,
    EvnnovatorRateLimitError,
)
from .backoff import Backoff
from .const import CONF_TOKEN_UID, DOMAIN, STOP_REFRESH_DELAYS
from .errors import translated_errors
from .forecast import SentStop, observed_latency, sent_stop

if TYPE_CHECKING:
    from collections.abc import Callable

    from homeassistant.config_entries import ConfigEntry
    from homeassistant.core import HomeAssistant

    from .api import Evse, Session
    from .charger import ChargerStatusCoordinator
    from .coordinator import EvnnovatorCoordinator
    from .forecast import MeterTrack
    from .store import AccountData

_LOGGER = logging.getLogger(__name__)

# Without a Retry-After header, a refused command waits this long before the next one.
DEFAULT_COMMAND_BACKOFF = 60.0
# A STOP accepted this long ago without the session ending may have been lost: a person may
# send it again (a limit never does).
STOP_RESEND_AFTER = 120.0
# Waits before sending a limit's STOP again after a failure (network, 5xx, 429, an odd answer);
# after the last, the repair issue. One schedule per session.
STOP_RETRY_DELAYS = (5.0, 15.0, 30.0)
# Then the limit keeps trying while the car charges past it, gently: these waits, then the last
# one again and again (a Retry-After longer than the wait is respected).
STOP_PERSIST_DELAYS = (60.0, 120.0, 300.0, 600.0)
# A START's session starts within this long (a charger may wait for the cable a few minutes);
# a session that starts later was started another way, and does not take START's limit.
START_CLAIM_WINDOW = timedelta(minutes=10)

type StopSender = str
"""Who asked for a STOP: "energy", "cost" or "battery" (a limit), or "user"."""
USER: StopSender = "user"


@dataclass(frozen=True, slots=True)
class AskedAutostop:
    """A START's autostop, until the session it started shows."""

    kwh: float
    asked_at: datetime
    previous_session_id: str | None
    """The latest session before START: not the one START started."""

    def started_in_time(self, session: Session, now: datetime) -> bool:
        """Whether a new session started (else: shows at `now`) soon enough to be START's."""
        started = session.start if session.start is not None else now
        return started <= self.asked_at + START_CLAIM_WINDOW


@dataclass(frozen=True, slots=True, kw_only=True)
class StartRequest:
    """What a START asks for; None: the default (the latest charger, the token, the limit)."""

    location_id: str | None = None
    evse_uid: str | None = None
    token_uid: str | None = None
    energy_limit: float | None = None


class ChargingControl:
    """Sends the account's commands, and remembers what was decided about each session."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        *,
        coordinator: EvnnovatorCoordinator,
        charger: ChargerStatusCoordinator,
        data: AccountData,
        meter: MeterTrack,
        energy_limit: Callable[[], float],
        changed: Callable[[], None],
    ) -> None:
        """Command through `coordinator`'s client; keep decisions in `data`'s book.

        `energy_limit` gives the Energy limit in force (START's default autostop); `changed`
        saves the account and redraws its entities.
        """
        self._hass = hass
        self._entry = entry
        self._coordinator = coordinator
        self._charger = charger
        self._data = data
        self._meter = meter
        self._energy_limit = energy_limit
        self._changed = changed
        self._gate = Backoff(DEFAULT_COMMAND_BACKOFF)
        self._sent: dict[str, SentStop] = {}
        """When the STOP of each session still running was accepted (for the latency)."""
        self._attempts: dict[str, int] = {}
        """Failed limit STOPs of each session: the retry schedule is the session's."""
        self._retry_at: dict[str, datetime] = {}
        self._asked_autostop: AskedAutostop | None = None
        self._refreshes: list[CALLBACK_TYPE] = []

    @property
    def _issue_id(self) -> str:
        return f"limit_stop_failed_{self._entry.entry_id}"

    # --- START -----------------------------------------------------------------------------

    async def async_start(self, request: StartRequest) -> dict[str, Any]:
        """Ask the operator to start a session, stopping by itself at the energy limit if any.

        That limit becomes the session's own: the limits plan our STOP for it too, since
        operators typically notice their autostop only at a meter value.

        Returns what was sent, defaults filled in. The token uid names the charging token the
        session is billed to; it is no API credential (it can neither read nor control the
        account), and the caller typed it or can read it in the options anyway.
        """
        location_id, evse_uid = _charge_point(
            self._coordinator.session, request.location_id, request.evse_uid
        )
        _refuse_if_not_remote_startable(await self._async_charger(location_id, evse_uid), evse_uid)
        # Without one given, the Energy limit entity's: the operator's stop backs up the limit's.
        energy_limit = request.energy_limit or self._energy_limit() or None
        previous = self._coordinator.session
        async with translated_errors(self._hass, self._entry):
            token_uid = request.token_uid or await self._async_token_uid(location_id)
            await self._coordinator.client.start_session(
                location_id=location_id,
                evse_uid=evse_uid,
                token_uid=token_uid,
                autostop_kwh=energy_limit,
            )
        if energy_limit is not None:
            self._asked_autostop = AskedAutostop(
                energy_limit, dt_util.utcnow(), None if previous is None else previous.id
            )
        # Look at once: the new session shows, and its status sets the pace of polling, without
        # waiting for the idle interval.
        await self._coordinator.async_request_refresh()
        return {
            "accepted": True,
            "location_id": location_id,
            "evse_uid": evse_uid,
            "token_uid": token_uid,
            "energy_limit": energy_limit,
        }

    async def _async_charger(self, location_id: str, evse_uid: str) -> Evse | None:
        """The EVSE to start, with its capabilities where the API lists them.

        The charger status poll's, when it watches that EVSE; else the location's, asked once
        per location (a failure of that call only means they stay unknown).
        """
        watched = self._charger.data
        if watched is not None and watched.uid is not None and _same(watched.uid, evse_uid):
            return watched
        location = await self._coordinator.sites.async_by_id(location_id)
        evses = () if location is None else location.evses
        return next((evse for evse in evses if evse.uid and _same(evse.uid, evse_uid)), None)

    async def async_start_idle(self) -> None:
        """START with every default (the Start charging button); refused while one runs."""
        session = self._coordinator.session
        if session is not None and session.is_running:
            raise ServiceValidationError(
                translation_domain=DOMAIN, translation_key="already_charging"
            )
        await self.async_start(StartRequest())

    async def _async_token_uid(self, location_id: str) -> str:
        """The option's token uid; else the driver's at that location, from the gateway once."""
        if option := self._entry.options.get(CONF_TOKEN_UID):
            return str(option)
        token_uids = self._data.token_uids
        if (known := token_uids.get(location_id)) is not None:
            return known
        uid = await self._coordinator.client.get_token_uid(self._coordinator.auth_id, location_id)
        token_uids[location_id] = uid
        self._changed()
        return uid

    # --- STOP ------------------------------------------------------------------------------

    def sent(self, session_id: str) -> bool:
        """Whether a STOP for this session was accepted (in this run or an earlier one)."""
        entry = self._data.book.entry(session_id)
        return session_id in self._sent or (entry is not None and entry.stop.sent)

    def stopping(self, session: Session) -> bool:
        """Whether the session runs on after an accepted STOP: the charger is stopping."""
        return session.is_running and self.sent(session.id)

    async def async_stop(self, session: Session, sender: StopSender) -> bool:
        """Send STOP for `session` unless one was accepted already; True if this one was.

        Raises the client's errors; a 429 also holds back every later command until its
        Retry-After has passed (raised at once, without a request, until then).
        """
        if self.sent(session.id) and not self._may_resend(session.id, sender):
            _LOGGER.debug("STOP for session %s was sent already", session.id)
            return False
        if (wait := self._gate.remaining) is not None:
            raise EvnnovatorRateLimitError(
                "the API asked to wait before the next command", retry_after=wait
            )
        try:
            await self._coordinator.client.stop_session(session.id)
        except EvnnovatorAuthenticationError:
            self._entry.async_start_reauth(self._hass)
            raise
        except EvnnovatorRateLimitError as err:
            self._gate.hold(err.retry_after)
            raise
        self._sent[session.id] = sent_stop(self._meter, session, dt_util.utcnow())
        self._data.book.mark_stop_sent(session.id, sender)
        self._schedule_refreshes()
        self._changed()
        return True

    async def async_stop_by_user(self) -> Session:
        """Stop the running session for a person (the button, the action).

        Returns the session as last read; raises a translated HomeAssistantError when nothing
        runs or the API refuses. A STOP already on its way is not sent again.
        """
        session = self._coordinator.session
        if session is None or not session.is_running:
            raise HomeAssistantError(translation_domain=DOMAIN, translation_key="not_charging")
        if self.sent(session.id) and not self._may_resend(session.id, USER):
            raise HomeAssistantError(translation_domain=DOMAIN, translation_key="already_stopping")
        async with translated_errors(self._hass, self._entry):
            await self.async_stop(session, USER)
        return session

    def _may_resend(self, session_id: str, sender: StopSender) -> bool:
        """A person may repeat a STOP that the operator seems to have lost."""
        if sender != USER:
            return False
        sent = self._sent.get(session_id)
        # Sent before a restart: when is unknown, and the session still runs.
        return sent is None or (dt_util.utcnow() - sent.at).total_seconds() >= STOP_RESEND_AFTER

    async def async_limit_stop(self, session: Session, limit: str) -> datetime | None:
        """Send a limit's STOP; after a failure, return when to try again.

        None once it went out, or was not needed (the session had ended).
        """
        try:
            sent = await self.async_stop(session, limit)
        except EvnnovatorCommandRejectedError:
            # The session already ended (or is ending) by itself: nothing left to stop.
            _LOGGER.info("The limit's STOP for session %s was rejected: it had ended", session.id)
        except EvnnovatorError as err:
            return self._retry_later(session, err, limit)
        else:
            if sent:
                _LOGGER.info("Stopped session %s at its %s limit", session.id, limit)
        self._attempts.pop(session.id, None)
        self._retry_at.pop(session.id, None)
        self._stop_failing(session.id)
        return None

    def retry_at(self, session_id: str) -> datetime | None:
        """When a limit's failed STOP of the session is due again, if one failed."""
        return self._retry_at.get(session_id)

    def failing(self, session_id: str) -> bool:
        """Whether the limit's STOP of the session kept failing (it is still tried)."""
        entry = self._data.book.entry(session_id)
        return entry is not None and entry.stop.failing

    def _retry_later(self, session: Session, err: EvnnovatorError, limit: str) -> datetime:
        """The next attempt's time; past the quick retries, the user is told, once."""
        attempt = self._attempts.get(session.id, 0)
        if not isinstance(err, EvnnovatorConnectionError | EvnnovatorRateLimitError):
            # Refused credentials or an answer it cannot read: no quick retry will pass, the
            # user is told at once; the long schedule still tries (after a re-authentication).
            attempt = max(attempt, len(STOP_RETRY_DELAYS))
        if attempt < len(STOP_RETRY_DELAYS):
            delay = STOP_RETRY_DELAYS[attempt]
        else:
            step = min(attempt - len(STOP_RETRY_DELAYS), len(STOP_PERSIST_DELAYS) - 1)
            delay = STOP_PERSIST_DELAYS[step]
            self._start_failing(session, err, limit)
        if isinstance(err, EvnnovatorRateLimitError) and err.retry_after is not None:
            delay = max(delay, err.retry_after)
        self._attempts[session.id] = attempt + 1
        retry_at = self._retry_at[session.id] = dt_util.utcnow() + timedelta(seconds=delay)
        _LOGGER.debug("Could not stop at the limit (%s); again in %g s", err, delay)
        return retry_at

    def _start_failing(self, session: Session, err: EvnnovatorError, limit: str) -> None:
        """The car charges past its limit: say so, once, and keep it across restarts."""
        if not self._data.book.note_stop_failing(session.id, failing=True):
            return
        _LOGGER.error(
            "Could not stop the charging session at its limit: %s; trying again, less and less "
            "often, while it charges",
            err,
        )
        ir.async_create_issue(
            self._hass,
            DOMAIN,
            self._issue_id,
            is_fixable=False,
            severity=ir.IssueSeverity.ERROR,
            translation_key="limit_stop_failed",
            translation_placeholders={
                "account": self._entry.title,
                "limit": self._limit_text(session, limit),
                "error": str(err),
            },
        )
        self._changed()

    def _limit_text(self, session: Session, limit: str) -> str:
        """The limit in force, e.g. "10 kWh" or "500 INR" (language-neutral: numbers, units)."""
        entry = self._data.book.entry(session.id)
        if entry is not None and limit == "energy" and entry.stop_energy is not None:
            return f"{entry.stop_energy:g} kWh"
        if entry is not None and limit == "cost" and entry.cost_limit is not None:
            return f"{entry.cost_limit:g} {session.currency or ''}".strip()
        if entry is not None and limit == "battery" and entry.battery_limit is not None:
            return f"{entry.battery_limit:g} %"
        return limit

    def _stop_failing(self, session_id: str) -> None:
        """Stopped, by the limit or by hand, or ended: the user need not act any more."""
        if self._data.book.note_stop_failing(session_id, failing=False):
            ir.async_delete_issue(self._hass, DOMAIN, self._issue_id)
            self._changed()

    # --- Following the session -------------------------------------------------------------

    @callback
    def follow(self, session: Session | None) -> bool:
        """Take in the latest session; True when its end taught the operator's stop latency.

        The autostop of a START shows in the new session's book entry, its own limit; a limit's
        failing STOP is no longer the user's to act on once the session was stopped or ended;
        the quick refreshes after a STOP end with the session.
        """
        if session is None or not session.is_running:
            self._cancel_refreshes()
        if session is None:
            return False
        self._note_autostop(session)
        if not session.is_running or self.sent(session.id):
            self._stop_failing(session.id)
        return self._learn_from(session)

    def _note_autostop(self, session: Session) -> None:
        """The first new running session after a START takes its autostop, if it is START's.

        Never another's: a START the charger never carried out must not limit the next
        session, started with the car or the driver's app days later.
        """
        asked = self._asked_autostop
        if asked is None or not session.is_running or session.id == asked.previous_session_id:
            return
        self._asked_autostop = None
        if not asked.started_in_time(session, dt_util.utcnow()):
            _LOGGER.debug("Session %s started too long after START for its limit", session.id)
            return
        if self._data.book.note_autostop(session.id, asked.kwh):
            self._changed()

    def _learn_from(self, session: Session) -> bool:
        """Once a session we stopped has ended, learn how long the charger took; True if so."""
        if session.is_running:
            return False
        sent = self._sent.pop(session.id, None)
        latency = None if sent is None else observed_latency(sent, session)
        if latency is None:
            return False
        operator = self._data.operator
        operator.learn_latency(latency)
        _LOGGER.debug(
            "The operator stopped %.1f s after STOP; planning with %.1f s from now on",
            latency,
            operator.latency,
        )
        return True

    @callback
    def _schedule_refreshes(self) -> None:
        """After an accepted STOP, look quickly and then less so until the session has stopped."""
        self._cancel_refreshes()
        self._refreshes = [
            async_call_later(self._hass, delay, self._async_refresh)
            for delay in STOP_REFRESH_DELAYS
        ]

    async def _async_refresh(self, _now: datetime) -> None:
        await self._coordinator.async_refresh()

    @callback
    def cancel(self) -> None:
        """Cancel the quick refreshes after a STOP (the entry unloads, Home Assistant stops)."""
        self._cancel_refreshes()

    @callback
    def _cancel_refreshes(self) -> None:
        for cancel in self._refreshes:
            cancel()
        self._refreshes = []


def _required(value: str | None, field: str) -> str:
    """`value`, or a translated error that says that `field` has neither a value nor a default."""
    if not value:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="no_charge_point",
            translation_placeholders={"field": field},
        )
    return value


def _charge_point(
    latest: Session | None, location_id: str | None, evse_uid: str | None
) -> tuple[str, str]:
    """The location and EVSE to start at: as given, else the last used ones.

    The last used EVSE is taken only at its own location: it never fits another one, and
    the operator would reject the pair without saying why.
    """
    last_location = latest.location.id if latest is not None and latest.location else None
    last_evse = latest.evse.uid if latest is not None and latest.evse else None
    location_id = _required(location_id or last_location, "location_id")
    evse_uid = _required(
        evse_uid or (last_evse if location_id == last_location else None), "evse_uid"
    )
    return location_id, evse_uid


def _same(uid: str, other: str) -> bool:
    """Whether two EVSE uids name the same EVSE (the API cases them differently)."""
    return uid.casefold() == other.casefold()


def _refuse_if_not_remote_startable(evse: Evse | None, evse_uid: str) -> None:
    """Refuse up front an EVSE the API lists capabilities for, without remote start."""
    if evse is not None and evse.remote_start_refused:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="not_remote_startable",
            translation_placeholders={"charger": evse.evse_id or evse_uid},
        )
