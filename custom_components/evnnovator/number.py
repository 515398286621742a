"""The energy, cost and battery limits at which the integration stops the running session."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from homeassistant.components.number import (
    NumberDeviceClass,
    NumberEntityDescription,
    NumberMode,
    RestoreNumber,
)
from homeassistant.const import PERCENTAGE, EntityCategory, UnitOfEnergy

from .const import MAX_ENERGY_LIMIT_KWH
from .coordinator import EvnnovatorCoordinator
from .entity import EvnnovatorEntity, EvnnovatorEntityDescription, always

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

    from .data import EvnnovatorConfigEntry
    from .limits import LimitController
    from .view import AccountView

# The frontend writes a monetary state with its currency's symbol (the cost sensors read "₹49.72"),
# but puts a number box's unit beside it as it is: the cost limit's box gets the same symbol
# rather than "INR". Currencies of charging networks; any other shows as its ISO code.
CURRENCY_SYMBOLS: dict[str, str] = {"INR": "₹", "EUR": "€", "GBP": "£", "USD": "$"}

# Setting a limit sends nothing: the limit controller acts on the coordinator's data.
PARALLEL_UPDATES = 0


def _currency_symbol(view: AccountView) -> str | None:
    """The cost limit is in the session's currency."""
    currency = None if view.session is None else view.session.currency
    if currency is None:
        return None
    return CURRENCY_SYMBOLS.get(currency.upper(), currency)


@dataclass(frozen=True, kw_only=True)
class EvnnovatorNumberEntityDescription(NumberEntityDescription, EvnnovatorEntityDescription):
    """One limit: how to read it from the view and write it to the limit controller."""

    value_fn: Callable[[AccountView], float]
    set_fn: Callable[[LimitController, float], None]
    unit_fn: Callable[[AccountView], str | None] | None = None


# The integration holds the limits: they stay available while the API is away.
LIMITS: tuple[EvnnovatorNumberEntityDescription, ...] = (
    EvnnovatorNumberEntityDescription(
        key="energy_limit",
        translation_key="energy_limit",
        device_class=NumberDeviceClass.ENERGY,
        native_unit_of_measurement=UnitOfEnergy.KILO_WATT_HOUR,
        native_min_value=0,
        native_max_value=MAX_ENERGY_LIMIT_KWH,
        native_step=0.1,
        mode=NumberMode.BOX,
        entity_category=EntityCategory.CONFIG,
        value_fn=lambda view: view.limits.energy_kwh,
        set_fn=lambda limits, value: limits.set_limits(energy=value),
        available_fn=always,
    ),
    EvnnovatorNumberEntityDescription(
        key="cost_limit",
        translation_key="cost_limit",
        device_class=NumberDeviceClass.MONETARY,
        native_min_value=0,
        native_max_value=100000,
        native_step=1,
        mode=NumberMode.BOX,
        entity_category=EntityCategory.CONFIG,
        value_fn=lambda view: view.limits.cost,
        set_fn=lambda limits, value: limits.set_limits(cost=value),
        unit_fn=_currency_symbol,
        available_fn=always,
    ),
    # Needs the car's battery: the charger's state of charge or the car's sensor (options).
    EvnnovatorNumberEntityDescription(
        key="battery_limit",
        translation_key="battery_limit",
        device_class=NumberDeviceClass.BATTERY,
        native_unit_of_measurement=PERCENTAGE,
        native_min_value=0,
        native_max_value=100,
        native_step=1,
        mode=NumberMode.BOX,
        entity_category=EntityCategory.CONFIG,
        value_fn=lambda view: view.limits.battery_percent,
        set_fn=lambda limits, value: limits.set_limits(battery=value),
        available_fn=always,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: EvnnovatorConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the limits of the driver account."""
    coordinator = entry.runtime_data.coordinator
    async_add_entities(
        EvnnovatorLimit(entry=entry, coordinator=coordinator, description=description)
        for description in LIMITS
    )


class EvnnovatorLimit(EvnnovatorEntity[EvnnovatorCoordinator], RestoreNumber):
    """A limit; 0 is off. It survives restarts as the entity's restored state."""

    entity_description: EvnnovatorNumberEntityDescription

    async def async_added_to_hass(self) -> None:
        """Take up the value from before the restart."""
        await super().async_added_to_hass()
        restored = await self.async_get_last_number_data()
        if restored is not None and restored.native_value is not None:
            self.entity_description.set_fn(self._account.limits, restored.native_value)

    @property
    def native_value(self) -> float:
        """The limit in force."""
        return self.entity_description.value_fn(self.view)

    @property
    def native_unit_of_measurement(self) -> str | None:
        """The description's unit for the view (the cost limit's currency), else the fixed one."""
        if self.entity_description.unit_fn is not None:
            return self.entity_description.unit_fn(self.view)
        return super().native_unit_of_measurement

    async def async_set_native_value(self, value: float) -> None:
        """Apply the new limit to the running session at once."""
        self.entity_description.set_fn(self._account.limits, value)
        self.async_write_ha_state()
