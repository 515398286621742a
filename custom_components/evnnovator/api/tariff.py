"""A tariff: the price of a connector, before tax (the CDR adds the tax)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .fields import JsonObject

ENERGY = "ENERGY"


@dataclass(frozen=True, slots=True)
class PriceComponent:
    """One price of a tariff: per kWh (ENERGY), per hour (TIME, PARKING_TIME) or FLAT."""

    type: str
    price: float
    """Before tax, in the tariff's currency; the API sends it as a string ("12.00")."""
    step_size: float | None
    """Wh for ENERGY, seconds for the times."""


@dataclass(frozen=True, slots=True)
class Tariff:
    """A location's tariff for one connector."""

    id: str | None
    tariff_id: str | None
    currency: str | None
    components: tuple[PriceComponent, ...]
    raw: dict[str, Any] = field(repr=False, compare=False, hash=False)

    @property
    def energy_price(self) -> float | None:
        """The price per kWh before tax: the first ENERGY component's; None without one."""
        return next((part.price for part in self.components if part.type.upper() == ENERGY), None)

    @property
    def other_components(self) -> tuple[PriceComponent, ...]:
        """Every component but the energy price shown as the state."""
        energy = next((part for part in self.components if part.type.upper() == ENERGY), None)
        return tuple(part for part in self.components if part is not energy)


def parse_tariff(value: Any) -> Tariff:
    """Build a Tariff from a tariff answer's `data`; components without a price are skipped.

    Raises EvnnovatorResponseError for fields of the wrong type.
    """
    data = JsonObject(value, "tariff")
    components: list[PriceComponent] = []
    for element in data.children("elements"):
        for part in element.children("price_components"):
            kind = part.text("type")
            price = part.non_negative("price")
            if kind and price is not None:
                components.append(
                    PriceComponent(kind.strip(), price, part.non_negative("step_size"))
                )
    return Tariff(
        id=data.text("id"),
        tariff_id=data.text("tariff_id"),
        currency=data.text("currency"),
        components=tuple(components),
        raw=dict(data.raw),
    )
