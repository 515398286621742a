"""Sessions' energy and cost hour by hour, as the meter readings show them.

Pure data, no Home Assistant: the statistics adapter feeds it readings and imports its hours.
The rules:
- between two readings of a session, the energy (and cost) that came in is spread evenly over
  the time between them; a session's first reading is spread back to its start, so a session
  seen only after it ended is spread over its start to its end;
- a session counts once, at the most it ever reported, as in the ledger (`ledger.py`): a lower
  or repeated value adds nothing, a higher one later adds only the difference, and that mends
  the hours since the session's previous reading;
- every hour only ever grows (a cost whose currency changes, which the ledger drops, is the one
  exception: that session's cost leaves its hours), so no hour is ever negative, and the hours
  add up to the ledger's totals.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from .ledger import MAX_REMEMBERED_SESSIONS

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

HOUR = timedelta(hours=1)
# A reading with no time to spread over belongs to the hour just before its moment: what a meter
# shows at 10:00:00 was delivered before 10:00.
_INSTANT = timedelta(microseconds=1)
_NOISE = 1e-9


def hour_of(moment: datetime) -> datetime:
    """The start (UTC) of the hour that contains `moment`."""
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


@dataclass(frozen=True, slots=True)
class Reading:
    """One report of a session: its totals so far, and the moment they were true."""

    session_id: str
    energy: float | None
    """Cumulative kWh of the session."""
    cost: float | None
    """Cumulative cost of the session, in `currency`."""
    currency: str | None
    at: datetime
    start: datetime | None = None
    end: datetime | None = None
    """Only for a session that has ended: no energy comes in after it."""


@dataclass(slots=True)
class HourAmount:
    """What came in within one hour."""

    energy: float = 0.0
    cost: dict[str, float] = field(default_factory=dict)
    """Cost by currency."""

    def add(self, energy: float, cost: float, currency: str | None) -> None:
        """Add energy, and cost in `currency` (cost without a currency has no meaning)."""
        self.energy += energy
        if currency is not None and cost:
            self.cost[currency] = self.cost.get(currency, 0.0) + cost

    def merge(self, other: HourAmount) -> None:
        """Add everything `other` holds."""
        self.energy += other.energy
        for currency, cost in other.cost.items():
            self.cost[currency] = self.cost.get(currency, 0.0) + cost

    def as_list(self) -> list[Any]:
        """JSON-able."""
        return [self.energy, dict(self.cost)]

    @classmethod
    def from_list(cls, stored: list[Any]) -> HourAmount:
        """The inverse of `as_list`."""
        return cls(energy=stored[0], cost=dict(stored[1]))


@dataclass(slots=True)
class SessionCurve:
    """A session's last reading, and what it brought to each hour so far."""

    at: datetime
    energy: float
    cost: float
    currency: str | None
    hours: dict[datetime, HourAmount]

    def as_dict(self) -> dict[str, Any]:
        """JSON-able."""
        return {
            "at": self.at.isoformat(),
            "energy": self.energy,
            "cost": self.cost,
            "currency": self.currency,
            "hours": {hour.isoformat(): amount.as_list() for hour, amount in self.hours.items()},
        }

    @classmethod
    def from_dict(cls, stored: Mapping[str, Any]) -> SessionCurve:
        """The inverse of `as_dict`."""
        return cls(
            at=datetime.fromisoformat(stored["at"]),
            energy=stored["energy"],
            cost=stored["cost"],
            currency=stored["currency"],
            hours={
                datetime.fromisoformat(hour): HourAmount.from_list(amount)
                for hour, amount in stored["hours"].items()
            },
        )

    def spread(self, until: datetime, energy: float, cost: float) -> None:
        """Spread what came in since the last reading evenly over the time up to `until`."""
        if until <= self.at:
            self._hour(hour_of(self.at - _INSTANT)).add(energy, cost, self.currency)
            return
        span = (until - self.at).total_seconds()
        hour = hour_of(self.at)
        done = 0.0
        while hour < until:
            # Cumulative shares at the hour's end telescope: the parts add up to the whole.
            edge = min(hour + HOUR, until)
            share = (edge - self.at).total_seconds() / span
            self._hour(hour).add(
                energy * share - energy * done, cost * share - cost * done, self.currency
            )
            done = share
            hour += HOUR
        self.at = until

    def restate_cost(self, amount: float, currency: str) -> None:
        """Make the session's cost `amount` in `currency` (its bill), each hour's share kept.

        Without a cost reading yet, the hours take it by their energy; without either, the hour
        of the session's latest reading takes it all.
        """
        weights = {hour: part.cost.get(currency, 0.0) for hour, part in self.hours.items()}
        if not sum(weights.values()):
            weights = {hour: part.energy for hour, part in self.hours.items()}
        total = sum(weights.values())
        if not total:
            weights, total = {hour_of(self.at): 1.0}, 1.0
        for hour, weight in weights.items():
            self._hour(hour).cost[currency] = amount * weight / total
        self.cost = amount

    def drop_cost(self) -> None:
        """Take the session's cost out of its hours (its currency changed)."""
        for amount in self.hours.values():
            amount.cost.clear()
        self.cost = 0.0

    def _hour(self, hour: datetime) -> HourAmount:
        amount = self.hours.get(hour)
        if amount is None:
            amount = self.hours[hour] = HourAmount()
        return amount


class HourlyBook:
    """The hours of every session seen; sessions retire into plain hours like in the ledger."""

    def __init__(
        self, stored: Mapping[str, Any] | None = None, *, remember: int = MAX_REMEMBERED_SESSIONS
    ) -> None:
        """Start empty, or from what `as_dict` returned before; follow `remember` sessions."""
        stored = stored or {}
        self._remember_count = remember
        self.sessions: dict[str, SessionCurve] = {
            session_id: SessionCurve.from_dict(curve)
            for session_id, curve in stored.get("sessions", {}).items()
        }
        self._retired: dict[datetime, HourAmount] = {
            datetime.fromisoformat(hour): HourAmount.from_list(amount)
            for hour, amount in stored.get("retired", {}).items()
        }
        self.currencies: set[str] = set(stored.get("currencies", []))
        """Every currency a cost was ever counted in, also one a session's cost has left."""

    def as_dict(self) -> dict[str, Any]:
        """Everything, as JSON-able data to keep across restarts."""
        return {
            "sessions": {key: curve.as_dict() for key, curve in self.sessions.items()},
            "retired": {
                hour.isoformat(): amount.as_list() for hour, amount in self._retired.items()
            },
            "currencies": sorted(self.currencies),
        }

    def add(self, reading: Reading) -> datetime | None:
        """Take in one reading; return the earliest hour it changed, or None."""
        at = reading.at
        if reading.end is not None:
            at = min(at, reading.end)
        if reading.start is not None:
            at = max(at, reading.start)
        curve = self.sessions.get(reading.session_id)
        if curve is None:
            curve = self._remember(reading, at)
        earliest: datetime | None = None
        cost_gain = 0.0
        if reading.cost is not None and reading.currency is not None:
            if reading.currency != curve.currency:
                if curve.cost:
                    earliest = min(curve.hours, default=None)
                curve.drop_cost()
                curve.currency = reading.currency
            cost_gain = max(reading.cost - curve.cost, 0.0)
            if cost_gain:
                self.currencies.add(reading.currency)
        energy_gain = 0.0 if reading.energy is None else max(reading.energy - curve.energy, 0.0)
        if not energy_gain and not cost_gain:
            return earliest
        first_changed = hour_of(curve.at if at > curve.at else curve.at - _INSTANT)
        curve.spread(at, energy_gain, cost_gain)
        curve.energy += energy_gain
        curve.cost += cost_gain
        return first_changed if earliest is None else min(earliest, first_changed)

    def bill(self, session_id: str, amount: float, currency: str | None) -> datetime | None:
        """Restate a session's cost at its bill (tax included) across the hours it charged.

        As in the ledger, a bill never lowers what was counted; a bill in another currency than
        the readings', or of a session no longer followed, changes nothing. Returns the earliest
        hour it changed, or None.
        """
        curve = self.sessions.get(session_id)
        currency = currency or (None if curve is None else curve.currency)
        if curve is None or currency is None or amount <= curve.cost:
            return None
        if curve.currency not in (None, currency):
            return None
        curve.currency = currency
        curve.restate_cost(amount, currency)
        self.currencies.add(currency)
        return min(curve.hours)

    def add_opening(self, hour: datetime, energy: float, cost: Mapping[str, float]) -> None:
        """Put amounts whose hours nobody kept (sessions before this book existed) in `hour`."""
        # What is left after the sessions the book does know may be float noise, not an amount.
        opening = HourAmount(
            energy=energy if energy > _NOISE else 0.0,
            cost={currency: value for currency, value in cost.items() if value > _NOISE},
        )
        self.currencies.update(opening.cost)
        if opening.energy or opening.cost:
            self._retired.setdefault(hour_of(hour), HourAmount()).merge(opening)

    def hours(self) -> list[tuple[datetime, HourAmount]]:
        """Every hour with something in it, oldest first, all sessions together."""
        total: dict[datetime, HourAmount] = {}
        curves: Iterable[dict[datetime, HourAmount]] = (
            self._retired,
            *(curve.hours for curve in self.sessions.values()),
        )
        for hours in curves:
            for hour, amount in hours.items():
                total.setdefault(hour, HourAmount()).merge(amount)
        return sorted(total.items())

    @property
    def first_mendable_hour(self) -> datetime | None:
        """The earliest hour that a reading of a followed session can still change."""
        return min((hour_of(curve.at - _INSTANT) for curve in self.sessions.values()), default=None)

    def _remember(self, reading: Reading, at: datetime) -> SessionCurve:
        # A session's curve starts from nothing at its start; without a start, at its first
        # reading.
        start = reading.start if reading.start is not None else at
        curve = self.sessions[reading.session_id] = SessionCurve(
            at=start, energy=0.0, cost=0.0, currency=reading.currency, hours={}
        )
        while len(self.sessions) > self._remember_count:
            oldest = self.sessions.pop(next(iter(self.sessions)))
            for hour, amount in oldest.hours.items():
                self._retired.setdefault(hour, HourAmount()).merge(amount)
        return curve
