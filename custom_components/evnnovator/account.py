"""One driver account at run time: its parts, and the one order in which a reading reaches them.

The account owns what is kept (the book, the operator model, the token uids: one Store) and
the parts that act on it. The coordinator only polls: each new reading comes here inside the
poll (`take`), is decided in the order written there, and the entities then read one frozen
view (`view`). A command, a limit or a bill that changes something between polls saves the
account and redraws the entities (`_changed`); none of them decides anything for the others.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from homeassistant.const import EVENT_HOMEASSISTANT_STOP
from homeassistant.core import Event, callback
from homeassistant.util import dt as dt_util

from .billing import SessionBilling
from .book import Bill
from .car_battery import CarBattery
from .charger import ChargerStatusCoordinator
from .const import (
    CONF_BATTERY_SENSOR,
    CONF_CHARGING_INTERVAL,
    CONF_COST_LIMIT_WITH_TAX,
    CONF_IDLE_INTERVAL,
    DEFAULT_CHARGING_INTERVAL,
    DEFAULT_IDLE_INTERVAL,
)
from .control import ChargingControl
from .coordinator import EvnnovatorCoordinator
from .currency import CurrencyCheck
from .device import async_register_account_device
from .events import SessionEvents
from .forecast import MeterTrack
from .limits import LimitController
from .price import TariffCoordinator
from .statistics import HourlyStatistics
from .store import AccountStore
from .view import AccountView

if TYPE_CHECKING:
    from homeassistant.config_entries import ConfigEntry
    from homeassistant.core import HomeAssistant

    from .api import ChargeDetailRecord, EvnnovatorClient, Session
    from .book import Change
    from .forecast import Reading
    from .store import AccountData

# A decision about a session is written soon; what is learned of the operator changes with every
# meter value: written at most this often.
SAVE_DELAY = 1.0
LEARNED_SAVE_DELAY = 60.0


class Account:
    """The parts of one driver account, and what it decides from each reading."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        client: EvnnovatorClient,
        *,
        store: AccountStore,
        data: AccountData,
    ) -> None:
        """Wire the parts around what earlier runs kept (`data`, loaded from `store`)."""
        self._hass = hass
        self._entry = entry
        self._store = store
        self.data = data
        self.meter = MeterTrack(data.operator)
        self.idle = data.idle
        self.coordinator = EvnnovatorCoordinator(hass, entry, client, self)
        self.price = TariffCoordinator(hass, entry, client)
        self.charger = ChargerStatusCoordinator(hass, entry, client)
        self.statistics = HourlyStatistics(hass, entry)
        self.currency = CurrencyCheck(
            hass, entry, self.statistics, lambda: self.data.book.currencies
        )
        # The device exists before the first reading: its events name it.
        self.events = SessionEvents(hass, entry, async_register_account_device(hass, entry))
        self.control = ChargingControl(
            hass,
            entry,
            coordinator=self.coordinator,
            charger=self.charger,
            data=data,
            meter=self.meter,
            energy_limit=lambda: self.limits.energy_limit,
            changed=self._changed,
        )
        self.battery = CarBattery(
            hass,
            sensor=entry.options.get(CONF_BATTERY_SENSOR),
            model=data.battery,
            meter=self.meter,
            changed=self._battery_changed,
        )
        self.limits = LimitController(
            hass,
            control=self.control,
            data=data,
            meter=self.meter,
            energy_price=self.price.energy_price,
            next_poll_at=lambda: self._next_poll_at,
            refresh=self.coordinator.async_refresh,
            save=lambda: self._save(SAVE_DELAY),
            redraw=self._redraw,
            battery=self.battery,
            cost_with_tax=entry.options.get(CONF_COST_LIMIT_WITH_TAX, False),
        )
        self.billing = SessionBilling(
            hass,
            client,
            pending=data.pending_bills,
            on_bill=self.take_bill,
            on_give_up=self._give_up_bill,
            save=lambda: self._save(SAVE_DELAY),
        )
        self._first_run = data.first_run
        self._taking = False
        self._save_due: float | None = None
        self._version = 0
        """Counts what changed the view between readings (see `view`)."""
        self._view: AccountView | None = None
        self._view_key: tuple[object, ...] = ()
        self._next_poll_at = dt_util.utcnow()

    @property
    def charging_interval(self) -> timedelta:
        """How often to poll while a session is pending or charging."""
        seconds = self._entry.options.get(CONF_CHARGING_INTERVAL, DEFAULT_CHARGING_INTERVAL)
        return timedelta(seconds=seconds)

    @property
    def idle_interval(self) -> timedelta:
        """How often to poll while nothing runs."""
        seconds = self._entry.options.get(CONF_IDLE_INTERVAL, DEFAULT_IDLE_INTERVAL)
        return timedelta(seconds=seconds)

    async def async_setup(self) -> None:
        """Re-import what may not have reached the database, then read the account once.

        Raises what the first poll raises (Home Assistant retries the set-up).
        """
        self._entry.async_on_unload(self._async_flush)
        self._entry.async_on_unload(self._cancel_timers)
        # Home Assistant stops without unloading the entry: no timer of ours outlives it.
        self._entry.async_on_unload(
            self._hass.bus.async_listen_once(EVENT_HOMEASSISTANT_STOP, self._cancel_timers)
        )
        # What was imported last may not have reached the database before the restart.
        if (
            not self.data.book.needs_placing
            and (since := self.data.book.first_mendable_hour) is not None
        ):
            self.statistics.import_hours(self.data.book, since)
        # The bills awaited before the restart, before the first reading can ask for one.
        self.billing.resume()
        await self.coordinator.async_config_entry_first_refresh()
        # Polling goes on while every entity is disabled.
        self._entry.async_on_unload(self.coordinator.async_add_listener(lambda: None))
        # A new currency comes with a reading or a bill (both redraw); Home Assistant's with
        # its settings.
        self._entry.async_on_unload(self.coordinator.async_add_listener(self.currency.check))
        self._entry.async_on_unload(self.currency.async_start())
        self._entry.async_on_unload(self.price.async_add_listener(self._price_changed))
        if (stop_listening := self.battery.async_start()) is not None:
            self._entry.async_on_unload(stop_listening)

    @callback
    def async_start(self) -> None:
        """The entities are set up, the limits restored: plan from the latest reading."""
        self.limits.start()
        self._redraw()

    def take(self, reading: Reading) -> timedelta:
        """Decide everything a new reading changes; return the wait until the next poll."""
        self._taking = True
        try:
            pace = self._take(reading)
        finally:
            self._taking = False
            self._version += 1
        return pace

    def _take(self, reading: Reading) -> timedelta:
        session = reading.session
        learned = self.meter.take(reading)
        was_idle = self.idle.idle
        idle_began = self.idle.take(
            None if session is None else session.id,
            active=session is not None and session.is_charging,
            kwh=None if session is None else session.kwh,
            start=None if session is None else session.start,
            at=reading.measured_at,
            now=reading.fetched_at,
            cadence=self.data.operator.cadence,
        )
        pace = self._pace(reading)
        self._next_poll_at = reading.fetched_at + pace
        book = self.data.book
        # 1. The book: what an earlier release counted without hours is put in its hours
        # once; the session is counted once, in its hours; what is due is announced.
        if book.needs_placing:
            book.place(session, reading.measured_at)
            self.statistics.import_hours(book, None)
            self._save(SAVE_DELAY)
        if session is None:
            self.control.follow(None)
            if learned:
                self._save(LEARNED_SAVE_DELAY)
            return pace
        change = book.observe(session, reading.measured_at, first_run=self._first_run)
        self._first_run = False
        cost_with_tax = book.cost_with_tax(session)
        self.events.announce(
            change,
            session,
            reading.fetched_at,
            battery=self.battery.percent(session),
            cost_with_tax=None if cost_with_tax is None else cost_with_tax.amount,
            cost_limit_with_tax=self.limits.cost_tax_ratio(session) is not None,
        )
        if idle_began and self.idle.idle_since is not None:
            self.events.idle(session, self.idle.idle_since, reading.fetched_at)
        if change.first_changed_hour is not None:
            self.statistics.import_hours(book, change.first_changed_hour)
        # 2. What the control room learns from the session (the stop latency; the autostop
        # it asked for; a limit's failed STOP that no longer matters); the car's battery.
        if self.control.follow(session):
            learned = True
        if self.battery.follow(session, reading.measured_at):
            learned = True
        # 3. The charger's price and status follow the session before the limits plan: a new
        # charger's tariff is not the last one's.
        self.price.follow(session)
        self.charger.follow(session)
        # 4. The limits plan the STOP; 5. an ended session's bill is asked for.
        self.limits.evaluate(session)
        if (entry := book.entry(session.id)) is not None:
            self.billing.follow(session, entry)
        if change.changed or self.idle.idle != was_idle:
            self._save(SAVE_DELAY)
        elif learned:
            self._save(LEARNED_SAVE_DELAY)
        return pace

    def _pace(self, reading: Reading) -> timedelta:
        """Idle, or while charging in step with the operator's meter."""
        session = reading.session
        if session is None or not session.is_running:
            return self.idle_interval
        if not session.is_charging:
            return self.charging_interval
        interval = self.charging_interval.total_seconds()
        return timedelta(seconds=self.meter.poll_delay(reading.fetched_at, interval))

    @property
    def view(self) -> AccountView:
        """The account as its entities show it, now.

        Made once for all the entities that redraw together: anything that changes what it
        shows comes with a new reading, a redraw or a side coordinator's new data.
        """
        coordinator = self.coordinator
        key = (
            self._version,
            id(coordinator.data),
            coordinator.last_update_success,
            id(self.charger.data),
            id(self.price.data),
        )
        if self._view is None or self._view_key != key:
            self._view, self._view_key = self._make_view(), key
        return self._view

    def _make_view(self) -> AccountView:
        coordinator = self.coordinator
        session = coordinator.session
        book = self.data.book
        limits = self.limits
        rate = None
        latest = self.meter.latest
        if session is not None and latest is not None and latest.session_id == session.id:
            rate = self.meter.rate_kw(session.start)
        currency = None if session is None else session.currency
        return AccountView(
            online=coordinator.last_update_success,
            session=session,
            measured_at=None if coordinator.data is None else coordinator.data.measured_at,
            rate_kw=rate,
            stopping=session is not None and self.control.stopping(session),
            idle_since=self.idle.idle_since,
            plan=limits.plan,
            armed=limits.armed,
            limit_failed=limits.failed,
            limits=limits.limits,
            plan_tax_ratio=limits.tax_ratio,
            battery=self.battery.percent(session),
            battery_status=limits.battery_status,
            total_energy=book.total_energy,
            total_cost=None if currency is None else book.total_cost(currency),
            bill=book.last_bill,
            cost_with_tax=None if session is None else book.cost_with_tax(session),
            evse=self.charger.data,
            tariff=self.price.data,
        )

    def take_bill(self, session: Session, cdr: ChargeDetailRecord) -> None:
        """A session's bill came: count it, announce it, restate its hours' cost.

        Once per session: a second bill, or one of a session the book does not know, changes
        nothing.
        """
        bill = Bill.of(session, cdr)
        change: Change = self.data.book.bill(bill, amount=cdr.billed_cost)
        if not change.changed:
            return
        self.events.billed(bill)
        if change.first_changed_hour is not None:
            self.statistics.import_hours(self.data.book, change.first_changed_hour)
        # The bill teaches the tax ratio, which a cost limit with tax counts with.
        self.limits.replan()
        self._changed()

    def _give_up_bill(self, session: Session) -> None:
        if self.data.book.give_up_bill(session.id):
            self._save(SAVE_DELAY)

    @callback
    def _cancel_timers(self, _event: Event | None = None) -> None:
        self.billing.cancel()
        self.control.cancel()
        self.limits.cancel()

    @callback
    def _battery_changed(self) -> None:
        """The car's sensor gave a value: the Battery limit plans with it, and it shows."""
        self.limits.replan()
        self._redraw()
        self._save(LEARNED_SAVE_DELAY)

    @callback
    def _price_changed(self) -> None:
        """A tariff came: the cost limit of the running session may be priced now."""
        if self.limits.replan():
            self._redraw()

    @callback
    def _changed(self) -> None:
        """Something was decided between polls: keep it, and show it."""
        self._save(SAVE_DELAY)
        self._redraw()

    @callback
    def _redraw(self) -> None:
        self._version += 1
        # Inside a poll the coordinator redraws once it is done.
        if not self._taking:
            self.coordinator.async_update_listeners()

    def _save(self, delay: float) -> None:
        """Write within `delay` seconds; a write already due sooner is not put off."""
        now = self._hass.loop.time()
        due = now + delay
        if self._save_due is not None and now < self._save_due <= due:
            return
        self._save_due = due
        self._store.async_delay_save(lambda: AccountStore.as_stored(self.data), delay)

    async def _async_flush(self) -> None:
        """Write what is pending now, rather than on a timer that outlives the entry."""
        await self._store.async_save(AccountStore.as_stored(self.data))
