"""Stops a charging session at an energy or cost limit, at the moment it is reached.

Waiting for the poll that sees the limit crossed would overshoot by up to a poll interval's
worth of energy. Instead, each update measures the charging rate, predicts when the limit will
be crossed, and schedules the STOP for that moment less the time the operator takes to stop
(learned from earlier stops); as the moment nears it polls more often to sharpen the guess.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
import logging
from typing import TYPE_CHECKING

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.event import async_call_later
from homeassistant.util import dt as dt_util

from .api import (
    EvnnovatorCommandRejectedError,
    EvnnovatorConnectionError,
    EvnnovatorError,
    EvnnovatorRateLimitError,
    Session,
)
from .const import DOMAIN

if TYPE_CHECKING:
    from .coordinator import EvnnovatorCoordinator
    from .data import EvnnovatorConfigEntry
    from .tracker import SessionTracker

_LOGGER = logging.getLogger(__name__)

# Waits before sending a STOP again after a failure that may pass (network, 5xx, 429).
STOP_RETRY_DELAYS = (5.0, 15.0, 30.0)
# Closer than this to the moment, one more refresh would not arrive in time to matter.
MIN_REFRESH_LEAD = 4.0
# Two readings closer in time than this say more about rounding than about the rate.
MIN_RATE_SPAN = 10.0
# How much of a new latency sample goes into the learned command latency.
LATENCY_WEIGHT = 0.5
MAX_LATENCY = 120.0
# When the operator was asked to stop by itself, our STOP is only the fallback: it waits this
# long past the predicted crossing, so that the operator's exact stop comes first.
SERVER_AUTOSTOP_GRACE = 30.0


@dataclass(frozen=True)
class _Reading:
    session_id: str
    at: datetime
    kwh: float


class LimitController:
    """Holds the account's limits and enforces them on the running session."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: EvnnovatorConfigEntry,
        coordinator: EvnnovatorCoordinator,
        tracker: SessionTracker,
    ) -> None:
        """Start with no limits: the number entities restore them."""
        self._hass = hass
        self._entry = entry
        self._coordinator = coordinator
        self._tracker = tracker
        self.energy_limit = 0.0
        self.cost_limit = 0.0
        self.command_latency = 0.0
        """Seconds from an accepted STOP until the charger stops, learned from our stops."""
        self._latency_learned = False
        self._previous: _Reading | None = None
        self._rate_kw: float | None = None
        self._stop_timer: CALLBACK_TYPE | None = None
        self._refresh_timer: CALLBACK_TYPE | None = None
        self._stop_sent_at: tuple[str, datetime] | None = None
        self._attempt = 0
        self._retry_at: datetime | None = None
        self._stopping = False
        self._expected_autostop: float | None = None
        self._evaluated_session: str | None = None

    @callback
    def async_start(self) -> None:
        """Follow the coordinator's updates until the entry unloads."""
        self._entry.async_on_unload(self._coordinator.async_add_listener(self._evaluate))
        self._entry.async_on_unload(self._cancel_timers)

    @callback
    def set_limits(self, *, energy: float | None = None, cost: float | None = None) -> None:
        """Change a limit (0 is off) and apply it to the running session at once."""
        if energy is not None:
            self.energy_limit = energy
        if cost is not None:
            self.cost_limit = cost
        self._evaluate()

    @callback
    def expect_server_autostop(self, kwh: float) -> None:
        """A START with an autostop was accepted: the next new session stops by itself."""
        self._expected_autostop = kwh

    @callback
    def _evaluate(self) -> None:
        """Decide, from the latest data, when the running session must be stopped."""
        if not self._coordinator.last_update_success:
            return  # a failed update tells nothing new: what was planned from the last one stands
        self._cancel_timers()
        session = self._coordinator.data
        if session is None:
            return
        self._learn_latency(session)
        self._measure_rate(session)
        record = self._tracker.record(session.id)
        if session.id != self._evaluated_session:
            # Another session: retries of the last one's STOP don't carry over.
            self._evaluated_session = session.id
            self._attempt, self._retry_at = 0, None
            if self._expected_autostop is not None and record is not None and session.is_running:
                self._tracker.note_server_autostop(session.id, self._expected_autostop)
                self._expected_autostop = None
        if not session.is_charging or record is None or record.limit_stop_sent:
            return
        self._tracker.note_energy_limit(session.id, self.energy_limit or None)
        seconds = self._seconds_to_limit(session)
        if seconds is None:
            return
        if record.server_autostop is not None:
            send_in = seconds + SERVER_AUTOSTOP_GRACE
        else:
            send_in = seconds - self.command_latency
        if self._retry_at is not None:
            # A STOP that failed goes out again on its own schedule, not at the next update.
            send_in = max(send_in, (self._retry_at - dt_util.utcnow()).total_seconds())
        if send_in <= 0:
            self._hass.async_create_task(self._async_stop(session), eager_start=True)
            return
        self._stop_timer = async_call_later(self._hass, send_in, self._async_stop_due)
        # Poll again halfway there, to stop on a fresh reading rather than an old guess.
        lead = send_in / 2
        interval = self._coordinator.update_interval
        if lead >= MIN_REFRESH_LEAD and (interval is None or lead < interval.total_seconds()):
            self._refresh_timer = async_call_later(self._hass, lead, self._async_refresh_due)

    def _measure_rate(self, session: Session) -> None:
        """The charging rate between the two latest readings of the same session."""
        if session.kwh is None:
            return
        now = self._coordinator.last_fetch
        previous = self._previous
        if previous is None or previous.session_id != session.id:
            self._previous, self._rate_kw = _Reading(session.id, now, session.kwh), None
            return
        span = (now - previous.at).total_seconds()
        if span < MIN_RATE_SPAN:
            return
        if session.kwh > previous.kwh:
            self._rate_kw = (session.kwh - previous.kwh) / (span / 3600)
        self._previous = _Reading(session.id, now, session.kwh)

    def _power_kw(self, session: Session) -> float | None:
        """The measured rate, or before there is one the session's average."""
        if self._rate_kw is not None:
            return self._rate_kw
        return session.average_power_kw(self._coordinator.last_fetch)

    def _seconds_to_limit(self, session: Session) -> float | None:
        """Seconds from the last reading until the first limit is reached; None if none is set."""
        remaining_kwh: list[float] = []
        if self.energy_limit > 0 and session.kwh is not None:
            remaining_kwh.append(self.energy_limit - session.kwh)
        if self.cost_limit > 0 and session.total_cost is not None:
            if session.total_cost >= self.cost_limit:
                remaining_kwh.append(0.0)
            elif session.kwh:
                price = session.total_cost / session.kwh
                remaining_kwh.append((self.cost_limit - session.total_cost) / price)
        if not remaining_kwh:
            return None
        remaining = min(remaining_kwh)
        if remaining <= 0:
            return 0.0
        power = self._power_kw(session)
        if not power:
            return None
        elapsed = (dt_util.utcnow() - self._coordinator.last_fetch).total_seconds()
        return remaining / power * 3600 - elapsed

    async def _async_stop_due(self, _now: datetime) -> None:
        self._stop_timer = None
        session = self._coordinator.data
        if session is not None and session.is_charging:
            await self._async_stop(session)

    async def _async_refresh_due(self, _now: datetime) -> None:
        self._refresh_timer = None
        await self._coordinator.async_refresh()

    async def _async_stop(self, session: Session) -> None:
        """Send the limit's STOP once; retry what may pass; tell the user if it keeps failing."""
        if self._stopping:  # a timer and an update may both find the moment has come
            return
        record = self._tracker.record(session.id)
        if record is not None and record.limit_stop_sent:  # planned while it was on its way
            return
        self._stopping = True
        try:
            await self._async_send_limit_stop(session)
        finally:
            self._stopping = False

    async def _async_send_limit_stop(self, session: Session) -> None:
        issue_id = f"limit_stop_failed_{self._entry.entry_id}"
        try:
            await self._coordinator.async_send_stop(session)
        except EvnnovatorCommandRejectedError:
            # The session already ended (or is ending) by itself: nothing left to stop.
            _LOGGER.info("The limit's STOP for session %s was rejected: it had ended", session.id)
        except (EvnnovatorConnectionError, EvnnovatorRateLimitError) as err:
            if self._attempt < len(STOP_RETRY_DELAYS):
                delay = STOP_RETRY_DELAYS[self._attempt]
                self._attempt += 1
                self._retry_at = dt_util.utcnow() + timedelta(seconds=delay)
                _LOGGER.warning("Could not stop at the limit (%s); again in %g s", err, delay)
                self._stop_timer = async_call_later(self._hass, delay, self._async_stop_due)
            else:
                self._report_failure(issue_id, err)
            return
        except EvnnovatorError as err:
            self._report_failure(issue_id, err)
            return
        else:
            self._stop_sent_at = (session.id, dt_util.utcnow())
            _LOGGER.info("Stopped session %s at its limit", session.id)
        self._attempt, self._retry_at = 0, None
        self._tracker.note_limit_stop_sent(session.id)
        ir.async_delete_issue(self._hass, DOMAIN, issue_id)

    def _report_failure(self, issue_id: str, err: EvnnovatorError) -> None:
        self._attempt, self._retry_at = 0, None
        _LOGGER.error("Could not stop the charging session at its limit: %s", err)
        ir.async_create_issue(
            self._hass,
            DOMAIN,
            issue_id,
            is_fixable=False,
            severity=ir.IssueSeverity.ERROR,
            translation_key="limit_stop_failed",
            translation_placeholders={"account": self._entry.title, "error": str(err)},
        )

    def _learn_latency(self, session: Session) -> None:
        """Once a session we stopped has ended, learn how long the operator took."""
        if self._stop_sent_at is None or session.is_running:
            return
        session_id, sent_at = self._stop_sent_at
        self._stop_sent_at = None
        if session.id != session_id or session.end is None:
            return
        sample = min(max((session.end - sent_at).total_seconds(), 0.0), MAX_LATENCY)
        if self._latency_learned:
            self.command_latency += LATENCY_WEIGHT * (sample - self.command_latency)
        else:  # the first sample is all there is to know: not to be averaged with a guess
            self.command_latency, self._latency_learned = sample, True
        _LOGGER.debug(
            "The operator stopped %.1f s after STOP; expecting %.1f s from now on",
            sample,
            self.command_latency,
        )

    @callback
    def _cancel_timers(self) -> None:
        for timer in (self._stop_timer, self._refresh_timer):
            if timer is not None:
                timer()
        self._stop_timer = self._refresh_timer = None
