"""How full the car's battery is between its slow updates, told by the session's own meter.

Pure arithmetic, no Home Assistant, as the forecast is. A car's battery sensor in Home Assistant
updates every few minutes while charging, in whole percent, and late (the car's cloud); the
charger's own state of charge is rare. The session's meter moves far more often, and the battery
rises with it: so the battery limit learns how many metered kWh make one percent of this car
(`kwh_per_percent`, from this session and the ones before) and where the battery stood when the
session began (`SessionBattery.start_percent`), and turns "stop at 80 %" into "stop at N kWh",
which the Energy limit's plan and its one STOP then carry out.

Readings that cannot be true do no harm: a value the meter cannot explain (the battery rising
faster than any car charges, or falling while it charges) is set aside, and taken only once the
next value confirms it; an unavailable or stale sensor leaves what was learned in force; until
something is learned, the limit waits and says why (`BatteryStatus`).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
import statistics
from typing import Any

# Metered kWh per percent of battery this side of any car: 5 to 300 kWh for 100 %.
KWH_PER_PERCENT_RANGE = (0.05, 3.0)
# A slope over fewer percent is mostly the sensor's rounding...
MIN_LEARN_SPAN = 5.0
# How far one value is off the line, squared (%²): a whole percent's rounding (1/12) and a lag
# that differs from one value to the next.
READING_VARIANCE = 0.15
# How far one session's slope is off the car's, relatively, squared; and what no number of
# sessions removes (the charger's losses differ between AC and DC, between one power and another).
SESSION_SLOPE_VARIANCE = 0.02**2
CAR_SLOPE_VARIANCE = 0.01**2
# The slopes of this many sessions are kept: the car's, as AC and DC losses differ.
SLOPE_MEMORY = 5
# A value this many percent beyond what the meter explains is a glitch, not the battery.
JUMP_PERCENT = 3.0
# Without a fresh value for this long while charging, the car's sensor is stale.
STALE_AFTER = timedelta(minutes=30)
# The power as a second variable of the line: from this many values, where it changed by this
# share; a lag it finds beyond MAX_LAG is noise, not the car's cloud.
MIN_VALUES_WITH_LAG = 4
MIN_POWER_CHANGE = 0.2
MAX_LAG = timedelta(minutes=5)
# Values kept of one session: hours of a car's or a charger's values (the slope is the latest's).
MAX_READINGS = 240


class BatteryStatus(StrEnum):
    """What the battery limit knows, as the Planned stop shows it."""

    PLANNED = "planned"
    """The energy at which the battery reaches the limit is known."""
    LEARNING = "learning"
    """Too few values yet to tell kWh per percent: the limit waits for the car's next ones."""
    NO_SOURCE = "no_source"
    """Neither the charger reports the battery nor is a car battery sensor chosen."""
    UNAVAILABLE = "unavailable"
    """The car's sensor is unavailable or unknown."""
    STALE = "stale"
    """The car's sensor has not changed for STALE_AFTER while charging."""
    JUMPED = "jumped"
    """The latest value is one the meter cannot explain: set aside until confirmed."""


@dataclass(frozen=True, slots=True)
class BatteryReading:
    """One value of the car's battery and the session energy when it was seen."""

    percent: float
    kwh: float
    """The session's energy (kWh) when the value was seen (the meter's, extrapolated)."""
    at: datetime
    exact: bool
    """The charger's, true at its meter value; else the car's, which lags behind the battery."""
    whole: bool
    """Whole percent: the battery is up to 1 % above (a sensor rounds down, as cars show it)."""
    rate_kw: float = 0.0
    """The charging power when the value was seen: a lagging value's energy is ahead of the
    battery's by this much per second of lag."""

    @property
    def low(self) -> float:
        """The least the battery was when seen."""
        return self.percent

    @property
    def high(self) -> float:
        """The most the battery was when seen (a lagging car's value says nothing of it)."""
        return self.percent + (1.0 if self.whole else 0.1)

    @property
    def middle(self) -> float:
        """The likeliest percent: the middle of what its rounding leaves."""
        return self.percent + (0.5 if self.whole else 0.0)

    def as_dict(self) -> dict[str, Any]:
        """JSON-able."""
        return {
            "percent": self.percent,
            "kwh": self.kwh,
            "at": self.at.isoformat(),
            "exact": self.exact,
            "whole": self.whole,
            "rate_kw": self.rate_kw,
        }

    @classmethod
    def from_dict(cls, stored: Any) -> BatteryReading | None:
        """The inverse of `as_dict`; None for what it cannot have written."""
        try:
            return cls(
                float(stored["percent"]),
                float(stored["kwh"]),
                datetime.fromisoformat(stored["at"]),
                exact=bool(stored["exact"]),
                whole=bool(stored["whole"]),
                rate_kw=float(stored.get("rate_kw", 0.0)),
            )
        except KeyError, TypeError, ValueError:
            return None


class BatteryModel:
    """What the account learns of its car: kWh per percent, and the latest session's values.

    The session's values are kept across restarts too: the one from before it began is the one
    no lag spoils.
    """

    def __init__(self, stored: dict[str, Any] | None = None) -> None:
        """Start from what `as_dict` returned before, or knowing nothing."""
        stored = stored or {}
        low, high = KWH_PER_PERCENT_RANGE
        slopes = stored.get("kwh_per_percent")
        slopes = slopes if isinstance(slopes, list) else []
        variances = stored.get("variances")
        # Kept before variances were: as one session's should be.
        variances = variances if isinstance(variances, list) else []
        variances += [SESSION_SLOPE_VARIANCE] * (len(slopes) - len(variances))
        kept = [
            (float(slope), float(variance))
            for slope, variance in zip(slopes, variances, strict=False)
            if _number(slope) and _number(variance) and low <= slope <= high and variance > 0
        ]
        self._slopes: deque[tuple[float, float]] = deque(kept, maxlen=SLOPE_MEMORY)
        """Each session's kWh per percent and its relative variance."""
        self.session: SessionBattery | None = SessionBattery.from_dict(stored.get("session"), self)
        """The latest session's battery."""

    def as_dict(self) -> dict[str, Any]:
        """JSON-able, to keep across restarts."""
        session = self.session
        return {
            "kwh_per_percent": [slope for slope, _ in self._slopes],
            "variances": [variance for _, variance in self._slopes],
            "session": None if session is None else session.as_dict(),
        }

    def follow(self, session_id: str) -> SessionBattery:
        """The battery of session `session_id`: the one followed, else a new one."""
        if self.session is None or self.session.session_id != session_id:
            self.session = SessionBattery(session_id, self)
        return self.session

    @property
    def kwh_per_percent(self) -> float | None:
        """The sessions' slopes, each weighed by its precision; None before one taught one."""
        if not self._slopes:
            return None
        weights = [1 / variance for _, variance in self._slopes]
        return sum(w * slope for w, (slope, _) in zip(weights, self._slopes, strict=True)) / sum(
            weights
        )

    @property
    def variance(self) -> float:
        """The relative variance of `kwh_per_percent`: never below CAR_SLOPE_VARIANCE."""
        precision = sum(1 / variance for _, variance in self._slopes)
        return (1 / precision if precision else SESSION_SLOPE_VARIANCE) + CAR_SLOPE_VARIANCE

    def learn(self, slope: float, variance: float = SESSION_SLOPE_VARIANCE) -> bool:
        """Take in a session's slope and its relative variance; True if it was kept."""
        low, high = KWH_PER_PERCENT_RANGE
        if not low <= slope <= high or not variance > 0:
            return False
        self._slopes.append((slope, variance))
        return True


class SessionBattery:
    """The battery of one session's car: its values, and the energy at which it reaches X %."""

    def __init__(self, session_id: str, model: BatteryModel) -> None:
        """Follow session `session_id`'s car, with what earlier sessions taught `model`."""
        self.session_id = session_id
        self._model = model
        self._start: BatteryReading | None = None
        """The car's value before energy flowed: where the battery stood at 0 kWh."""
        self._readings: deque[BatteryReading] = deque(maxlen=MAX_READINGS)
        """The values taken while charging, oldest first."""
        self._set_aside: BatteryReading | None = None
        """A value the meter could not explain, until the next one confirms or refutes it."""
        self.last_seen: datetime | None = None
        """When the car's sensor last gave a value (taken or not)."""
        self.unavailable = False
        """The car's sensor said it knows nothing (unavailable, unknown, not a number)."""
        self.learned = False
        """This session's slope went into the model (once, at its end)."""

    def as_dict(self) -> dict[str, Any]:
        """JSON-able: the values taken (what is set aside is not kept)."""
        return {
            "session_id": self.session_id,
            "start": None if self._start is None else self._start.as_dict(),
            "readings": [reading.as_dict() for reading in self._readings],
            "learned": self.learned,
        }

    @classmethod
    def from_dict(cls, stored: Any, model: BatteryModel) -> SessionBattery | None:
        """The inverse of `as_dict`; None for what it cannot have written."""
        if not isinstance(stored, dict) or not isinstance(stored.get("session_id"), str):
            return None
        battery = cls(stored["session_id"], model)
        battery._start = BatteryReading.from_dict(stored.get("start"))
        readings = stored.get("readings")
        for reading in readings if isinstance(readings, list) else []:
            if (restored := BatteryReading.from_dict(reading)) is not None:
                battery._readings.append(restored)
        battery.learned = bool(stored.get("learned"))
        latest = battery.latest
        battery.last_seen = None if latest is None else latest.at
        return battery

    @property
    def start(self) -> BatteryReading | None:
        """The car's value from before energy flowed, if one came."""
        return self._start

    @property
    def latest(self) -> BatteryReading | None:
        """The newest value taken."""
        if self._readings:
            return self._readings[-1]
        return self._start

    @property
    def jumped(self) -> bool:
        """Whether the latest value was set aside."""
        return self._set_aside is not None

    def take(self, reading: BatteryReading) -> bool:
        """Take in a value of the battery; True if it was taken (not set aside, nor repeated)."""
        self.unavailable = False
        self.last_seen = reading.at
        latest = self.latest
        if latest is not None and (latest.at, latest.percent) == (reading.at, reading.percent):
            return False  # the same value again (the charger's, at every poll)
        if reading.kwh <= 0 and not self._readings:
            # Before energy flows the battery stands still: however late the car tells it,
            # it is where the session starts.
            self._start, self._set_aside = reading, None
            return True
        if not self._plausible(reading):
            aside, self._set_aside = self._set_aside, reading
            if aside is None or not _agree(aside, reading):
                return False
            # Two values in a row agree on the new level: the battery is there, what was
            # learned before it is not.
            self._start = None
            self._readings.clear()
            self._readings.append(aside)
        self._set_aside = None
        self._readings.append(reading)
        return True

    def lost(self, at: datetime) -> None:
        """The car's sensor is unavailable: what was learned stays in force."""
        self.unavailable = True
        self.last_seen = self.last_seen or at

    def _plausible(self, reading: BatteryReading) -> bool:
        """Whether the meter explains the value, from the latest one taken.

        The battery cannot fall while charging, nor rise more than twice as fast as the slope
        learned says (or, before one, than the smallest battery would), give or take
        JUMP_PERCENT of rounding and lag.
        """
        latest = self.latest
        if latest is None:
            return True
        slope = self.kwh_per_percent
        if slope is None:
            most = (reading.kwh - latest.kwh) / KWH_PER_PERCENT_RANGE[0]
        else:
            most = 2 * max(reading.kwh - latest.kwh, 0.0) / slope
        rise = reading.percent - latest.percent
        return -JUMP_PERCENT <= rise <= most + JUMP_PERCENT

    @property
    def session_slope(self) -> tuple[float, float] | None:
        """The session's own kWh per percent and its relative variance; None over too few.

        A least-squares line through the values taken while charging: each lags the battery
        by about the same time, so at a steady power the lag shifts the line, not its slope.
        Where the power changes (a battery that slows as it fills) the lag's energy does too:
        the line then takes the power as a second variable, and the lag with it.
        """
        # A value still at the start's may have been read before energy flowed and told late:
        # off the line, it would bend the slope.
        start = self._start
        readings = [r for r in self._readings if start is None or r.percent > start.percent]
        if len(readings) < 2:
            return None
        span = max(r.middle for r in readings) - min(r.middle for r in readings)
        if span < MIN_LEARN_SPAN:
            return None
        # Percent on energy, not the other way: the energy is exact, the percent rounded.
        rise, rise_variance = _rise_with_lag(readings) or _rise(readings)
        if rise <= 0:
            return None
        slope = 1 / rise
        low, high = KWH_PER_PERCENT_RANGE
        return (slope, rise_variance / rise**2) if low <= slope <= high else None

    @property
    def kwh_per_percent(self) -> float | None:
        """Metered kWh per percent: this session's and the earlier sessions', each as precise.

        Weighed by the inverse of their variances: a session's own slope over a few values is
        rough, five sessions' less so, but never closer than CAR_SLOPE_VARIANCE.
        """
        prior = self._model.kwh_per_percent
        own = self.session_slope
        if own is None:
            return prior
        slope, variance = own
        if prior is None:
            return slope
        prior_variance = self._model.variance
        weight = prior_variance / (prior_variance + variance)
        return weight * slope + (1 - weight) * prior

    @property
    def start_percent(self) -> float | None:
        """Where the battery stood at 0 kWh; None while kWh per percent is not known.

        Each value bounds it from below (the battery was at least what it showed, by the
        energy since the start), the charger's from above too, and so does the car's value
        from before energy flowed: the middle of what is left. Without an upper bound, the
        likeliest of the best lower one (a lagging car's value leaves this early by its lag).
        """
        slope = self.kwh_per_percent
        if slope is None:
            return None
        taken = ([] if self._start is None else [self._start]) + list(self._readings)
        if not taken:
            return None
        low: float = max(r.low - r.kwh / slope for r in taken)
        highs = [r.high - r.kwh / slope for r in taken if r.exact or r is self._start]
        if not highs:
            return low + 0.5
        high: float = min(highs)
        return (low + high) / 2 if low <= high else low

    def percent_at(self, kwh: float) -> float | None:
        """The battery at a session energy of `kwh`; None while not known."""
        start, slope = self.start_percent, self.kwh_per_percent
        if start is None or slope is None:
            return None
        return start + kwh / slope

    def energy_at(self, percent: float) -> float | None:
        """The session energy at which the battery reaches `percent`; None while not known.

        Before kWh per percent is known, a value taken that shows `percent` or more: the
        battery is there now (the car's sensor says so, and the meter agreed).
        """
        start, slope = self.start_percent, self.kwh_per_percent
        if start is not None and slope is not None:
            return (percent - start) * slope
        latest = self.latest
        if latest is not None and latest.percent >= percent and not self.jumped:
            return latest.kwh
        return None

    def status(self, now: datetime, *, charging: bool) -> BatteryStatus:
        """What the limit can plan with now."""
        if self.jumped:
            return BatteryStatus.JUMPED
        if self.unavailable:
            return BatteryStatus.UNAVAILABLE
        last_seen = self.last_seen
        if charging and last_seen is not None and now - last_seen > STALE_AFTER:
            return BatteryStatus.STALE
        if self.start_percent is None:
            return BatteryStatus.LEARNING
        return BatteryStatus.PLANNED

    def finish(self) -> bool:
        """The session ended: teach the model its slope and how precise it is, once."""
        if self.learned:
            return False
        self.learned = True
        own = self.session_slope
        return own is not None and self._model.learn(*own)


def _agree(first: BatteryReading, second: BatteryReading) -> bool:
    """Whether two values in a row tell the same battery (the second may have risen a little)."""
    return -1.0 <= second.percent - first.percent <= JUMP_PERCENT


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _rise(readings: list[BatteryReading]) -> tuple[float, float]:
    """Percent per kWh of a least-squares line through the values, and its variance."""
    mean_p = statistics.fmean(r.middle for r in readings)
    mean_e = statistics.fmean(r.kwh for r in readings)
    spread = sum((r.kwh - mean_e) ** 2 for r in readings)
    rise = sum((r.middle - mean_p) * (r.kwh - mean_e) for r in readings) / spread
    return rise, READING_VARIANCE / spread


def _rise_with_lag(readings: list[BatteryReading]) -> tuple[float, float] | None:
    """Percent per kWh with the power as a second variable, and its variance.

    percent = a + rise * (kWh - power * lag): fitted where the power changed by at least
    MIN_POWER_CHANGE between the values, and only if the lag it finds is one (0 to MAX_LAG).
    """
    if len(readings) < MIN_VALUES_WITH_LAG:
        return None
    mean_p = statistics.fmean(r.middle for r in readings)
    mean_e = statistics.fmean(r.kwh for r in readings)
    mean_w = statistics.fmean(r.rate_kw for r in readings)
    if mean_w <= 0 or max(r.rate_kw for r in readings) - min(r.rate_kw for r in readings) < (
        MIN_POWER_CHANGE * mean_w
    ):
        return None
    see = sum((r.kwh - mean_e) ** 2 for r in readings)
    sww = sum((r.rate_kw - mean_w) ** 2 for r in readings)
    sew = sum((r.kwh - mean_e) * (r.rate_kw - mean_w) for r in readings)
    spe = sum((r.middle - mean_p) * (r.kwh - mean_e) for r in readings)
    spw = sum((r.middle - mean_p) * (r.rate_kw - mean_w) for r in readings)
    determinant = see * sww - sew**2
    if determinant <= 0:
        return None
    rise = (spe * sww - spw * sew) / determinant
    per_kw = (spw * see - spe * sew) / determinant
    if rise <= 0 or not 0 <= -per_kw / rise * 3600 <= MAX_LAG.total_seconds():
        return None
    return rise, READING_VARIANCE * sww / determinant
