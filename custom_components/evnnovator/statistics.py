"""The account's charged energy and cost as hourly external statistics, for the Energy dashboard.

The book (`book.py`) decides which hour each kWh belongs to; this imports its hours into the
recorder. When a reading mends earlier hours, those hours and every later sum are imported
again; the Total sensors are the sums of the same hours, so the two always agree.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from homeassistant.components.recorder.models import (
    StatisticData,
    StatisticMeanType,
    StatisticMetaData,
)
from homeassistant.components.recorder.statistics import async_add_external_statistics
from homeassistant.const import UnitOfEnergy
from homeassistant.util import slugify
from homeassistant.util.unit_conversion import EnergyConverter

from .const import DOMAIN

if TYPE_CHECKING:
    from datetime import datetime

    from homeassistant.config_entries import ConfigEntry
    from homeassistant.core import HomeAssistant

    from .book import SessionBook

_LOGGER = logging.getLogger(__name__)

RECORDER = "recorder"


class HourlyStatistics:
    """Imports one account's hours as external statistics."""

    def __init__(self, hass: HomeAssistant, entry: ConfigEntry) -> None:
        """Name the statistics after the entry."""
        self._hass = hass
        self._title = entry.title
        # The entry id never changes, unlike the title or the gateway's URL.
        self._account = entry.entry_id.lower()

    @property
    def energy_statistic_id(self) -> str:
        """The statistic of the energy charged, in kWh."""
        return f"{DOMAIN}:{self._account}_energy"

    @property
    def cost_statistic_name(self) -> str:
        """The name the Energy dashboard's pickers show for each cost statistic."""
        return f"EVnnovator {self._title} cost"

    def cost_statistic_id(self, currency: str) -> str:
        """The statistic of the cost of the sessions charged in `currency`."""
        return f"{DOMAIN}:{self._account}_cost_{slugify(currency)}"

    def import_hours(self, book: SessionBook, since: datetime | None) -> None:
        """Import the hours from `since` on (all when None), each with the sum up to its end."""
        if RECORDER not in self._hass.config.components:
            return
        sums = book.sums(since)
        energy_rows = [
            StatisticData(start=hour, state=energy, sum=energy) for hour, energy, _ in sums
        ]
        # Every currency ever counted: one a session's cost has left must be re-imported too.
        cost_rows: dict[str, list[StatisticData]] = {}
        for hour, _, costs in sums:
            for currency, cost_sum in costs.items():
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
                    self.cost_statistic_name,
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
