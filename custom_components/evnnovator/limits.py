"""Stops a charging session at an energy or cost limit, at the moment it is reached.

The energy limit is the first reached of the Energy limit entity's and the session's own (the
energy it was started with, which the operator was asked to stop at by itself). The Battery
limit is an energy limit too: the energy at which the car's battery reaches it (car_battery.py).
The cost limit counts before tax, as the session's running cost does, or with the option with
tax: the session's cost and price per kWh times the tax ratio (the session's own, else the
latest bill's); without a ratio yet, it counts before tax, and the plan says so.

Waiting for the poll that sees the limit crossed would overshoot by up to a meter interval's
worth of energy. Instead each reading plans the STOP (forecast.plan_stop: from the meter value's
own time, at the measured rate, less the operator's learned stop latency), polls once more when
a fresher meter value will arrive in time to sharpen the plan, and has the control room send
the STOP on time. This holds the limits, the plan and its two timers; what a STOP does, and
its retries, is the control room's.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from homeassistant.core import CALLBACK_TYPE, callback
from homeassistant.helpers.event import async_call_later
from homeassistant.util import dt as dt_util

from .forecast import Limits, StopPlan, plan_stop

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from homeassistant.core import HomeAssistant

    from .api import Session
    from .battery import BatteryStatus
    from .car_battery import CarBattery
    from .control import ChargingControl
    from .forecast import MeterTrack, OperatorModel
    from .store import AccountData

# Closer than this to the moment, one more refresh would not arrive in time to matter.
MIN_REFRESH_LEAD = 4.0
# A forecast that moves by seconds is not news (each change is an Activity entry): the moment
# shown moves only when the forecast does by this much, or names another limit.
STEADY_SHOWN = timedelta(minutes=1)


def steady(shown: StopPlan | None, new: StopPlan | None) -> StopPlan | None:
    """The plan to show: `new`, with the moment shown before while it moved by less."""
    if new is None or shown is None or shown.limit != new.limit:
        return new
    if abs(new.crossing_at - shown.crossing_at) < STEADY_SHOWN:
        return replace(new, crossing_at=shown.crossing_at)
    return new


class LimitController:
    """Holds the account's limits and enforces them on the running session."""

    def __init__(
        self,
        hass: HomeAssistant,
        *,
        control: ChargingControl,
        data: AccountData,
        meter: MeterTrack,
        energy_price: Callable[[str | None], float | None],
        next_poll_at: Callable[[], datetime],
        refresh: Callable[[], Awaitable[None]],
        save: Callable[[], None],
        redraw: Callable[[], None],
        battery: CarBattery,
        cost_with_tax: bool = False,
    ) -> None:
        """Start with no limits: the number entities restore them before the first plan.

        `energy_price` gives the tariff's price per kWh in a currency, where known: it prices
        the cost limit before the session shows its own cost per kWh. `save` keeps the limits
        noted in the book; `redraw` shows a new plan; `battery` tells the energy at which the
        car's battery reaches the Battery limit. `cost_with_tax`: the cost limit is an amount
        with tax.
        """
        self._hass = hass
        self._control = control
        self._data = data
        self._meter = meter
        self._energy_price = energy_price
        self._next_poll_at = next_poll_at
        self._refresh = refresh
        self._save = save
        self._redraw = redraw
        self._cost_with_tax = cost_with_tax
        self._battery = battery
        self.limits = Limits()
        self.ready = False
        """Whether the limits were restored: until then nothing is planned nor noted."""
        self.plan: StopPlan | None = None
        """The STOP planned for the running session, if a limit is set and the rate known."""
        self.armed: StopPlan | None = None
        """What will stop the running session, as shown: the plan, its moment steady to the
        minute (see `steady`)."""
        self.tax_ratio: float | None = None
        """The tax ratio the cost limit of the plan counts with; None: before tax."""
        self.battery_status: BatteryStatus | None = None
        """What the Battery limit plans with, while it is set and the session charges."""
        self._session: Session | None = None
        self._stop_timer: CALLBACK_TYPE | None = None
        self._refresh_timer: CALLBACK_TYPE | None = None
        self._stopping = False

    @property
    def energy_limit(self) -> float:
        """KWh at which to stop; 0 is off."""
        return self.limits.energy_kwh

    @property
    def cost_limit(self) -> float:
        """Cost at which to stop; 0 is off."""
        return self.limits.cost

    @property
    def _operator(self) -> OperatorModel:
        return self._data.operator

    @property
    def battery_limit(self) -> float:
        """Percent of battery at which to stop; 0 is off."""
        return self.limits.battery_percent

    def cost_tax_ratio(self, session: Session) -> float | None:
        """The tax ratio the cost limit counts `session`'s cost with; None: before tax.

        With the option, the book's ratio once one is known; the completion event says by it
        whether the session's cost limit counted with tax.
        """
        return self._data.book.tax_ratio(session) if self._cost_with_tax else None

    @callback
    def set_limits(
        self,
        *,
        energy: float | None = None,
        cost: float | None = None,
        battery: float | None = None,
    ) -> None:
        """Change a limit (0 is off) and apply it to the running session at once."""
        self.limits = Limits(
            energy_kwh=self.limits.energy_kwh if energy is None else energy,
            cost=self.limits.cost if cost is None else cost,
            battery_percent=self.limits.battery_percent if battery is None else battery,
        )
        self.replan()
        self._redraw()  # the limit and its planned stop show at once

    @callback
    def start(self) -> None:
        """The limits are restored: plan from the latest reading."""
        self.ready = True
        self.replan()

    @callback
    def replan(self) -> bool:
        """Plan again from the latest reading (a limit or the price changed); True if planned."""
        if self._session is None:
            return False
        self.evaluate(self._session)
        return True

    @callback
    def evaluate(self, session: Session) -> None:
        """Plan, from a new reading, when the running session must be stopped."""
        self._cancel_timers()
        shown = self.armed if self._session is not None and self._session.id == session.id else None
        self._session, self.plan, self.armed, self.tax_ratio = session, None, None, None
        self.battery_status = None
        control = self._control
        entry = self._data.book.entry(session.id)
        if not self.ready or not session.is_charging or entry is None or control.sent(session.id):
            return
        if self._data.book.note_limits(
            session.id,
            energy=self.limits.energy_kwh or None,
            cost=self.limits.cost or None,
            battery=self.limits.battery_percent or None,
        ):
            self._save()
        meter = self._meter
        reading = meter.latest
        if reading is None or reading.session_id != session.id:
            return
        ratio = self.cost_tax_ratio(session)
        battery_kwh = None
        if self.limits.battery_percent > 0:
            battery_kwh = self._battery.energy_at(session, self.limits.battery_percent)
            self.battery_status = self._battery.status(session, dt_util.utcnow())
        # The session's own limit (START's) counts as the Energy limit does: our STOP goes out
        # before the operator's autostop, which notices it only at a meter value. The session's
        # cost and its price per kWh are before tax: a limit with tax is reached when the cost
        # before tax reaches the limit over the ratio.
        plan = plan_stop(
            reading,
            meter.rate_kw(session.start),
            replace(
                self.limits,
                energy_kwh=entry.stop_energy or 0.0,
                cost=self.limits.cost / (ratio or 1.0),
                price_per_kwh=self._energy_price(session.currency),
                battery_kwh=battery_kwh,
            ),
            self._operator.latency,
        )
        if plan is None:
            return
        self.plan, self.armed, self.tax_ratio = plan, steady(shown, plan), ratio
        now = dt_util.utcnow()
        send_at = plan.send_at
        if (retry_at := control.retry_at(session.id)) is not None:
            send_at = max(send_at, retry_at)  # a failed STOP goes out on its own schedule
        send_in = (send_at - now).total_seconds()
        if send_in <= 0:
            self._hass.async_create_task(self._async_stop(session, plan), eager_start=True)
            return
        self._stop_timer = async_call_later(self._hass, send_in, self._async_stop_due)
        self._schedule_refresh(now, send_at)

    def _schedule_refresh(self, now: datetime, send_at: datetime) -> None:
        """Poll when the next meter value is due, if that comes before the STOP.

        Only when the STOP would go out before the next regular poll: else that poll sharpens
        its moment.
        """
        due = self._meter.next_sample_at(now)
        if due is None:
            return
        lead = timedelta(seconds=MIN_REFRESH_LEAD)
        next_poll = self._next_poll_at()
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
        await self._refresh()

    async def _async_stop(self, session: Session, plan: StopPlan) -> None:
        """Have the limit's STOP sent; when it failed in a way that may pass, try again later."""
        if self._stopping:  # a timer and a reading may both find the moment has come
            return
        self._stopping = True
        try:
            retry_at = await self._control.async_limit_stop(session, plan.limit)
        finally:
            self._stopping = False
        if retry_at is not None:
            self._cancel_timers()
            delay = (retry_at - dt_util.utcnow()).total_seconds()
            self._stop_timer = async_call_later(self._hass, delay, self._async_stop_due)

    @property
    def failed(self) -> bool:
        """Whether the limit's STOP of the running session keeps failing."""
        return self._session is not None and self._control.failing(self._session.id)

    @callback
    def cancel(self) -> None:
        """Cancel the STOP and refresh timers (the entry unloads, Home Assistant stops)."""
        self._cancel_timers()

    @callback
    def _cancel_timers(self) -> None:
        for timer in (self._stop_timer, self._refresh_timer):
            if timer is not None:
                timer()
        self._stop_timer = self._refresh_timer = None
