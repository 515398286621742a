"""The charge detail record (CDR): the bill of a finished session, with and without tax."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from .fields import JsonObject

if TYPE_CHECKING:
    from .models import Session

WH_PER_KWH = 1000.0
MINUTES_PER_HOUR = 60.0


@dataclass(frozen=True, slots=True)
class ChargeDetailRecord:
    """A session's bill. Energy in kWh and duration in minutes, whatever units the API used."""

    id: str
    cdr_id: str | None
    currency: str | None
    cost_excl_tax: float | None
    cost_incl_tax: float | None
    energy_kwh: float | None
    duration_minutes: float | None
    start: datetime | None
    stop: datetime | None
    created: datetime | None
    energy_unit: str
    """"kWh" (OCPI) or "Wh" (as the published sample): which one the record was read in."""
    time_unit: str
    """"h" (OCPI) or "min" (as the published sample)."""
    raw: dict[str, Any] = field(repr=False, compare=False, hash=False)

    @property
    def tax(self) -> float | None:
        """The tax: the amount with tax less the amount without."""
        if self.cost_incl_tax is None or self.cost_excl_tax is None:
            return None
        return self.cost_incl_tax - self.cost_excl_tax

    @property
    def billed_cost(self) -> float | None:
        """What the driver pays: with tax where the record says it, else the amount it has."""
        return self.cost_incl_tax if self.cost_incl_tax is not None else self.cost_excl_tax


def _nearer(value: float, candidates: dict[str, float], reference: float) -> str:
    """The unit in which `value` comes nearest `reference` (ties: the first, OCPI's)."""
    return min(candidates, key=lambda unit: abs(value / candidates[unit] - reference))


def energy_unit(total_energy: float, session: Session | None) -> str:
    """Whether `total_energy` is kWh (OCPI) or Wh (the sample): the one nearer the session's.

    Without a session's energy to compare with, more than a car could take in kWh (1000) can
    only be Wh.
    """
    units = {"kWh": 1.0, "Wh": WH_PER_KWH}
    if session is not None and session.kwh:
        return _nearer(total_energy, units, session.kwh)
    return "Wh" if total_energy > WH_PER_KWH else "kWh"


def time_unit(total_time: float, span_minutes: float | None) -> str:
    """Whether `total_time` is hours (OCPI) or minutes (the sample): the one nearer the span.

    The span is the record's (or else the session's) own start to stop; without one, hours.
    """
    if not span_minutes:
        return "h"
    return _nearer(total_time, {"h": 1 / MINUTES_PER_HOUR, "min": 1.0}, span_minutes)


def _span_minutes(start: datetime | None, stop: datetime | None) -> float | None:
    if start is None or stop is None or stop <= start:
        return None
    return (stop - start).total_seconds() / 60


def _cost_with_tax(data: JsonObject) -> float | None:
    """The sample's `total_cost_incl_vat`, else a 2.2.1 Price's `incl_vat`."""
    with_tax = data.non_negative("total_cost_incl_vat")
    return data.amount("total_cost", with_tax=True) if with_tax is None else with_tax


def parse_cdr(value: Any, session: Session | None = None) -> ChargeDetailRecord:
    """Build a ChargeDetailRecord from a CDR answer's `data`, units checked against `session`.

    Raises EvnnovatorResponseError when it has no id or a field has the wrong type.
    """
    data = JsonObject(value, "cdr")
    start = data.timestamp("start_date_time", UTC)
    stop = data.timestamp(data.named("stop_date_time", "end_date_time"), UTC)
    total_energy = data.non_negative("total_energy")
    total_time = data.non_negative("total_time")
    e_unit = "kWh" if total_energy is None else energy_unit(total_energy, session)
    span = _span_minutes(start, stop)
    if span is None and session is not None:
        span = _span_minutes(session.start, session.end)
    t_unit = "h" if total_time is None else time_unit(total_time, span)
    return ChargeDetailRecord(
        id=data.required_text("id"),
        cdr_id=data.text("cdr_id"),
        currency=data.text("currency"),
        # OCPI 2.1.1 (and the sample): a number beside `total_cost_incl_vat`; 2.2.1: a Price.
        cost_excl_tax=data.amount("total_cost"),
        cost_incl_tax=_cost_with_tax(data),
        energy_kwh=None
        if total_energy is None
        else total_energy / (WH_PER_KWH if e_unit == "Wh" else 1.0),
        duration_minutes=None
        if total_time is None
        else total_time * (MINUTES_PER_HOUR if t_unit == "h" else 1.0),
        start=start,
        stop=stop,
        created=data.timestamp("created_date", UTC),
        energy_unit=e_unit,
        time_unit=t_unit,
        raw=dict(data.raw),
    )
