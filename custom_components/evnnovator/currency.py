"""A repair issue while the account's cost is counted in another currency than Home Assistant's.

The Energy dashboard neither checks nor converts the currency of a cost statistic: it offers
every statistic with a sum as a cost, and shows the amounts with the symbol of Home Assistant's
currency (its validation never compares a cost's unit with it, in 2026.10 and 2026.11 alike).
So ₹177.57 would show as $177.57; this issue is the only place the mismatch can be seen.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from homeassistant.const import EVENT_CORE_CONFIG_UPDATE
from homeassistant.core import CALLBACK_TYPE, Event, callback
from homeassistant.helpers import issue_registry as ir

from .const import DOMAIN
from .statistics import RECORDER

if TYPE_CHECKING:
    from homeassistant.config_entries import ConfigEntry
    from homeassistant.core import HomeAssistant

    from .statistics import HourlyStatistics

ISSUE_KEY = "currency_mismatch"
# Home Assistant's own currency issues send the user to the general settings.
GENERAL_SETTINGS = "homeassistant://config/general"


class CurrencyCheck:
    """Raises the issue while a cost statistic is in another currency than Home Assistant's."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        statistics: HourlyStatistics,
        currencies: Callable[[], set[str]],
    ) -> None:
        """`currencies`: those the account's cost statistics are in (the book's)."""
        self._hass = hass
        self._entry = entry
        self._statistics = statistics
        self._currencies = currencies
        self._issue_id = f"{ISSUE_KEY}_{entry.entry_id}"
        # What the issue says now (the foreign currencies, Home Assistant's), to raise it once.
        self._raised: tuple[tuple[str, ...], str] | None = None

    @callback
    def async_start(self) -> CALLBACK_TYPE:
        """Check now and whenever Home Assistant's settings change; the undo clears the issue."""
        stop_listening = self._hass.bus.async_listen(EVENT_CORE_CONFIG_UPDATE, self._config_updated)
        self.check()

        @callback
        def stop() -> None:
            stop_listening()
            self._clear()

        return stop

    @callback
    def _config_updated(self, _event: Event) -> None:
        self.check()

    @callback
    def check(self) -> None:
        """Raise, update or clear the issue after a new currency or a change of Home Assistant's."""
        home = self._hass.config.currency
        # Without the recorder there are no statistics, and no Energy dashboard to show them.
        if RECORDER not in self._hass.config.components:
            foreign: tuple[str, ...] = ()
        else:
            foreign = tuple(sorted(c for c in self._currencies() if c != home))
        if not foreign:
            self._clear()
            return
        if self._raised == (foreign, home):
            return
        self._raised = (foreign, home)
        ir.async_create_issue(
            self._hass,
            DOMAIN,
            self._issue_id,
            is_fixable=False,
            learn_more_url=GENERAL_SETTINGS,
            severity=ir.IssueSeverity.WARNING,
            translation_key=ISSUE_KEY,
            translation_placeholders={
                "account": self._entry.title,
                "currency": ", ".join(foreign),
                "home_currency": home,
                "statistic": self._statistics.cost_statistic_name,
                "statistic_id": ", ".join(
                    self._statistics.cost_statistic_id(currency) for currency in foreign
                ),
            },
        )

    @callback
    def _clear(self) -> None:
        if self._raised is not None:
            self._raised = None
            ir.async_delete_issue(self._hass, DOMAIN, self._issue_id)
