"""The book of sessions: one entry per session, for its totals, its hours and its events.

Pure data, no Home Assistant: the account feeds it what the API reports and acts on what it
answers; the store keeps it. Why these rules:
- a session counts with the most energy (and cost) it ever reported: a value corrected
  downwards, repeated or seen again after a restart never lowers or doubles anything (the
  Total energy sensor is total_increasing; a dip would read as a meter reset);
- what came in between two readings is spread evenly over the time between them, the first
  reading back to the session's start (a session seen only after it ended: over start to
  end); a later, higher value mends the hours since the reading that last brought something;
- the totals are the sums of the hours, so Total energy and Total cost equal the hourly
  statistics by construction, and every hour only ever grows; the one exception: a session
  whose cost changes currency drops its cost (and its bill) from its hours, and counts in its
  new currency only. Every currency ever counted is remembered, so that the old currency's
  statistic is brought down too;
- a bill (tax included) counts only in the currency the session's cost was counted in (or sets
  it, if none was), and only when higher than what was counted: it restates the session's cost
  across its hours, each hour keeping its share;
- on the very first run the latest session may be old news: it is counted, and announced only
  if it still runs;
- 50 sessions are remembered one by one; an older one retires into plain hours, which keep its
  energy and cost (its bill included) where they were;
- retired hours more than a year old, and older than any hour a remembered session holds or
  can still change, are folded into one: the latest of them carries their energy and cost, so
  every sum from it on stays as it was, and the book stops growing. Nothing is counted in an
  hour before it any more: the statistics' rows of the hours it holds are final.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from .api import ChargeDetailRecord, Session

# Sessions remembered one by one; older ones live on only in their hours.
MAX_REMEMBERED_SESSIONS = 50
# Retired hours are kept one by one for a year (a leap one too), a margin, not a need: the
# statistics import again only from the remembered sessions' hours. The Energy dashboard's
# longest view stays in the Store as it was imported, to check the statistics against, and the
# book holds at most a year of charging hours, however many years go by.
RETIRED_HOURS_KEPT = timedelta(days=366)
HOUR = timedelta(hours=1)
# A reading with no time to spread over belongs to the hour just before its moment: what a meter
# shows at 10:00:00 was delivered before 10:00.
_INSTANT = timedelta(microseconds=1)
# Differences of sums this small are float noise, not amounts.
_NOISE = 1e-9
# Sums since this moment: none, the totals alone.
_AFTER_EVERY_HOUR = datetime.max.replace(tzinfo=UTC)


def hour_of(moment: datetime) -> datetime:
    """The start (UTC) of the hour that contains `moment`."""
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def _rounded(amount: float | None) -> float | None:
    """A money amount to the cent (the API's float is unrounded: 3.3983999999999996)."""
    return None if amount is None else round(amount, 2)


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def _moment(stored: str | None) -> datetime | None:
    return None if stored is None else datetime.fromisoformat(stored)


class Announcement(StrEnum):
    """What the book says is due for a session."""

    STARTED = "started"
    COMPLETED = "completed"


@dataclass(frozen=True, slots=True)
class Reading:
    """One report of a session: its totals so far, and the moment they were true."""

    energy: float | None
    """Cumulative kWh of the session."""
    cost: float | None
    """Cumulative cost of the session, in `currency`."""
    currency: str | None
    at: datetime
    """When the totals were true, within the session's start and end."""
    start: datetime | None

    @classmethod
    def of(cls, session: Session, measured_at: datetime) -> Reading:
        """A session's report that was true at `measured_at` (nothing comes in after its end)."""
        at = measured_at
        if session.ended is not None:
            at = min(at, session.ended)
        if session.start is not None:
            at = max(at, session.start)
        return cls(session.kwh, session.total_cost, session.currency, at, session.start)


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


class HourSums(NamedTuple):
    """One hour, and what the book holds up to its end: the sums a statistic's row keeps."""

    hour: datetime
    energy: float
    cost: dict[str, float]
    """By currency: every currency ever counted, also one a session's cost has left."""


@dataclass(frozen=True, slots=True)
class _Totals:
    """The sums of every hour of the book, as they were when last added up."""

    energy: float
    cost: dict[str, float]


def _hours_as_dict(hours: Mapping[datetime, HourAmount]) -> dict[str, list[Any]]:
    return {hour.isoformat(): amount.as_list() for hour, amount in hours.items()}


def _hours_from_dict(stored: Mapping[str, list[Any]] | None) -> dict[datetime, HourAmount]:
    return {
        datetime.fromisoformat(hour): HourAmount.from_list(amount)
        for hour, amount in (stored or {}).items()
    }


@dataclass(frozen=True, slots=True)
class Bill:
    """A session's bill (CDR) as announced and shown: money to the cent, tax included."""

    session_id: str
    cost: float | None
    """What the driver pays, with tax, rounded to the cent."""
    cost_before_tax: float | None
    tax: float | None
    currency: str | None
    energy: float | None
    """KWh, to 3 decimals."""
    duration: float | None
    """Minutes, to 1 decimal."""

    def as_dict(self) -> dict[str, Any]:
        """JSON-able: the event's and the sensor's data."""
        return {
            "session_id": self.session_id,
            "cost": self.cost,
            "cost_before_tax": self.cost_before_tax,
            "tax": self.tax,
            "currency": self.currency,
            "energy": self.energy,
            "duration": self.duration,
        }

    @classmethod
    def from_dict(cls, stored: Mapping[str, Any]) -> Bill:
        """The inverse of `as_dict`."""
        return cls(
            session_id=stored["session_id"],
            cost=stored.get("cost"),
            cost_before_tax=stored.get("cost_before_tax"),
            tax=stored.get("tax"),
            currency=stored.get("currency"),
            energy=stored.get("energy"),
            duration=stored.get("duration"),
        )

    @classmethod
    def of(cls, session: Session, cdr: ChargeDetailRecord) -> Bill:
        """The bill of `session` that `cdr` gives (a CDR may leave out its currency)."""
        return cls(
            session_id=session.id,
            cost=_rounded(cdr.billed_cost),
            cost_before_tax=_rounded(cdr.cost_excl_tax),
            tax=_rounded(cdr.tax),
            currency=cdr.currency or session.currency,
            energy=None if cdr.energy_kwh is None else round(cdr.energy_kwh, 3),
            duration=None if cdr.duration_minutes is None else round(cdr.duration_minutes, 1),
        )


@dataclass(frozen=True, slots=True)
class CostWithTax:
    """A session's cost with tax, and whether it is the running cost times a ratio."""

    amount: float
    tax_ratio: float | None
    """The ratio the running cost was multiplied by; None: the session's or the bill's figure."""


@dataclass
class StopRecord:
    """Whether a STOP of the session was accepted, and who sent it."""

    sent: bool = False
    """A STOP was accepted: it must not be sent again, even after a restart."""
    by: str | None = None
    """"energy" or "cost" (a limit) or "user"."""
    failing: bool = False
    """A limit's STOP kept failing while the session charged past the limit (still tried)."""


@dataclass
class SessionEntry:
    """What is known of one session, what it brought to each hour, what was done about it."""

    energy: float = 0.0
    """The most energy (kWh) the API reported; the sum of the hours' energy."""
    cost: float = 0.0
    """What the session counts in `currency`: the most running figure, or its bill when
    higher; the sum of the hours' cost in `currency`."""
    currency: str | None = None
    at: datetime | None = None
    """The moment of its latest reading that brought something: later amounts are spread from
    here. None for a session known from an older version's ledger alone."""
    hours: dict[datetime, HourAmount] = field(default_factory=dict)
    billed_cost: float | None = None
    """What the session's bill (CDR) says the driver pays, tax included; None until known."""
    started_announced: bool = False
    completed_announced: bool = False
    bill_announced: bool = False
    """The bill was announced (evnnovator_session_billed), or given up on: never again."""
    energy_limit: float | None = None
    """The Energy limit entity's value while the session charged, if set."""
    cost_limit: float | None = None
    """The cost limit in force while the session charged, if any."""
    battery_limit: float | None = None
    """The Battery limit (percent) in force while the session charged, if set."""
    autostop: float | None = None
    """The session's own limit: the energy (kWh) it was started with (START's autostop), at
    which the operator was asked to stop it by itself."""
    stop: StopRecord = field(default_factory=StopRecord)

    @property
    def counted_cost(self) -> float:
        """The cost this session adds to Total cost (in `currency`)."""
        return self.cost

    @property
    def stop_energy(self) -> float | None:
        """The kWh the session stops at: the lower of its own limit and the Energy limit.

        None without either. The operator stops the session at its own limit anyway, so a
        higher Energy limit cannot let it charge on: the plan, the events and the repair issue
        all use this one.
        """
        limits = [kwh for kwh in (self.autostop, self.energy_limit) if kwh is not None]
        return min(limits, default=None)

    def as_dict(self) -> dict[str, Any]:
        """JSON-able."""
        return {
            "energy": self.energy,
            "cost": self.cost,
            "currency": self.currency,
            "at": _iso(self.at),
            "hours": _hours_as_dict(self.hours),
            "billed_cost": self.billed_cost,
            "started_announced": self.started_announced,
            "completed_announced": self.completed_announced,
            "bill_announced": self.bill_announced,
            "energy_limit": self.energy_limit,
            "cost_limit": self.cost_limit,
            "battery_limit": self.battery_limit,
            "autostop": self.autostop,
            "stop": {"sent": self.stop.sent, "by": self.stop.by, "failing": self.stop.failing},
        }

    @classmethod
    def from_dict(cls, stored: Mapping[str, Any]) -> SessionEntry:
        """The inverse of `as_dict`; what a later minor version added is left out."""
        stop = stored.get("stop") or {}
        return cls(
            energy=stored.get("energy", 0.0),
            cost=stored.get("cost", 0.0),
            currency=stored.get("currency"),
            at=_moment(stored.get("at")),
            hours=_hours_from_dict(stored.get("hours")),
            billed_cost=stored.get("billed_cost"),
            started_announced=stored.get("started_announced", False),
            completed_announced=stored.get("completed_announced", False),
            bill_announced=stored.get("bill_announced", False),
            energy_limit=stored.get("energy_limit"),
            cost_limit=stored.get("cost_limit"),
            battery_limit=stored.get("battery_limit"),
            autostop=stored.get("autostop"),
            stop=StopRecord(
                sent=stop.get("sent", False),
                by=stop.get("by"),
                failing=stop.get("failing", False),
            ),
        )

    @classmethod
    def from_release_1(cls, record: Mapping[str, Any]) -> SessionEntry:
        """A record of the version 1 ledger (`limit_stop_sent`: the first versions' STOP)."""
        billed_cost = record.get("billed_cost")
        cost = record.get("cost", 0.0)
        return cls(
            energy=record.get("energy", 0.0),
            # The ledger kept the running figure and the bill apart, and counted the higher.
            cost=cost if billed_cost is None else max(cost, billed_cost),
            currency=record.get("currency"),
            billed_cost=billed_cost,
            started_announced=record.get("started_announced", False),
            completed_announced=record.get("completed_announced", False),
            bill_announced=record.get("bill_announced", False),
            energy_limit=record.get("energy_limit"),
            cost_limit=record.get("cost_limit"),
            autostop=record.get("autostop"),
            stop=StopRecord(
                sent=bool(record.get("stop_sent") or record.get("limit_stop_sent")),
                by=record.get("stopped_by"),
            ),
        )

    def _hour(self, hour: datetime) -> HourAmount:
        amount = self.hours.get(hour)
        if amount is None:
            amount = self.hours[hour] = HourAmount()
        return amount

    def _spread(self, until: datetime, energy: float, cost: float) -> datetime:
        """Spread what came in since `at` evenly up to `until`; return the first hour changed."""
        at = self.at if self.at is not None else until
        if until <= at:
            hour = hour_of(at - _INSTANT)
            self._hour(hour).add(energy, cost, self.currency)
            return hour
        span = (until - at).total_seconds()
        first = hour = hour_of(at)
        done = 0.0
        while hour < until:
            # Cumulative shares at the hour's end telescope: the parts add up to the whole.
            edge = min(hour + HOUR, until)
            share = (edge - at).total_seconds() / span
            self._hour(hour).add(
                energy * share - energy * done, cost * share - cost * done, self.currency
            )
            done = share
            hour += HOUR
        self.at = until
        return first

    def _restate_cost(self, amount: float, currency: str, fallback: datetime | None) -> bool:
        """Make the hours' cost `amount` in `currency` (the bill), each hour's share kept.

        Without a cost in the hours yet, they take it by their energy; without either, the hour
        of the session's latest reading (else `fallback`) takes it all. False if no hour can.
        """
        weights = {hour: part.cost.get(currency, 0.0) for hour, part in self.hours.items()}
        if not sum(weights.values()):
            weights = {hour: part.energy for hour, part in self.hours.items()}
        total = sum(weights.values())
        if not total:
            only = hour_of(self.at) if self.at is not None else fallback
            if only is None:
                return False
            weights, total = {only: 1.0}, 1.0
        for hour, weight in weights.items():
            self._hour(hour).cost[currency] = amount * (weight / total)
        self.cost = amount
        return True

    def _drop_cost(self) -> None:
        """Take the session's cost out of its hours (its currency changed)."""
        for amount in self.hours.values():
            amount.cost.clear()
        self.cost = 0.0


@dataclass(frozen=True, slots=True)
class Change:
    """What taking something in changed."""

    entry: SessionEntry | None
    announcements: tuple[Announcement, ...] = ()
    first_changed_hour: datetime | None = None
    """The earliest hour whose amount changed (re-import from there); None: no hour changed."""
    changed: bool = False
    """Anything to save."""


@dataclass
class _Unplaced:
    """What an older version's ledger counted without hours, until `SessionBook.place`."""

    sessions: list[str]
    energy: float = 0.0
    """Of sessions the ledger no longer remembered one by one."""
    cost: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"sessions": list(self.sessions), "energy": self.energy, "cost": dict(self.cost)}

    @classmethod
    def from_dict(cls, stored: Mapping[str, Any]) -> _Unplaced:
        return cls(
            sessions=list(stored.get("sessions", [])),
            energy=stored.get("energy", 0.0),
            cost=dict(stored.get("cost", {})),
        )


class SessionBook:
    """One entry per session seen, the hours of those retired, and the latest bill."""

    def __init__(
        self,
        stored: Mapping[str, Any] | None = None,
        *,
        remember: int = MAX_REMEMBERED_SESSIONS,
        keep_retired: timedelta = RETIRED_HOURS_KEPT,
    ) -> None:
        """Start empty, or from what `as_dict` returned before.

        It keeps `remember` entries, and retired hours one by one for `keep_retired`.
        """
        stored = stored or {}
        self._remember_count = remember
        self._keep_retired = keep_retired
        self.sessions: dict[str, SessionEntry] = {
            session_id: SessionEntry.from_dict(entry)
            for session_id, entry in stored.get("sessions", {}).items()
        }
        """Insertion order is age: the oldest retires first."""
        self._retired: dict[datetime, HourAmount] = _hours_from_dict(stored.get("retired"))
        self._folded = _moment(stored.get("folded"))
        """The retired hour that holds every one before it (None: none folded yet)."""
        self._currencies: set[str] = set(stored.get("currencies", []))
        last_bill = stored.get("last_bill")
        self.last_bill: Bill | None = None if last_bill is None else Bill.from_dict(last_bill)
        """The latest bill taken in (see `bill`)."""
        unplaced = stored.get("unplaced")
        self._unplaced = None if unplaced is None else _Unplaced.from_dict(unplaced)
        # The totals are read at every poll, the hours change far less often; the book's hours
        # change only through its own methods, and each one that changes them drops these.
        self._totals: _Totals | None = None

    @classmethod
    def from_release_1(
        cls,
        ledger: Mapping[str, Any],
        hourly: Mapping[str, Any] | None,
        *,
        remember: int = MAX_REMEMBERED_SESSIONS,
    ) -> SessionBook:
        """The book of what version 1 kept: the ledger (`.sessions`) and the hourly book.

        Nothing is lost: every record's flags come from the ledger, every hour from the hourly
        book, and the totals stay at least the ledger's (what the Total sensors showed). Without
        an hourly book (versions before the statistics) the ledger's amounts have no hours
        yet: `needs_placing` until `place` gives them some.
        """
        book = cls(remember=remember)
        book.last_bill = (
            None if ledger.get("last_bill") is None else Bill.from_dict(ledger["last_bill"])
        )
        records = ledger.get("sessions", {})
        book.sessions = {
            session_id: SessionEntry.from_release_1(record)
            for session_id, record in records.items()
        }
        if hourly is None:
            book._unplaced = _Unplaced(
                sessions=list(book.sessions),
                energy=ledger.get("retired_energy", 0.0),
                cost=dict(ledger.get("retired_cost", {})),
            )
            return book
        # The ledger's retired sessions are in the hourly book's hours already (as its opening
        # amount, or as the hours of sessions it still followed after the ledger let go).
        book._retired = _hours_from_dict(hourly.get("retired"))
        book._currencies = set(hourly.get("currencies", []))
        curves = hourly.get("sessions", {})
        for session_id, curve in curves.items():
            if session_id not in book.sessions:
                book._retire_hours(_hours_from_dict(curve.get("hours")))
        opening = min(book._retired, default=None)
        for session_id, entry in book.sessions.items():
            if (curve := curves.get(session_id)) is not None:
                book._take_curve(entry, curve)
            elif opening is not None:
                book._take_opening(entry, opening)
            elif entry.energy or entry.cost:  # the hourly book opened with nothing: no hour
                book._unplaced = book._unplaced or _Unplaced(sessions=[])
                book._unplaced.sessions.append(session_id)
        book._prune_retired()
        return book

    def __eq__(self, other: object) -> bool:
        """Equal in every respect: what it keeps, and how many entries and hours it keeps."""
        if not isinstance(other, SessionBook):
            return NotImplemented
        return (self._remember_count, self._keep_retired, self.as_dict()) == (
            other._remember_count,
            other._keep_retired,
            other.as_dict(),
        )

    __hash__ = None  # type: ignore[assignment]

    def as_dict(self) -> dict[str, Any]:
        """Everything, as JSON-able data to keep across restarts."""
        return {
            "sessions": {key: entry.as_dict() for key, entry in self.sessions.items()},
            "retired": _hours_as_dict(self._retired),
            "folded": _iso(self._folded),
            "currencies": sorted(self._currencies),
            "last_bill": None if self.last_bill is None else self.last_bill.as_dict(),
            "unplaced": None if self._unplaced is None else self._unplaced.as_dict(),
        }

    def entry(self, session_id: str) -> SessionEntry | None:
        """The entry of a session, if it was seen."""
        return self.sessions.get(session_id)

    def observe(
        self, session: Session, measured_at: datetime, *, first_run: bool = False
    ) -> Change:
        """Take in one report of a session, true at `measured_at`; say what is now due.

        On the very first run the latest session may be old news: it is announced only if it
        still runs.
        """
        reading = Reading.of(session, measured_at)
        entry = self.sessions.get(session.id)
        changed = entry is None
        if entry is None:
            entry = self._remember(session.id, reading.at)
        if entry.at is None:
            # Its amounts start from nothing at its start; without a start, at this reading.
            entry.at = self._after_folded(reading.at if reading.start is None else reading.start)
        if first_run and not session.is_running and not entry.started_announced:
            entry.started_announced = entry.completed_announced = True
        first_changed: datetime | None = None
        cost_gain = 0.0
        if reading.cost is not None and reading.currency is not None:
            if reading.currency != entry.currency:
                if entry.cost:
                    first_changed = min(entry.hours, default=None)
                entry._drop_cost()  # noqa: SLF001
                self._hours_changed()
                entry.currency, entry.billed_cost = reading.currency, None
                changed = True
            cost_gain = max(reading.cost - entry.cost, 0.0)
        energy_gain = 0.0 if reading.energy is None else max(reading.energy - entry.energy, 0.0)
        if energy_gain or cost_gain:
            spread_from = entry._spread(reading.at, energy_gain, cost_gain)  # noqa: SLF001
            self._hours_changed()
            first_changed = min(first_changed or spread_from, spread_from)
            if energy_gain and reading.energy is not None:
                entry.energy = reading.energy
            if cost_gain and reading.cost is not None and reading.currency is not None:
                entry.cost = reading.cost
                self._currencies.add(reading.currency)
            changed = True
        announcements: list[Announcement] = []
        if not entry.started_announced:
            entry.started_announced = changed = True
            announcements.append(Announcement.STARTED)
        if not session.is_running and not entry.completed_announced:
            entry.completed_announced = changed = True
            announcements.append(Announcement.COMPLETED)
        return Change(entry, tuple(announcements), first_changed, changed)

    def bill(self, bill: Bill, *, amount: float | None) -> Change:
        """Take in a session's bill once: count `amount` (tax included, None: none), keep it.

        Nothing for a session not seen, or whose bill was taken in or given up on before.
        """
        entry = self.sessions.get(bill.session_id)
        if entry is None or entry.bill_announced:
            return Change(entry)
        first_changed = None
        if amount is not None:
            first_changed = self._count_bill(entry, amount, bill.currency)
        entry.bill_announced = True
        self.last_bill = bill
        return Change(entry, first_changed_hour=first_changed, changed=True)

    def give_up_bill(self, session_id: str) -> bool:
        """No bill will come: the session's cost stays the operator's figure. True if changed."""
        entry = self.sessions.get(session_id)
        if entry is None or entry.bill_announced:
            return False
        entry.bill_announced = True
        return True

    def mark_stop_sent(self, session_id: str, by: str) -> bool:
        """A STOP from `by` ("energy", "cost" or "user") was accepted. True if changed."""
        entry = self.sessions.get(session_id)
        if entry is None:
            return False
        # Whether a limit's STOP was failing stays until the control room clears it.
        accepted = StopRecord(sent=True, by=by, failing=entry.stop.failing)
        if entry.stop == accepted:
            return False
        entry.stop = accepted
        return True

    def note_stop_failing(self, session_id: str, *, failing: bool) -> bool:
        """Whether a limit's STOP keeps failing while the session charges. True if changed."""
        entry = self.sessions.get(session_id)
        if entry is None or entry.stop.failing == failing:
            return False
        entry.stop = StopRecord(sent=entry.stop.sent, by=entry.stop.by, failing=failing)
        return True

    def note_limits(
        self,
        session_id: str,
        *,
        energy: float | None,
        cost: float | None,
        battery: float | None = None,
    ) -> bool:
        """The limits in force while the session charges (None: off). True if changed."""
        entry = self.sessions.get(session_id)
        limits = (energy, cost, battery)
        if entry is None or (entry.energy_limit, entry.cost_limit, entry.battery_limit) == limits:
            return False
        entry.energy_limit, entry.cost_limit, entry.battery_limit = limits
        return True

    def note_autostop(self, session_id: str, kwh: float) -> bool:
        """The operator was asked to stop the session by itself at `kwh`. True if changed."""
        entry = self.sessions.get(session_id)
        if entry is None or entry.autostop == kwh:
            return False
        entry.autostop = kwh
        return True

    def tax_ratio(self, session: Session) -> float | None:
        """What `session`'s cost with tax is to its cost before tax; None while not known.

        The session's own, where it says its cost with tax; else the latest bill's, if it is
        in the session's currency (tax differs between countries): no ratio of its own is kept,
        the bill is, across restarts.
        """
        own = _ratio(session.total_cost_with_tax, session.total_cost)
        if own is not None:
            return own
        bill = self.last_bill
        if bill is None or bill.tax is None or bill.currency != session.currency:
            return None
        return _ratio(bill.cost, bill.cost_before_tax)

    def cost_with_tax(self, session: Session) -> CostWithTax | None:
        """The session's own figure with tax, else its bill's, else the running cost x the ratio.

        None without a currency, or while no ratio is known and the session is not billed. One
        figure for Session cost with tax and the completion event, so that they never differ.
        """
        if not session.currency:
            return None
        if session.total_cost_with_tax is not None:
            return CostWithTax(session.total_cost_with_tax, None)
        entry = self.sessions.get(session.id)
        if entry is not None and entry.billed_cost is not None:
            # To the cent, as Last session billed cost shows it.
            return CostWithTax(round(entry.billed_cost, 2), None)
        ratio = self.tax_ratio(session)
        if ratio is None or session.total_cost is None:
            return None
        return CostWithTax(round(session.total_cost * ratio, 2), ratio)

    @property
    def total_energy(self) -> float:
        """Energy (kWh) of every session seen: the sum of the hours."""
        return self._totals_now().energy

    def total_cost(self, currency: str) -> float:
        """The cost of every session seen that was charged in `currency`: the sum of the hours."""
        return self._totals_now().cost.get(currency, 0.0)

    @property
    def currencies(self) -> set[str]:
        """Every currency a cost was ever counted in, also one a session's cost has left."""
        return set(self._currencies)

    def hours(self) -> list[tuple[datetime, HourAmount]]:
        """Every hour with something in it, oldest first, all sessions together."""
        total: dict[datetime, HourAmount] = {}
        sources: Iterable[dict[datetime, HourAmount]] = (
            self._retired,
            *(entry.hours for entry in self.sessions.values()),
        )
        for hours in sources:
            for hour, amount in hours.items():
                total.setdefault(hour, HourAmount()).merge(amount)
        return sorted(total.items())

    def sums(self, since: datetime | None) -> list[HourSums]:
        """Each hour from `since` on (every hour when None), with the sums up to its end.

        The last hour's sums are the totals, added up in the same order: Total energy and
        Total cost are exactly the statistics' last sums.
        """
        rows, self._totals = self._add_up(since)
        return rows

    def _totals_now(self) -> _Totals:
        if self._totals is None:
            _, self._totals = self._add_up(_AFTER_EVERY_HOUR)
        return self._totals

    def _add_up(self, since: datetime | None) -> tuple[list[HourSums], _Totals]:
        rows: list[HourSums] = []
        energy = 0.0
        cost = dict.fromkeys(sorted(self._currencies), 0.0)
        for hour, amount in self.hours():
            energy += amount.energy
            for currency, value in amount.cost.items():
                cost[currency] = cost.get(currency, 0.0) + value
            if since is None or hour >= since:
                rows.append(HourSums(hour, energy, dict(cost)))
        return rows, _Totals(energy, cost)

    def _hours_changed(self) -> None:
        self._totals = None

    @property
    def first_mendable_hour(self) -> datetime | None:
        """The earliest hour that a reading of a remembered session can still change."""
        return min(
            (
                hour_of(entry.at - _INSTANT)
                for entry in self.sessions.values()
                if entry.at is not None
            ),
            default=None,
        )

    def add_opening(self, hour: datetime, energy: float, cost: Mapping[str, float]) -> None:
        """Put amounts whose hours nobody kept (sessions before the hours were) in `hour`."""
        opening = _opening(energy, cost)
        self._currencies.update(opening.cost)
        if opening.energy or opening.cost:
            self._retired.setdefault(hour_of(self._after_folded(hour)), HourAmount()).merge(opening)
            self._hours_changed()

    @property
    def needs_placing(self) -> bool:
        """Whether an older version's ledger counted amounts that have no hours yet."""
        return self._unplaced is not None

    def place(self, latest: Session | None, measured_at: datetime) -> Change:
        """Give the amounts an older version's ledger counted their hours, at the first start.

        The ledger kept no times: only the latest session (the one the API shows) can be put in
        its own hours, with the most the ledger saw of it (which may be more than the API shows
        now); the rest goes in the hour before, as an opening amount, so that the statistics
        add up to the Total sensors from the start.
        """
        unplaced = self._unplaced
        if unplaced is None:
            return Change(None)
        self._unplaced = None
        waiting = [session_id for session_id in unplaced.sessions if session_id in self.sessions]
        placed: SessionEntry | None = None
        if latest is not None and latest.id in waiting:
            waiting.remove(latest.id)
            placed = self.sessions[latest.id]
            self._place_latest(placed, Reading.of(latest, measured_at))
        hours = self.hours()
        opening = (hours[0][0] if hours else hour_of(measured_at)) - HOUR
        for session_id in waiting:
            entry = self.sessions[session_id]
            amount = _opening(entry.energy, {entry.currency: entry.cost} if entry.currency else {})
            self._currencies.update(amount.cost)
            if amount.energy or amount.cost:
                entry.hours = {opening: amount}
        self.add_opening(opening, unplaced.energy, unplaced.cost)
        self._hours_changed()
        hours = self.hours()
        return Change(placed, first_changed_hour=hours[0][0] if hours else None, changed=True)

    def _place_latest(self, entry: SessionEntry, reading: Reading) -> None:
        entry.at = reading.start if reading.start is not None else reading.at
        currency = entry.currency
        cost = 0.0 if currency is None else entry.cost
        if entry.energy or cost:
            entry._spread(reading.at, entry.energy, cost)  # noqa: SLF001
        if currency is not None and cost:
            self._currencies.add(currency)

    def _count_bill(
        self, entry: SessionEntry, amount: float, currency: str | None
    ) -> datetime | None:
        """Count a bill by the rules; return the earliest hour it changed, or None."""
        if amount < 0:
            return None
        if entry.currency is None and currency is not None:
            entry.currency = currency
        elif currency is not None and currency != entry.currency:
            # A bill in another currency cannot replace a figure it cannot be compared with.
            return None
        # A corrected bill counts when it is higher: the total never decreases.
        entry.billed_cost = amount if entry.billed_cost is None else max(entry.billed_cost, amount)
        currency = entry.currency
        if currency is None or amount <= entry.cost:
            return None
        fallback = max(self._retired, default=None)
        if not entry._restate_cost(amount, currency, fallback):  # noqa: SLF001
            return None
        self._hours_changed()
        self._currencies.add(currency)
        return min(entry.hours)

    def _remember(self, session_id: str, now: datetime) -> SessionEntry:
        entry = self.sessions[session_id] = SessionEntry()
        if len(self.sessions) > self._remember_count:
            self._retire_oldest()
            self._fold_retired(now)
        return entry

    def _retire_oldest(self) -> None:
        while len(self.sessions) > self._remember_count:
            oldest_id = next(iter(self.sessions))
            oldest = self.sessions.pop(oldest_id)
            self._retire_hours(oldest.hours)
            if self._unplaced is not None and oldest_id in self._unplaced.sessions:
                # Counted without hours yet: it stays in the amounts `place` will open with.
                self._unplaced.sessions.remove(oldest_id)
                self._unplaced.energy += oldest.energy
                if oldest.currency is not None:
                    self._unplaced.cost[oldest.currency] = (
                        self._unplaced.cost.get(oldest.currency, 0.0) + oldest.cost
                    )

    def _retire_hours(self, hours: Mapping[datetime, HourAmount]) -> None:
        for hour, amount in hours.items():
            self._retired.setdefault(hour, HourAmount()).merge(amount)
        self._hours_changed()

    def _fold_retired(self, now: datetime) -> None:
        """Fold the retired hours kept long enough into the latest of them.

        Only hours older than any a remembered session holds or can still change: every sum
        the statistics can import again (from a changed hour, or from `first_mendable_hour`)
        stays what it was. Added up in the hours' order, as the sums are: exactly the same.
        """
        if self._unplaced is not None:
            return  # `place` opens before the first hour: no hour is final yet
        limit = hour_of(now) - self._keep_retired
        if (still_open := self._first_open_hour()) is not None:
            limit = min(limit, still_open)
        old = sorted(hour for hour in self._retired if hour < limit)
        if not old or old == [self._folded]:
            return
        carried = HourAmount()
        for hour in old:
            carried.merge(self._retired[hour])
        self._folded = old[-1]
        # A new dict: one that hours leave keeps its size (Python does not shrink it).
        kept = {hour: amount for hour, amount in self._retired.items() if hour >= limit}
        self._retired = {self._folded: carried, **kept}
        self._hours_changed()

    def _first_open_hour(self) -> datetime | None:
        """The earliest hour a remembered session holds or can still change.

        A bill restates all its hours; a reading mends those since the one before.
        """
        hours = [min(entry.hours) for entry in self.sessions.values() if entry.hours]
        if (mendable := self.first_mendable_hour) is not None:
            hours.append(mendable)
        return min(hours, default=None)

    def _after_folded(self, moment: datetime) -> datetime:
        """`moment`, or the end of the folded hour if earlier.

        Nothing lands before it: the statistics' rows of the hours it holds are final.
        """
        if self._folded is None:
            return moment
        return max(moment, self._folded + HOUR)

    def _take_curve(self, entry: SessionEntry, curve: Mapping[str, Any]) -> None:
        """Give a ledger's entry the hours the hourly book kept of it."""
        at = entry.at = datetime.fromisoformat(curve["at"])
        # The ledger's currency (the one a cost was counted in) stands: the hourly book took
        # one from a reading without a cost too.
        entry.hours = _hours_from_dict(curve.get("hours"))
        # Both books took the same readings; should the hours hold less than the ledger counted,
        # the rest goes where a later reading would have put it, so the totals never drop.
        energy = sum(amount.energy for amount in entry.hours.values())
        cost = sum(amount.cost.get(entry.currency or "", 0.0) for amount in entry.hours.values())
        missing_energy = entry.energy - energy if entry.energy - energy > _NOISE else 0.0
        missing_cost = entry.cost - cost if entry.cost - cost > _NOISE else 0.0
        if missing_energy or missing_cost:
            late = entry._hour(hour_of(at - _INSTANT))  # noqa: SLF001
            late.add(missing_energy, missing_cost, entry.currency)
        entry.cost = max(entry.cost, cost)

    def _take_opening(self, entry: SessionEntry, opening: datetime) -> None:
        """Give a ledger's entry its share of the opening amount, where the backfill put it."""
        cost = {entry.currency: entry.cost} if entry.currency and entry.cost else {}
        if not entry.energy and not cost:
            return
        entry.hours = {opening: HourAmount(entry.energy, dict(cost))}
        bucket = self._retired.setdefault(opening, HourAmount())
        # Out of the opening hour as much of it as the opening holds, never below nothing: the
        # totals stay at least what the ledger counted.
        bucket.energy -= min(entry.energy, max(bucket.energy, 0.0))
        for currency, value in cost.items():
            held = max(bucket.cost.get(currency, 0.0), 0.0)
            bucket.cost[currency] = bucket.cost.get(currency, 0.0) - min(value, held)

    def _prune_retired(self) -> None:
        """Drop what moving amounts out of the opening hour left as float noise."""
        for hour, amount in list(self._retired.items()):
            amount.energy = amount.energy if abs(amount.energy) > _NOISE else 0.0
            amount.cost = {key: value for key, value in amount.cost.items() if abs(value) > _NOISE}
            if not amount.energy and not amount.cost:
                del self._retired[hour]


def _ratio(with_tax: float | None, before_tax: float | None) -> float | None:
    """With tax over before tax; None without both, or before anything was charged."""
    if with_tax is None or not before_tax or with_tax < before_tax:
        return None
    return with_tax / before_tax


def _opening(energy: float, cost: Mapping[str, float]) -> HourAmount:
    # What is left after the sessions the book does know may be float noise, not an amount.
    return HourAmount(
        energy=energy if energy > _NOISE else 0.0,
        cost={currency: value for currency, value in cost.items() if value > _NOISE},
    )
