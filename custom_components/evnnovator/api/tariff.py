"""A tariff: the price of a connector, before tax (the CDR adds the tax).

Its elements may hold restrictions (OCPI: time of day and dates in the location's local time,
day of the week, kWh of the session so far, its duration, its charging power); the price that
applies is that of the first element whose restrictions hold ("the first kWh free, then 0.20").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import TYPE_CHECKING, Any

from .fields import JsonObject

if TYPE_CHECKING:
    from .models import Session

ENERGY = "ENERGY"
_DAYS = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")


@dataclass(frozen=True, slots=True)
class Restrictions:
    """When an element's prices apply; None: no restriction of that kind.

    Every lower bound is inclusive and every upper bound exclusive, as OCPI says.
    """

    start_time: time | None = None
    end_time: time | None = None
    start_date: date | None = None
    """The location's local date from which the prices apply."""
    end_date: date | None = None
    """The local date from which they no longer apply (OCPI: the end date is exclusive)."""
    days: frozenset[str] | None = None
    min_kwh: float | None = None
    max_kwh: float | None = None
    min_duration: float | None = None
    """Seconds since the session's start."""
    max_duration: float | None = None
    min_power: float | None = None
    """kW: the session's charging power."""
    max_power: float | None = None

    def hold(
        self, local: datetime, kwh: float, seconds: float, power_kw: float | None = None
    ) -> bool:
        """Whether the prices apply at `local` (the location's time), `kwh`, `seconds`, `power_kw`.

        A power band (`min_power` or `max_power`, in kW) never holds while the power is unknown
        (None): OCPI prices by the power the car draws, and a band that needs it cannot be shown
        to hold, so a later element's price applies. Without a power band, the power is ignored.
        """
        if not self._in_hours(local.time().replace(tzinfo=None)):
            return False
        if not _within(local.date(), self.start_date, self.end_date):
            return False
        if self.days is not None and _DAYS[local.weekday()] not in self.days:
            return False
        if not _within(kwh, self.min_kwh, self.max_kwh) or not _within(
            seconds, self.min_duration, self.max_duration
        ):
            return False
        if self.min_power is None and self.max_power is None:
            return True
        return power_kw is not None and _within(power_kw, self.min_power, self.max_power)

    def _in_hours(self, clock: time) -> bool:
        start, end = self.start_time, self.end_time
        if start is not None and end is not None and end < start:  # past midnight
            return clock >= start or clock < end
        return (start is None or clock >= start) and (end is None or clock < end)


def _within[T: (float, date)](value: T, low: T | None, high: T | None) -> bool:
    return (low is None or value >= low) and (high is None or value < high)


@dataclass(frozen=True, slots=True)
class TariffElement:
    """Prices, and when they apply."""

    components: tuple[PriceComponent, ...]
    restrictions: Restrictions | None


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
    elements: tuple[TariffElement, ...] = ()

    @property
    def energy_price(self) -> float | None:
        """The price per kWh before tax: the first ENERGY component's; None without one."""
        energy = _energy(self.components)
        return None if energy is None else energy.price

    def energy_price_at(
        self,
        local: datetime,
        kwh: float = 0.0,
        seconds: float = 0.0,
        power_kw: float | None = None,
    ) -> float | None:
        """The price per kWh that applies at `local`, `kwh`, `seconds` and `power_kw` (kW).

        That of the first element with an ENERGY price whose restrictions hold; without one that
        holds, the first ENERGY price (an answer that restricts every hour still names one).
        `power_kw` None: the power is unknown, so no power band holds.
        """
        for element in self.elements:
            energy = _energy(element.components)
            if energy is None:
                continue
            restrictions = element.restrictions
            if restrictions is None or restrictions.hold(local, kwh, seconds, power_kw):
                return energy.price
        return self.energy_price

    def energy_price_for(self, session: Session | None, now: datetime) -> float | None:
        """The price per kWh that applies to `session` at `now`, in its location's time.

        Its energy, time and average power so far choose among kWh, duration and power bands
        (the API reports no power of the moment); without a running session, the price of a
        session starting now, whose power is not known yet.
        """
        zone = UTC if session is None or session.location is None else session.location.time_zone
        if session is None or not session.is_running:
            return self.energy_price_at(now.astimezone(zone))
        return self.energy_price_at(
            now.astimezone(zone),
            session.kwh or 0.0,
            session.elapsed(now) or 0.0,
            session.average_power_kw(now),
        )

    @property
    def other_components(self) -> tuple[PriceComponent, ...]:
        """Every component but the energy price shown as the state."""
        energy = _energy(self.components)
        return tuple(part for part in self.components if part is not energy)


def _energy(components: tuple[PriceComponent, ...]) -> PriceComponent | None:
    """The first ENERGY component: the price per kWh."""
    return next((part for part in components if part.type.upper() == ENERGY), None)


def parse_tariff(value: Any) -> Tariff:
    """Build a Tariff from a tariff answer's `data`; components without a price are skipped.

    Raises EvnnovatorResponseError for fields of the wrong type.
    """
    data = JsonObject(value, "tariff")
    components: list[PriceComponent] = []
    elements: list[TariffElement] = []
    for element in data.children("elements"):
        parts: list[PriceComponent] = []
        for part in element.children("price_components"):
            kind = part.text("type")
            price = part.non_negative("price")
            if kind and price is not None:
                parts.append(PriceComponent(kind.strip(), price, part.non_negative("step_size")))
        components.extend(parts)
        elements.append(TariffElement(tuple(parts), _restrictions(element.child("restrictions"))))
    return Tariff(
        id=data.text("id"),
        tariff_id=data.text("tariff_id"),
        currency=data.text("currency"),
        components=tuple(components),
        raw=dict(data.raw),
        elements=tuple(elements),
    )


def _restrictions(data: JsonObject | None) -> Restrictions | None:
    if data is None:
        return None
    days = data.raw.get("day_of_week")
    return Restrictions(
        start_time=_local(data, "start_time", time.fromisoformat),
        end_time=_local(data, "end_time", time.fromisoformat),
        start_date=_local(data, "start_date", date.fromisoformat),
        end_date=_local(data, "end_date", date.fromisoformat),
        days=None
        if not isinstance(days, list)
        else frozenset(str(day).upper() for day in days if isinstance(day, str)),
        min_kwh=data.non_negative("min_kwh"),
        max_kwh=data.non_negative("max_kwh"),
        min_duration=data.non_negative("min_duration"),
        max_duration=data.non_negative("max_duration"),
        min_power=data.non_negative("min_power"),
        max_power=data.non_negative("max_power"),
    )


def _local[T: (time, date)](data: JsonObject, name: str, read: Callable[[str], T]) -> T | None:
    """OCPI's "HH:MM" or "YYYY-MM-DD", local time; an unreadable one restricts nothing."""
    value = data.text(name)
    try:
        return None if value is None else read(value.strip())
    except ValueError:
        return None
