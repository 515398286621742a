"""When a charging session reaches a limit, and when the operator's next meter value is due.

Pure arithmetic, no Home Assistant, as the ledger is. A session's energy changes only when the
charger sends a meter value (every minute or several, rounded), and the charger stops some
seconds after an accepted STOP, differently each time. So:
- a reading is timed by when its value was true (the record's `last_modified_date`), not by
  when it was fetched: a value fetched now may be minutes old;
- the rate is measured only between distinct meter values, never across a repeated one;
- the crossing of a limit is extrapolated from the last meter value's own time;
- the operator's meter cadence and stop latency are learned from what it shows, and kept.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta
import statistics
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterable

    from .api import Session

# A record modified this much "after" it was fetched comes from a clock that runs ahead.
CLOCK_SKEW = timedelta(seconds=30)
# A record modified this close to the fetch is live (updated at every request): the gaps
# between its times are the polling's, not a meter's.
LIVE_WINDOW = timedelta(seconds=1)
# Two meter values closer than this say more about rounding than about the rate...
MIN_RATE_SPAN = 10.0
# ...and the rate is taken over about this long, to average out rounding without blurring
# a taper (the power falling as the battery fills).
RATE_BASELINE = 120.0
# With a single meter value, the average since the start is the rate after this long.
MIN_AVERAGE_SPAN = 60.0
# Samples of a session kept for the rate (enough for RATE_BASELINE at a 15 s meter).
MAX_SAMPLES = 16
# What is learned of the operator: the latest this many observations.
CADENCE_MEMORY = 20
LATENCY_MEMORY = 10
# Gaps between meter values outside this range are outages or bursts, not the meter's cadence.
CADENCE_RANGE = (5.0, 3600.0)
# Stop latencies beyond this are a lost command or a session ended another way.
MAX_LATENCY = 120.0
# A charger behind a hub stops this many seconds after an accepted STOP.
LATENCY_RANGE = (5.0, 45.0)
# Until a stop has been seen, the low end of that range: the first STOP may overshoot by the
# rest, but never leaves the car short of its limit.
PRIOR_LATENCY = LATENCY_RANGE[0]
# A typical latency, which the estimate leans towards while few stops are seen, as much as one
# more stop would weigh, but only as far as the spread seen says the latency is drawn anew each
# time across the range: a steady operator (one hub, one charger) is trusted from its first stop.
TYPICAL_LATENCY = 20.0
# How long after a meter value is due the record shows it; and how soon to look again when it
# was not there yet.
SAMPLE_MARGIN = 3.0
SAMPLE_RECHECK = 10.0
# Never poll sooner than this after a poll.
MIN_POLL = 5.0
# A meter value's rounding, and what else a latency read from the energy may be off by.
METER_ROUNDING_KWH = 0.01
ENERGY_LATENCY_SLACK = 5.0


@dataclass(frozen=True, slots=True)
class MeterReading:
    """One meter value of a session and the moment it was true."""

    session_id: str
    kwh: float
    cost: float | None
    at: datetime
    measured: bool
    """Whether `at` is the operator's own time of the value (else: when it was fetched)."""
    live: bool = False
    """Whether the record was modified as it was fetched: no meter cadence shows in it."""


def measured_at(session: Session, fetched_at: datetime) -> tuple[datetime, bool]:
    """When the session's energy was true, and whether the operator said so.

    The record's last modification is the best published hint; a time after the fetch (beyond
    clock skew) or before the session began is implausible, and the fetch time stands in.
    """
    modified = session.last_modified
    if modified is None or modified > fetched_at + CLOCK_SKEW:
        return fetched_at, False
    if session.start is not None and modified < session.start:
        return fetched_at, False
    return min(modified, fetched_at), True


@dataclass(frozen=True, slots=True)
class Reading:
    """One answer of the latest-session poll: the session, when it was fetched, when it was true.

    Made once per fetch (`Reading.of`), so that when a value was true is decided in one place.
    A poll that keeps the last reading (a 429) hands back the same object.
    """

    session: Session | None
    fetched_at: datetime
    measured_at: datetime
    """When the session's energy and cost were true (see `measured_at`); the fetch without one."""
    measured: bool
    """Whether `measured_at` is the operator's own time (else: the fetch's)."""

    @classmethod
    def of(cls, session: Session | None, fetched_at: datetime) -> Reading:
        """The reading of `session` fetched at `fetched_at`."""
        if session is None:
            return cls(None, fetched_at, fetched_at, measured=False)
        at, measured = measured_at(session, fetched_at)
        return cls(session, fetched_at, at, measured=measured)


def _seconds(delta: timedelta) -> float:
    return delta.total_seconds()


class OperatorModel:
    """What the integration learns of the operator: its meter cadence and its stop latency."""

    def __init__(self, stored: dict[str, Any] | None = None) -> None:
        """Start from what `as_dict` returned before, or knowing nothing."""
        stored = stored or {}
        self._gaps: deque[float] = deque(_floats(stored.get("meter_gaps")), maxlen=CADENCE_MEMORY)
        self._latencies: deque[float] = deque(
            _floats(stored.get("stop_latencies")), maxlen=LATENCY_MEMORY
        )

    def as_dict(self) -> dict[str, Any]:
        """JSON-able, to keep across restarts."""
        return {"meter_gaps": list(self._gaps), "stop_latencies": list(self._latencies)}

    @property
    def cadence(self) -> float | None:
        """Seconds between two meter values (the median of those seen); None before any."""
        return statistics.median(self._gaps) if self._gaps else None

    @property
    def latency(self) -> float:
        """Seconds from STOP to the charger stopping, to plan with.

        The middle of the range seen, not the mean: when the latency jitters, that keeps the
        worst error on either side smallest. With n stops seen, the typical latency weighs as
        one more stop times `latency_spread_share`: one stop alone says little of how much the
        next may differ when the latency is drawn anew each time, and nothing when it is steady.
        """
        count = len(self._latencies)
        if not count:
            return PRIOR_LATENCY
        middle = (min(self._latencies) + max(self._latencies)) / 2
        lean = self.latency_spread_share
        return (count * middle + lean * TYPICAL_LATENCY) / (count + lean)

    @property
    def latency_spread_share(self) -> float:
        """How jittery the operator's stops are: the spread seen, as a share of LATENCY_RANGE.

        Squared, so that a little jitter (a steady operator's few seconds) weighs next to
        nothing, and capped at 1: latencies drawn anew across the whole range.
        """
        if not self._latencies:
            return 0.0
        low, high = LATENCY_RANGE
        spread = max(self._latencies) - min(self._latencies)
        return min(spread / (high - low), 1.0) ** 2

    @property
    def latency_learned(self) -> bool:
        """Whether a stop has been seen."""
        return bool(self._latencies)

    def learn_gap(self, seconds: float) -> bool:
        """Take in the time between two consecutive meter values; True if it was kept."""
        low, high = CADENCE_RANGE
        if not low <= seconds <= high:
            return False
        self._gaps.append(seconds)
        return True

    def learn_latency(self, seconds: float) -> None:
        """Take in how long the charger took to stop after STOP."""
        self._latencies.append(min(max(seconds, 0.0), MAX_LATENCY))


def _floats(values: Any) -> Iterable[float]:
    if not isinstance(values, list):
        return []
    return [float(value) for value in values if isinstance(value, int | float)]


class MeterTrack:
    """The distinct meter values of the latest session, and the operator's cadence."""

    def __init__(self, operator: OperatorModel) -> None:
        """Follow meter values, teaching `operator` the cadence it shows."""
        self.operator = operator
        self._samples: deque[MeterReading] = deque(maxlen=MAX_SAMPLES)
        self._repeats = 0
        """Polls in a row that found no new meter value."""

    @property
    def latest(self) -> MeterReading | None:
        """The newest meter value of the latest session."""
        return self._samples[-1] if self._samples else None

    def observe(self, session: Session, fetched_at: datetime) -> bool:
        """Take in a fetched session; True when it carries a new meter value."""
        return self.take(Reading.of(session, fetched_at))

    def take(self, fetched: Reading) -> bool:
        """Take in a poll's reading; True when it carries a new meter value."""
        session = fetched.session
        if session is None or session.kwh is None:
            return False
        at = fetched.measured_at
        reading = MeterReading(
            session.id,
            session.kwh,
            session.total_cost,
            at,
            fetched.measured,
            fetched.fetched_at - at < LIVE_WINDOW,
        )
        latest = self.latest
        if latest is None or latest.session_id != session.id:
            self._samples.clear()
        elif not _is_new(latest, reading):
            self._repeats += 1
            return False
        elif session.is_charging and _shows_the_meter(latest) and _shows_the_meter(reading):
            self.operator.learn_gap(_seconds(reading.at - latest.at))
        self._repeats = 0
        self._samples.append(reading)
        return True

    def rate_kw(self, start: datetime | None = None) -> float | None:
        """The charging power between two distinct meter values about RATE_BASELINE apart.

        With one value only, the average since the session's `start`.
        """
        latest = self.latest
        if latest is None:
            return None
        if len(self._samples) < 2:
            span = 0.0 if start is None else _seconds(latest.at - start)
            return latest.kwh / (span / 3600) if span >= MIN_AVERAGE_SPAN else None
        older = list(self._samples)[:-1]
        base = next(
            (s for s in reversed(older) if _seconds(latest.at - s.at) >= RATE_BASELINE),
            older[0],
        )
        span = _seconds(latest.at - base.at)
        if span < MIN_RATE_SPAN:
            return None
        return max(latest.kwh - base.kwh, 0.0) / (span / 3600)

    def kwh_at(self, session: Session, at: datetime) -> float | None:
        """The energy `session` had delivered at `at`, from its meter values; None unknown.

        Between two values, read on the line between them; after the latest, extrapolated at
        the rate while the session charges (not past the charging's own end); before the first,
        from the start at the average rate.
        """
        latest = self.latest
        if latest is None or latest.session_id != session.id:
            return None
        if at >= latest.at:
            rate = self.rate_kw(session.start) if session.is_charging else None
            return latest.kwh + (rate or 0.0) * _seconds(at - latest.at) / 3600
        points = list(self._samples)
        if session.start is not None and session.start < points[0].at:
            points.insert(0, MeterReading(session.id, 0.0, None, session.start, measured=True))
        if at <= points[0].at:
            return points[0].kwh
        after = next(index for index, point in enumerate(points) if point.at >= at)
        before, later = points[after - 1], points[after]
        share = _seconds(at - before.at) / _seconds(later.at - before.at)
        return before.kwh + share * (later.kwh - before.kwh)

    def next_sample_at(self, now: datetime) -> datetime | None:
        """When the record will next show a new meter value, if the cadence is known."""
        latest, cadence = self.latest, self.operator.cadence
        if latest is None or cadence is None or not latest.measured:
            return None
        due = latest.at + timedelta(seconds=cadence + SAMPLE_MARGIN)
        if due > now:
            return due
        # Overdue: the meter is late or batched. Look again soon, less often as it stays away.
        return now + timedelta(seconds=SAMPLE_RECHECK * (1 + self._repeats))

    def poll_delay(self, now: datetime, interval: float) -> float:
        """Seconds until the next poll of a charging session, at most every `interval`.

        When the meter is slower than `interval`, polling in step with it: just after each new
        value is due, and not in between, when nothing can have changed.
        """
        cadence, latest = self.operator.cadence, self.latest
        if cadence is None:
            if latest is not None and latest.measured and not latest.live:
                # The meter's cadence shows after two of its values: look often until then,
                # once for all (it is kept).
                return min(interval, SAMPLE_RECHECK)
            return interval
        due = self.next_sample_at(now)
        if due is None or cadence <= interval:
            return interval
        return max(_seconds(due - now), MIN_POLL)


def _is_new(latest: MeterReading, reading: MeterReading) -> bool:
    """Whether a fetched value is another meter value than the latest one.

    With the operator's own times, a later time is a new value even if the energy is unchanged
    (the car paused); without them, only a changed energy tells.
    """
    if reading.measured and latest.measured:
        return reading.at > latest.at
    return reading.kwh != latest.kwh


def _shows_the_meter(reading: MeterReading) -> bool:
    """Whether the reading's time is a meter value's own (not a fetch's, not a live record's)."""
    return reading.measured and not reading.live


@dataclass(frozen=True, slots=True)
class Limits:
    """The limits in force; 0 is off."""

    energy_kwh: float = 0.0
    cost: float = 0.0
    price_per_kwh: float | None = None
    """The tariff's price, for the cost limit while the session's own cost/kWh is not known."""
    battery_percent: float = 0.0
    battery_kwh: float | None = None
    """The session energy at which the battery reaches `battery_percent`; None: not known."""

    @property
    def any(self) -> bool:
        """Whether any limit is set."""
        return self.energy_kwh > 0 or self.cost > 0 or self.battery_percent > 0


@dataclass(frozen=True, slots=True)
class StopPlan:
    """When to send STOP for the running session, and which limit it is for."""

    send_at: datetime
    crossing_at: datetime
    limit: str
    """"energy", "cost" or "battery"."""


def remaining_kwh(reading: MeterReading, limits: Limits) -> tuple[float, str] | None:
    """Energy still to deliver until the first limit, with that limit's name; None if none."""
    candidates: list[tuple[float, str]] = []
    if limits.energy_kwh > 0:
        candidates.append((limits.energy_kwh - reading.kwh, "energy"))
    if limits.battery_percent > 0 and limits.battery_kwh is not None:
        candidates.append((limits.battery_kwh - reading.kwh, "battery"))
    if limits.cost > 0 and reading.cost is not None:
        if reading.cost >= limits.cost:
            candidates.append((0.0, "cost"))
        elif reading.kwh > 0 and reading.cost > 0:
            price = reading.cost / reading.kwh
            candidates.append(((limits.cost - reading.cost) / price, "cost"))
        elif limits.price_per_kwh:
            candidates.append(((limits.cost - reading.cost) / limits.price_per_kwh, "cost"))
    if not candidates:
        return None
    return min(candidates)


def plan_stop(
    reading: MeterReading, rate_kw: float | None, limits: Limits, latency: float
) -> StopPlan | None:
    """When to send STOP so that the charger stops as the first limit is reached.

    Extrapolated from the meter value's own time at the measured rate, less the operator's
    stop latency; None when no limit is set or the rate is not known yet and the limit is not
    reached.
    """
    remaining = remaining_kwh(reading, limits)
    if remaining is None:
        return None
    kwh, limit = remaining
    if kwh <= 0:
        return StopPlan(reading.at, reading.at, limit)
    if not rate_kw:
        return None
    crossing = reading.at + timedelta(hours=kwh / rate_kw)
    return StopPlan(crossing - timedelta(seconds=latency), crossing, limit)


@dataclass(frozen=True, slots=True)
class SentStop:
    """A STOP that was accepted, and the energy the meter was predicted to show at that moment."""

    at: datetime
    kwh: float | None
    rate_kw: float | None


def sent_stop(meter: MeterTrack, session: Session, at: datetime) -> SentStop:
    """The STOP accepted `at` for `session`, with the energy extrapolated to that moment."""
    latest = meter.latest
    rate = meter.rate_kw(session.start)
    if latest is None or latest.session_id != session.id or rate is None:
        return SentStop(at, None, None)
    return SentStop(at, latest.kwh + rate * _seconds(at - latest.at) / 3600, rate)


def observed_latency(sent: SentStop, session: Session) -> float | None:
    """How long the charger took to stop after STOP, from the session's end and its energy.

    The end, where the operator gives it, measures it exactly, unless it is when the record was
    closed (at the next meter value) rather than when the charger stopped: then the energy
    delivered after the STOP, at the rate, tells it within the meter's rounding, and the lower of
    the two stands. None when the session ended before the STOP could act, or neither is known.
    """
    if session.end is not None and session.end < sent.at:
        return None
    by_end = None if session.end is None else _seconds(session.end - sent.at)
    by_energy = None
    if sent.kwh is not None and sent.rate_kw and session.kwh is not None:
        by_energy = max(session.kwh - sent.kwh, 0.0) / sent.rate_kw * 3600
    if by_end is None or by_energy is None or not sent.rate_kw:
        return by_end if by_energy is None else by_energy
    slack = METER_ROUNDING_KWH / sent.rate_kw * 3600 + ENERGY_LATENCY_SLACK
    return min(by_end, by_energy + slack)
