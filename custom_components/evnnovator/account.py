"""One driver account at run time: its parts, and the order in which a new reading reaches them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from homeassistant.core import callback

if TYPE_CHECKING:
    from homeassistant.config_entries import ConfigEntry

    from .billing import SessionBilling
    from .charger import ChargerStatusCoordinator
    from .coordinator import EvnnovatorCoordinator
    from .limits import LimitController
    from .price import TariffCoordinator
    from .statistics import HourlyStatistics
    from .stopping import StopCommands
    from .tracker import SessionTracker


@dataclass(kw_only=True)
class Account:
    """The parts of one driver account.

    A successful poll goes to the tracker first (the ledger, the events), then to the hourly
    statistics, to what STOP learns from and to the limits, which plan with the record the
    tracker keeps, and last to the billing, which asks for an ended session's bill: one
    listener, so the order is written here and not left to the order of set-up.
    """

    coordinator: EvnnovatorCoordinator
    tracker: SessionTracker
    statistics: HourlyStatistics
    stops: StopCommands
    limits: LimitController
    billing: SessionBilling
    charger: ChargerStatusCoordinator
    price: TariffCoordinator

    _handled_fetches: int = field(default=0, init=False)

    @callback
    def async_follow(self, entry: ConfigEntry) -> None:
        """Take in the session fetched at set-up, then every update until the entry unloads."""
        self._handle_update()
        entry.async_on_unload(self.coordinator.async_add_listener(self._handle_update))
        entry.async_on_unload(self.billing.cancel)

    @callback
    def _handle_update(self) -> None:
        coordinator = self.coordinator
        session = coordinator.data
        # A failed update, or one that kept the last reading (a 429), tells nothing new: what
        # was planned from the last one stands.
        if not coordinator.last_update_success or session is None:
            return
        if coordinator.fetches == self._handled_fetches:
            return
        self._handled_fetches = coordinator.fetches
        record = self.tracker.observe(session, coordinator.last_fetch)
        self.statistics.async_add_reading(session, coordinator.reading_time)
        if self.stops.learn_from(session) or coordinator.meter.latest_is_new:
            self.tracker.learned()
        self.limits.evaluate(session, record, coordinator.meter)
        self.billing.follow(session, record)
        self.charger.follow(session)
        self.price.follow(session)
