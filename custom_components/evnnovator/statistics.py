"""The account's charged energy and cost as hourly external statistics, for the Energy dashboard.

The hourly book (`hourly.py`) decides which hour each kWh belongs to; this keeps the book across
restarts and imports its hours into the recorder. When a reading mends earlier hours, those hours
and every later sum are imported again, so the statistics always add up to the Total sensors.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
import logging
from typing import TYPE_CHECKING, Any

from homeassistant.components.recorder.models import (
    StatisticData,
    StatisticMeanType,
    StatisticMetaData,
)
from homeassistant.components.recorder.statistics import async_add_external_statistics
from homeassistant.const import UnitOfEnergy
from homeassistant.core import callback
from homeassistant.helpers.storage import Store
from homeassistant.util import slugify
from homeassistant.util.unit_conversion import EnergyConverter

from .const import DOMAIN
from .hourly import HourlyBook, Reading, hour_of

if TYPE_CHECKING:
    from datetime import datetime

    from homeassistant.config_entries import ConfigEntry
    from homeassistant.core import HomeAssistant

    from .api import Session
    from .ledger import SessionLedger

_LOGGER = logging.getLogger(__name__)

STORAGE_VERSION = 1
SAVE_DELAY = 1.0
RECORDER = "recorder"


def reading_of(session: Session, measured_at: datetime) -> Reading:
    """A session's report as a reading that was true at `measured_at`."""
    return Reading(
        session_id=session.id,
        energy=session.kwh,
        cost=session.total_cost,
        currency=session.currency,
        at=measured_at,
        start=session.start,
        end=session.ended,
    )


class HourlyStatistics:
    """Keeps one account's hourly book and imports it as external statistics."""

    def __init__(self, hass: HomeAssistant, entry: ConfigEntry) -> None:
        """Prepare; async_backfill reads what earlier runs kept."""
        self._hass = hass
        self._title = entry.title
        # The entry id never changes, unlike the title or the gateway's URL.
        self._account = entry.entry_id.lower()
        self._store: Store[dict[str, Any]] = Store(
            hass, STORAGE_VERSION, f"{DOMAIN}.{entry.entry_id}.hourly"
        )
        self.book = HourlyBook()

    @property
    def energy_statistic_id(self) -> str:
        """The statistic of the energy charged, in kWh."""
        return f"{DOMAIN}:{self._account}_energy"

    def cost_statistic_id(self, currency: str) -> str:
        """The statistic of the cost of the sessions charged in `currency`."""
        return f"{DOMAIN}:{self._account}_cost_{slugify(currency)}"

    async def async_backfill(
        self, ledger: SessionLedger, latest: Session | None, measured_at: datetime
    ) -> None:
        """Restore the hours kept before, or build them from the ledger at the first start.

        The ledger keeps no times: only the latest session (the one the API shows) can be put
        in its own hours; the rest of what the ledger counted goes in the hour before, as an
        opening amount, so that the statistics add up to the Total sensors from the start.
        """
        stored = await self._store.async_load()
        if stored is not None:
            self.book = HourlyBook(stored)
            # What was imported last may not have reached the database before the restart.
            if (since := self.book.first_mendable_hour) is not None:
                self._import(since)
            return
        self.book = HourlyBook()
        if latest is not None and (record := ledger.sessions.get(latest.id)) is not None:
            # The most the ledger saw of it, which may be more than the API shows now.
            self.book.add(
                replace(
                    reading_of(latest, measured_at),
                    energy=record.energy,
                    cost=record.cost,
                    currency=record.currency,
                )
            )
        hours = self.book.hours()
        opening_hour = (hours[0][0] if hours else hour_of(measured_at)) - timedelta(hours=1)
        self.book.add_opening(
            opening_hour,
            ledger.total_energy - sum(amount.energy for _, amount in hours),
            {
                currency: ledger.total_cost(currency)
                - sum(amount.cost.get(currency, 0.0) for _, amount in hours)
                for currency in ledger.currencies
            },
        )
        self._save()
        self._import(None)

    @callback
    def async_add_reading(self, session: Session, measured_at: datetime) -> None:
        """Take in a report of a session that was true at `measured_at`; import what changed."""
        changed = self.book.add(reading_of(session, measured_at))
        if changed is not None:
            self._save()
            self._import(changed)

    @callback
    def async_bill(self, session_id: str, amount: float, currency: str | None) -> None:
        """A session's bill came: its cost, tax included, restated in the hours it charged."""
        changed = self.book.bill(session_id, amount, currency)
        if changed is not None:
            self._save()
            self._import(changed)

    async def async_flush(self) -> None:
        """Write what is pending now, rather than on a timer that outlives the entry."""
        await self._store.async_save(self.book.as_dict())

    def _save(self) -> None:
        self._store.async_delay_save(self.book.as_dict, SAVE_DELAY)

    def _import(self, since: datetime | None) -> None:
        """Import the hours from `since` on (all when None), each with the sum up to its end."""
        if RECORDER not in self._hass.config.components:
            return
        hours = self.book.hours()
        energy_sum = 0.0
        energy_rows: list[StatisticData] = []
        # Every currency ever counted: one a session's cost has left must be re-imported too.
        cost_sums = dict.fromkeys(self.book.currencies, 0.0)
        cost_rows: dict[str, list[StatisticData]] = {}
        for hour, amount in hours:
            energy_sum += amount.energy
            for currency, cost in amount.cost.items():
                cost_sums[currency] = cost_sums.get(currency, 0.0) + cost
            if since is not None and hour < since:
                continue
            energy_rows.append(StatisticData(start=hour, state=energy_sum, sum=energy_sum))
            for currency, cost_sum in cost_sums.items():
                cost_rows.setdefault(currency, []).append(
                    StatisticData(start=hour, state=cost_sum, sum=cost_sum)
                )
        if not energy_rows:
            return
        _LOGGER.debug("Importing %s hours from %s", len(energy_rows), energy_rows[0]["start"])
        async_add_external_statistics(
            self._hass,
            self._metadata(
                self.energy_statistic_id,
                f"EVnnovator {self._title} energy",
                UnitOfEnergy.KILO_WATT_HOUR,
                EnergyConverter.UNIT_CLASS,
            ),
            energy_rows,
        )
        for currency, rows in cost_rows.items():
            async_add_external_statistics(
                self._hass,
                self._metadata(
                    self.cost_statistic_id(currency),
                    f"EVnnovator {self._title} cost",
                    currency,
                    None,
                ),
                rows,
            )

    @staticmethod
    def _metadata(
        statistic_id: str, name: str, unit: str, unit_class: str | None
    ) -> StatisticMetaData:
        return StatisticMetaData(
            statistic_id=statistic_id,
            source=DOMAIN,
            name=name,
            unit_of_measurement=unit,
            unit_class=unit_class,
            has_sum=True,
            mean_type=StatisticMeanType.NONE,
        )
