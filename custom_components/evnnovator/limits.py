"""Stops a charging session at an energy or cost limit, at the moment it is reached.

Waiting for the poll that sees the limit crossed would overshoot by up to a meter interval's
worth of energy. Instead each update plans the STOP (forecast.plan_stop: from the meter value's
own time, at the measured rate, less the operator's learned stop latency), polls once more when
a fresher meter value will arrive in time to sharpen the plan, and sends the STOP on time.
"""

from __future__ import annotations

from dataclasses import replace
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
)
from .const import DOMAIN
from .forecast import Limits, StopPlan, plan_stop

if TYPE_CHECKING:
    from collections.abc import Callable

    from homeassistant.config_entries import ConfigEntry

    from .api import Session
    from .coordinator import EvnnovatorCoordinator
    from .forecast import MeterTrack
    from .ledger import SessionRecord
    from .stopping import StopCommands
    from .tracker import SessionTracker

_LOGGER = logging.getLogger(__name__)

# Waits before sending a STOP again after a failure that may pass (network, 5xx, 429); after
# the last, the repair issue. One schedule per session.
STOP_RETRY_DELAYS = (5.0, 15.0, 30.0)
# Closer than this to the moment, one more refresh would not arrive in time to matter.
MIN_REFRESH_LEAD = 4.0
# What the planned stop names when the operator stops by itself (START's autostop).
AUTOSTOP = "autostop"


class LimitController:
    """Holds the account's limits and enforces them on the running session."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        coordinator: EvnnovatorCoordinator,
        tracker: SessionTracker,
        stops: StopCommands,
        *,
        energy_price: Callable[[str | None], float | None],
    ) -> None:
        """Start with no limits: the number entities restore them.

        `energy_price` gives the tariff's price per kWh in a currency, where known: it prices
        the cost limit before the session shows its own cost per kWh.
        """
        self._hass = hass
        self._entry = entry
        self._coordinator = coordinator
        self._tracker = tracker
        self._stops = stops
        self._energy_price = energy_price
        self.limits = Limits()
        self.plan: StopPlan | None = None
        """The STOP planned for the running session, if a limit is set and the rate known."""
        self.armed: StopPlan | None = None
        """What will stop the running session: the plan, else the operator's autostop."""
        self._expected_autostop: float | None = None
        self._session: Session | None = None
        self._stop_timer: CALLBACK_TYPE | None = None
        self._refresh_timer: CALLBACK_TYPE | None = None
        self._attempts: dict[str, int] = {}
        """Failed STOPs of each session: the retry schedule is the session's, not the poll's."""
        self._retry_at: datetime | None = None
        self._given_up: set[str] = set()
        self._stopping = False
        self._meter: MeterTrack | None = None
        entry.async_on_unload(self._cancel_timers)

    @property
    def _issue_id(self) -> str:
        return f"limit_stop_failed_{self._entry.entry_id}"

    @property
    def energy_limit(self) -> float:
        """KWh at which to stop; 0 is off."""
        return self.limits.energy_kwh

    @property
    def cost_limit(self) -> float:
        """Cost at which to stop; 0 is off."""
        return self.limits.cost

    @callback
    def set_limits(self, *, energy: float | None = None, cost: float | None = None) -> None:
        """Change a limit (0 is off) and apply it to the running session at once."""
        self.limits = Limits(
            energy_kwh=self.limits.energy_kwh if energy is None else energy,
            cost=self.limits.cost if cost is None else cost,
        )
        if self._session is not None and self._meter is not None:
            self.evaluate(self._session, self._tracker.record(self._session.id), self._meter)
            self._coordinator.async_update_listeners()  # the planned stop shows at once

    @callback
    def expect_autostop(self, kwh: float) -> None:
        """A START with an autostop was accepted: the next new session stops by itself there."""
        self._expected_autostop = kwh

    @callback
    def evaluate(self, session: Session, record: SessionRecord | None, meter: MeterTrack) -> None:
        """Plan, from a new reading, when the running session must be stopped."""
        self._cancel_timers()
        self._session, self._meter, self.plan, self.armed = session, meter, None, None
        if self._expected_autostop is not None and record is not None and session.is_running:
            self._tracker.amend(session.id, autostop=self._expected_autostop)
            self._expected_autostop = None
        if session.id in self._given_up and (
            not session.is_running or self._stops.sent(session.id)
        ):
            # Stopped by hand, or ended: the user need not act any more.
            self._given_up.discard(session.id)
            ir.async_delete_issue(self._hass, DOMAIN, self._issue_id)
        if (
            not session.is_charging
            or record is None
            or self._stops.sent(session.id)
            or session.id in self._given_up
        ):
            return
        self._tracker.amend(
            session.id,
            energy_limit=self.limits.energy_kwh or None,
            cost_limit=self.limits.cost or None,
        )
        reading = meter.latest
        if reading is None or reading.session_id != session.id:
            return
        rate = meter.rate_kw(session.start)
        plan = plan_stop(
            reading,
            rate,
            replace(self.limits, price_per_kwh=self._energy_price(session.currency)),
            self._tracker.operator.latency,
        )
        if plan is None:
            if record.autostop is not None:  # the operator's own stop: nothing for us to send
                autostop = plan_stop(reading, rate, Limits(energy_kwh=record.autostop), 0.0)
                self.armed = None if autostop is None else replace(autostop, limit=AUTOSTOP)
            return
        self.plan = self.armed = plan
        now = dt_util.utcnow()
        send_at = plan.send_at
        if self._retry_at is not None and self._attempts.get(session.id):
            send_at = max(send_at, self._retry_at)  # a failed STOP goes out on its own schedule
        send_in = (send_at - now).total_seconds()
        if send_in <= 0:
            self._hass.async_create_task(self._async_stop(session, plan), eager_start=True)
            return
        self._stop_timer = async_call_later(self._hass, send_in, self._async_stop_due)
        self._schedule_refresh(meter, now, send_at)

    def _schedule_refresh(self, meter: MeterTrack, now: datetime, send_at: datetime) -> None:
        """Poll when the next meter value is due, if that comes before the STOP.

        Only when the STOP would go out before the next regular poll: else that poll sharpens
        its moment.
        """
        due = meter.next_sample_at(now)
        if due is None:
            return
        lead = timedelta(seconds=MIN_REFRESH_LEAD)
        next_poll = self._coordinator.next_poll_at
        if due < send_at - lead and due < next_poll - lead and send_at < next_poll + lead:
            self._refresh_timer = async_call_later(
                self._hass, (due - now).total_seconds(), self._async_refresh_due
            )

    async def _async_stop_due(self, _now: datetime) -> None:
        self._stop_timer = None
        session, plan = self._session, self.plan
        if session is not None and plan is not None and session.is_charging:
            await self._async_stop(session, plan)

    async def _async_refresh_due(self, _now: datetime) -> None:
        self._refresh_timer = None
        await self._coordinator.async_refresh()

    async def _async_stop(self, session: Session, plan: StopPlan) -> None:
        """Send the limit's STOP; retry what may pass; tell the user if it keeps failing."""
        if self._stopping:  # a timer and an update may both find the moment has come
            return
        self._stopping = True
        try:
            await self._async_send_limit_stop(session, plan)
        finally:
            self._stopping = False

    async def _async_send_limit_stop(self, session: Session, plan: StopPlan) -> None:
        issue_id = self._issue_id
        try:
            sent = await self._stops.async_stop(session, plan.limit)
        except EvnnovatorCommandRejectedError:
            # The session already ended (or is ending) by itself: nothing left to stop.
            _LOGGER.info("The limit's STOP for session %s was rejected: it had ended", session.id)
        except (EvnnovatorConnectionError, EvnnovatorRateLimitError) as err:
            self._retry_or_give_up(session, issue_id, err)
            return
        except EvnnovatorError as err:
            self._give_up(session, issue_id, err)
            return
        else:
            if sent:
                _LOGGER.info("Stopped session %s at its %s limit", session.id, plan.limit)
        self._attempts.pop(session.id, None)
        self._retry_at = None
        ir.async_delete_issue(self._hass, DOMAIN, issue_id)

    def _retry_or_give_up(self, session: Session, issue_id: str, err: EvnnovatorError) -> None:
        attempt = self._attempts.get(session.id, 0)
        if attempt >= len(STOP_RETRY_DELAYS):
            self._give_up(session, issue_id, err)
            return
        delay = STOP_RETRY_DELAYS[attempt]
        if isinstance(err, EvnnovatorRateLimitError) and err.retry_after is not None:
            delay = max(delay, err.retry_after)
        self._attempts[session.id] = attempt + 1
        self._retry_at = dt_util.utcnow() + timedelta(seconds=delay)
        _LOGGER.debug("Could not stop at the limit (%s); again in %g s", err, delay)
        self._cancel_timers()
        self._stop_timer = async_call_later(self._hass, delay, self._async_stop_due)

    def _give_up(self, session: Session, issue_id: str, err: EvnnovatorError) -> None:
        """No more automatic STOPs for this session: the user is told, once."""
        self._attempts.pop(session.id, None)
        self._retry_at = None
        self._given_up.add(session.id)
        self._coordinator.async_update_listeners()
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

    @property
    def failed(self) -> bool:
        """Whether the limit's STOP of the running session kept failing."""
        return self._session is not None and self._session.id in self._given_up

    @callback
    def _cancel_timers(self) -> None:
        for timer in (self._stop_timer, self._refresh_timer):
            if timer is not None:
                timer()
        self._stop_timer = self._refresh_timer = None
